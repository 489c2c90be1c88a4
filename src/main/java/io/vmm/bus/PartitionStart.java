package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

/**
 * Where a source task starts mirroring one partition.
 *
 * @param tp          source partition
 * @param remoteTopic remote topic name
 * @param lastWritten stored progress: upstream offset of the last record already in the target, or -1 if none
 * @param resumeAt    next offset to read, or -1 to let the consumer's {@code auto.offset.reset} decide
 */
public record PartitionStart(TopicPartition tp, String remoteTopic, long lastWritten, long resumeAt) {

  /** Resume right after stored progress ({@code lastWritten >= 0}), or where {@code auto.offset.reset} says. */
  public static PartitionStart fromStored(TopicPartition tp, String remoteTopic, long lastWritten) {
    return new PartitionStart(tp, remoteTopic, lastWritten, lastWritten >= 0 ? lastWritten + 1 : -1);
  }
}
