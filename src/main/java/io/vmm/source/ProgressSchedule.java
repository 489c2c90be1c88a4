package io.vmm.source;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Decides when one source task stores its progress, so that a crash in any phase of the process's life re-copies
 * a bounded amount. Pure: no clock, no Vert.x; the caller passes {@code nowMs} (epoch or monotonic ms, the same
 * source throughout) and runs the store.
 * <p>
 * A store is due, when acknowledged records are not stored yet, as soon as one of these holds:
 * <ol>
 *   <li><b>first records</b>: a partition got its first acknowledged records (since the task started) at least {@code firstDelayMs} ago ({@link #FIRST_STORE_DELAY_MS}, at most the
 *       interval): a process killed soon after its start has stored something already;</li>
 *   <li><b>interval</b>: {@code intervalMs} ({@code offset.flush.interval.ms}) passed since the last store began
 *       (or since the task started);</li>
 *   <li><b>threshold</b>: the acknowledged records not stored reach {@code maxRecords}
 *       ({@link #MAX_UNSTORED_RECORDS}) or their key + value bytes reach {@code maxBytes}
 *       ({@link #MAX_UNSTORED_BYTES}).</li>
 * </ol>
 * At most one store is in flight ({@link #storing} .. {@link #stored}/{@link #failed}); after a failed store the
 * next is not due before {@code min(interval, }{@link #RETRY_DELAY_MS}{@code )} (a target that is down is not
 * hammered).
 * <p>
 * The bound: records acknowledged by the target but not stored are what a crash re-copies at the next start. With
 * stores that succeed, they are at most about one flush interval of the task's traffic, or the thresholds
 * (10,000 records / 16 MiB), whichever is smaller, plus the records in flight (the flow-control marks) and one
 * store's round trip; right after a start, at most {@code firstDelayMs} of traffic. The same schedule applies
 * in every phase (start, steady state, stop). The counts of acknowledged records are per chunk answer, not per
 * contiguous prefix: a store may be started somewhat early, never late.
 * <p>
 * Not thread-safe: owned by the source verticle's event loop.
 */
public final class ProgressSchedule {

  /** Delay from a partition's first acknowledged records to its first store, ms (at most the interval). */
  public static final long FIRST_STORE_DELAY_MS = 200;
  /** Acknowledged records not yet stored, per task, that make a store due at once. */
  public static final long MAX_UNSTORED_RECORDS = 10_000;
  /** Key + value bytes of acknowledged records not yet stored, per task, that make a store due at once (16 MiB). */
  public static final long MAX_UNSTORED_BYTES = 16L * 1024 * 1024;
  /** Earliest retry after a failed store, ms (at most the interval). */
  public static final long RETRY_DELAY_MS = 1_000;

  /** What one store covers: the counts and the first-time partitions at its start. */
  public record Snapshot(long records, long bytes, Set<TopicPartition> firstTime) {
  }

  private final long intervalMs;
  private final long firstDelayMs;
  private final long retryDelayMs;
  private final long maxRecords;
  private final long maxBytes;
  /** Partitions acknowledged and never stored: time of their first acknowledged records. */
  private final Map<TopicPartition, Long> firstAck = new HashMap<>();
  /** Partitions stored at least once (or started from stored progress). */
  private final Set<TopicPartition> storedOnce = new HashSet<>();
  private long unstoredRecords;
  private long unstoredBytes;
  private long lastStoreMs;
  private long notBeforeMs;
  private Snapshot inFlight;

  /**
   * With the defaults: {@link #FIRST_STORE_DELAY_MS}, {@link #MAX_UNSTORED_RECORDS}, {@link #MAX_UNSTORED_BYTES}.
   *
   * @param intervalMs {@code offset.flush.interval.ms}, &gt; 0
   * @param nowMs      the task's start
   */
  public ProgressSchedule(long intervalMs, long nowMs) {
    this(intervalMs, FIRST_STORE_DELAY_MS, MAX_UNSTORED_RECORDS, MAX_UNSTORED_BYTES, nowMs);
  }

  /**
   * @param intervalMs   store at least this often while acknowledged records are not stored, ms, &gt; 0
   * @param firstDelayMs from a partition's first acknowledged records to its first store, ms (capped at the interval)
   * @param maxRecords   acknowledged records not stored that make a store due at once
   * @param maxBytes     their key + value bytes that make a store due at once
   * @param nowMs        the task's start
   */
  public ProgressSchedule(long intervalMs, long firstDelayMs, long maxRecords, long maxBytes, long nowMs) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be > 0: " + intervalMs);
    }
    this.intervalMs = intervalMs;
    this.firstDelayMs = Math.min(Math.max(0, firstDelayMs), intervalMs);
    this.retryDelayMs = Math.min(RETRY_DELAY_MS, intervalMs);
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.lastStoreMs = nowMs;
  }

  /** How often the caller should ask {@link #due} on a timer, ms: the first-store delay (at least 10 ms). */
  public long tickMs() {
    return Math.max(10, firstDelayMs);
  }

  /** Notes {@code records} records of {@code bytes} key + value bytes of {@code tp} acknowledged at {@code nowMs}. */
  public void acknowledged(TopicPartition tp, long records, long bytes, long nowMs) {
    if (records <= 0) {
      return;
    }
    unstoredRecords += records;
    unstoredBytes += bytes;
    if (!storedOnce.contains(tp)) {
      firstAck.putIfAbsent(tp, nowMs);
    }
  }

  /** Whether a store should start now (false while one is in flight, or when nothing acknowledged is unstored). */
  public boolean due(long nowMs) {
    if (inFlight != null || unstoredRecords <= 0 || nowMs < notBeforeMs) {
      return false;
    }
    if (unstoredRecords >= maxRecords || unstoredBytes >= maxBytes || nowMs - lastStoreMs >= intervalMs) {
      return true;
    }
    for (long at : firstAck.values()) {
      if (nowMs - at >= firstDelayMs) {
        return true;
      }
    }
    return false;
  }

  /** A store begins (at most one at a time); returns what it covers, to hand back to {@link #stored}. */
  public Snapshot storing(long nowMs) {
    if (inFlight != null) {
      throw new IllegalStateException("a store is in flight already");
    }
    lastStoreMs = nowMs;
    inFlight = new Snapshot(unstoredRecords, unstoredBytes, Set.copyOf(firstAck.keySet()));
    return inFlight;
  }

  /** The store begun with {@code snapshot} succeeded: what it covered is stored. */
  public void stored(Snapshot snapshot) {
    unstoredRecords = Math.max(0, unstoredRecords - snapshot.records());
    unstoredBytes = Math.max(0, unstoredBytes - snapshot.bytes());
    for (TopicPartition tp : snapshot.firstTime()) {
      firstAck.remove(tp);
      storedOnce.add(tp);
    }
    inFlight = null;
  }

  /** The store begun with {@code snapshot} failed at {@code nowMs}: retried after the retry delay. */
  public void failed(Snapshot snapshot, long nowMs) {
    inFlight = null;
    notBeforeMs = nowMs + retryDelayMs;
  }

  /** Whether a store is in flight. */
  public boolean storeInFlight() {
    return inFlight != null;
  }

  /** Acknowledged records not stored yet (an estimate: counted per chunk answer). */
  public long unstoredRecords() {
    return unstoredRecords;
  }

  /** Their key + value bytes. */
  public long unstoredBytes() {
    return unstoredBytes;
  }
}
