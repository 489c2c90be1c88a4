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
   * @param rewind     exactly-once only: the chunk was not committed (its transaction was aborted, or it came
   *                   after an abort and was not sent); nothing of it is in the target for {@code read_committed}
   *                   readers, and the source task must re-read the partition from its last committed position
   *                   ({@link SourceBatch.Chunk#generation()}); {@code failedAt} is then 0 and {@code error} the cause
   */
  public record PartitionResult(TopicPartition source, long[] upstream, long[] downstream, int failedAt,
                                Throwable error, boolean rewind) {

    /** A result that asks for no rewind (at-least-once, or a committed chunk). */
    public PartitionResult(TopicPartition source, long[] upstream, long[] downstream, int failedAt, Throwable error) {
      this(source, upstream, downstream, failedAt, error, false);
    }

    /**
     * A chunk of {@code source} with upstream offsets {@code upstream} that is not in the target (aborted or not
     * sent) and must be re-read: every downstream offset -1, failed at 0 with {@code cause}, {@code rewind} set.
     */
    public static PartitionResult rewind(TopicPartition source, long[] upstream, Throwable cause) {
      long[] downstream = new long[upstream.length];
      java.util.Arrays.fill(downstream, -1L);
      return new PartitionResult(source, upstream, downstream, 0, cause, true);
    }

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
