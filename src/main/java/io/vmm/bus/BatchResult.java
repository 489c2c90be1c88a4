package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * Reply to a {@link SourceBatch}: for each chunk, in the same order, what the target acknowledged.
 *
 * @param seq     the batch number
 * @param results one per chunk
 */
public record BatchResult(long seq, List<PartitionResult> results) {

  /**
   * What happened to one chunk's records.
   *
   * @param source     the source partition
   * @param upstream   upstream offset of each record, in send order
   * @param downstream target offset of each record, or -1 where it was not acknowledged
   * @param failedAt   index of the first record that failed, or -1 when all were acknowledged
   * @param error      the failure of record {@code failedAt}, or null
   */
  public record PartitionResult(TopicPartition source, long[] upstream, long[] downstream, int failedAt,
                                Throwable error) {

    /** Upstream offset of the last record of the acknowledged prefix, or -1 if the first record failed. */
    public long lastAckedUpstream() {
      int end = failedAt < 0 ? upstream.length : failedAt;
      int i = 0;
      while (i < end && downstream[i] >= 0) {
        i++;
      }
      return i == 0 ? -1 : upstream[i - 1];
    }
  }
}
