package io.vmm.bus;

import java.util.List;

/**
 * To a running source task ({@link Addresses#taskAssign}): also mirror these partitions (found by a topic
 * refresh). Reply: the number of partitions added, once they are positioned.
 */
public record TaskAssign(List<PartitionStart> partitions) {

  public TaskAssign {
    partitions = List.copyOf(partitions);
  }
}
