package io.vmm.target;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;

/**
 * Decides when the open transaction of an exactly-once target producer commits. Pure: no clock, no Kafka; the
 * caller passes {@code nowMs} (one time source throughout) and commits.
 * <p>
 * A commit is due, while a transaction is open, as soon as one of these holds:
 * <ol>
 *   <li><b>interval</b>: {@code intervalMs} ({@code transaction.boundary.interval.ms}, else
 *       {@code offset.flush.interval.ms}) passed since the transaction began;</li>
 *   <li><b>early</b>: the records held in it (decoded ones for the records mark) reach half of the source task's
 *       in-flight marks
 *       ({@code vmm.inflight.partition.max.records} / {@code .max.bytes} per partition,
 *       {@code vmm.inflight.task.max.bytes} over the task). The source pauses a partition at a full mark and the
 *       producer answers a batch only after its transaction commits, so committing at half a mark keeps fetching
 *       going: flow control never waits for the interval.</li>
 * </ol>
 * A {@code ProgressUpdate} of the source task, and a stop, commit at once whatever this says.
 * <p>
 * Not thread-safe: owned by the producer's worker context.
 */
public final class CommitTrigger {

  /** Why a commit is due. */
  public enum Reason { NONE, INTERVAL, RECORDS, BYTES }

  private final long intervalMs;
  private final long partitionRecords;
  private final long partitionBytes;
  private final long taskBytes;
  private final Map<TopicPartition, long[]> held = new HashMap<>();
  private boolean open;
  private long beganMs;
  private long records;
  private long bytes;
  private Reason early = Reason.NONE;

  /**
   * @param intervalMs          longest time from a transaction's begin to its commit, ms, &gt; 0
   * @param maxPartitionRecords the source task's in-flight records mark per partition
   * @param maxPartitionBytes   its in-flight key + value bytes mark per partition
   * @param maxTaskBytes        its in-flight key + value bytes mark over the task
   */
  public CommitTrigger(long intervalMs, long maxPartitionRecords, long maxPartitionBytes, long maxTaskBytes) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be > 0: " + intervalMs);
    }
    this.intervalMs = intervalMs;
    this.partitionRecords = Math.max(1, maxPartitionRecords / 2);
    this.partitionBytes = Math.max(1, maxPartitionBytes / 2);
    this.taskBytes = Math.max(1, maxTaskBytes / 2);
  }

  /** The commit interval, ms. */
  public long intervalMs() {
    return intervalMs;
  }

  /** A transaction began at {@code nowMs}. */
  public void began(long nowMs) {
    open = true;
    beganMs = nowMs;
  }

  /** Whether a transaction is open. */
  public boolean open() {
    return open;
  }

  /**
   * {@code n} records of {@code tp}, {@code decoded} of them decoded (the others in pass-through batches), with
   * {@code nBytes} bytes (a batch: its stored size) were sent in the open transaction. Only decoded records count
   * toward the records mark, as the source's flow control counts them.
   */
  public void added(TopicPartition tp, long n, long decoded, long nBytes) {
    long[] h = held.computeIfAbsent(tp, k -> new long[2]);
    h[0] += decoded;
    h[1] += nBytes;
    records += n;
    bytes += nBytes;
    if (early == Reason.NONE) {
      if (h[0] >= partitionRecords) {
        early = Reason.RECORDS;
      } else if (h[1] >= partitionBytes || bytes >= taskBytes) {
        early = Reason.BYTES;
      }
    }
  }

  /** Whether (and why) the open transaction should commit now; {@link Reason#NONE} when none is open. */
  public Reason due(long nowMs) {
    if (!open) {
      return Reason.NONE;
    }
    if (early != Reason.NONE) {
      return early;
    }
    return nowMs - beganMs >= intervalMs ? Reason.INTERVAL : Reason.NONE;
  }

  /** Ms since the open transaction began (0 when none is open). */
  public long openMs(long nowMs) {
    return open ? Math.max(0, nowMs - beganMs) : 0;
  }

  /** Ms from now until the interval ends for the open transaction (0 when due or none is open). */
  public long remainingMs(long nowMs) {
    return open ? Math.max(0, intervalMs - (nowMs - beganMs)) : 0;
  }

  /** Records sent in the open transaction. */
  public long records() {
    return records;
  }

  /** Their key + value bytes. */
  public long bytes() {
    return bytes;
  }

  /** The open transaction ended (committed or aborted): the counts restart. */
  public void ended() {
    open = false;
    held.clear();
    records = 0;
    bytes = 0;
    early = Reason.NONE;
  }
}
