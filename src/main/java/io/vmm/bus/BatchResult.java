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
   * @param downstream target offset of each record, -1 where it was not acknowledged, or {@link #SKIPPED} where
   *                   the target refused it for good and it was skipped (legacy MM1 {@code abortOnSendFailure=false})
   * @param failedAt   index of the first record that failed, or -1 when every record was acknowledged or skipped
   * @param error      the failure of record {@code failedAt}; with {@code failedAt} -1, the refusal of the first
   *                   skipped record, or null when none was skipped
   */
  public record PartitionResult(TopicPartition source, long[] upstream, long[] downstream, int failedAt,
                                Throwable error) {

    /** {@code downstream} value of a record the target refused for good and that was skipped, not mirrored. */
    public static final long SKIPPED = -2L;

    /**
     * Upstream offset of the last record of the acknowledged prefix (skipped records count as answered), or -1 if
     * the first record failed.
     */
    public long lastAckedUpstream() {
      int end = failedAt < 0 ? upstream.length : failedAt;
      int i = 0;
      while (i < end && (downstream[i] >= 0 || downstream[i] == SKIPPED)) {
        i++;
      }
      return i == 0 ? -1 : upstream[i - 1];
    }

    /** Number of records the target refused for good and that were skipped ({@link #SKIPPED}); 0 in MM2 mode. */
    public int skipped() {
      int n = 0;
      for (long d : downstream) {
        if (d == SKIPPED) {
          n++;
        }
      }
      return n;
    }

    /** Number of records the target acknowledged (written, not skipped). */
    public int acknowledged() {
      int n = 0;
      for (long d : downstream) {
        if (d >= 0) {
          n++;
        }
      }
      return n;
    }
  }
}
