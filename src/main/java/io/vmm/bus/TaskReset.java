package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * To a running source task ({@link Addresses#taskReset}): these partitions' source topic was deleted and
 * recreated; restart them at the new log start. Reply: the number of partitions reset.
 */
public record TaskReset(List<TopicPartition> partitions) {

  public TaskReset {
    partitions = List.copyOf(partitions);
  }
}
