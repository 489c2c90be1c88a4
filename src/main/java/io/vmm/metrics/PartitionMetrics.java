package io.vmm.metrics;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.TopicPartition;

/**
 * Metrics of one mirrored source partition: MM2's MirrorSourceConnector figures plus replication lag.
 * <ul>
 *   <li>At poll ({@link #polled}): {@code record-age-ms} (now minus the record timestamp) and the value bytes,
 *       as MM2 records them.</li>
 *   <li>At target acknowledgement ({@link #acknowledged}): {@code record-count} and
 *       {@code replication-latency-ms} (ack time minus the record timestamp).</li>
 *   <li>Lag: {@link #mirrored} gives the next upstream offset not yet in the target (the acknowledged
 *       prefix + 1); {@link #logOffsets} gives the source log start and end offsets (the end is the next offset
 *       the source will write). Lag in records = end minus the mirrored position (the log start when nothing is
 *       mirrored yet and the consumer starts at the earliest offset; the end with {@code latest}).
 *       Lag in ms = 0 when caught up; otherwise an upper bound of the oldest unmirrored record's age: now minus
 *       the later of the last mirrored record's timestamp (unmirrored records are newer, with CreateTime) and
 *       the last time the partition was seen caught up (they arrived after it; seen at most one lag refresh
 *       late); before either is known, now minus the oldest timestamp of the first poll; else unknown.</li>
 * </ul>
 * Records without a timestamp (-1) count for bytes and records but not for ages and latencies.
 * <p>
 * Thread-safety: written by the owning source task's event loop and by the lag monitor; read by metric scrapes
 * and the status API. All state is guarded by this object's lock.
 */
public final class PartitionMetrics {

  private final TopicPartition source;
  private final String remoteTopic;
  private final SampledStat age = new SampledStat();
  private final SampledStat latency = new SampledStat();
  private final SampledStat records = new SampledStat();
  private final SampledStat bytes = new SampledStat();
  private long recordCount;
  private long byteCount;
  private long mirroredNext = -1;
  private boolean startsAtEarliest = true;
  private long lastMirroredTimestamp = -1;
  private long logStart = -1;
  private long logEnd = -1;
  private long lastCaughtUp = -1;
  private long firstPolledTimestamp = -1;
  private boolean failed;

  PartitionMetrics(TopicPartition source, String remoteTopic) {
    this.source = source;
    this.remoteTopic = remoteTopic;
  }

  public TopicPartition source() {
    return source;
  }

  public String remoteTopic() {
    return remoteTopic;
  }

  /**
   * A task took the partition over.
   *
   * @param nextOffset       next upstream offset to mirror (stored progress + 1), or -1 when unknown
   * @param startsAtEarliest the consumer's {@code auto.offset.reset} is {@code earliest} (used while unknown)
   * @param nowMs            wall-clock time, ms
   */
  public synchronized void assigned(long nextOffset, boolean startsAtEarliest, long nowMs) {
    this.mirroredNext = nextOffset;
    this.startsAtEarliest = startsAtEarliest;
    this.failed = false;
    this.firstPolledTimestamp = -1;
    updateCaughtUp(nowMs);
  }

  /**
   * One poll's records of this partition: {@code n} records, their value bytes, and min/max/sum of their
   * timestamps over the {@code timed} records that have one ({@code lastTs} is the last record's, or -1).
   */
  public void polled(int n, long valueBytes, int timed, long minTs, long maxTs, double sumTs, long lastTs,
                     long nowMs) {
    synchronized (this) {
      byteCount += valueBytes;
      if (firstPolledTimestamp < 0 && timed > 0) {
        firstPolledTimestamp = minTs;
      }
    }
    bytes.record(n, valueBytes, 0, 0, valueBytes, nowMs);
    if (timed > 0) {
      age.record(timed, (double) timed * nowMs - sumTs, nowMs - maxTs, nowMs - minTs,
          lastTs >= 0 ? nowMs - lastTs : nowMs - maxTs, nowMs);
    }
  }

  /** {@code n} records acknowledged by the target, with min/max/sum of the timestamps of {@code timed} of them. */
  public void acknowledged(int n, int timed, long minTs, long maxTs, double sumTs, long lastTs, long nowMs) {
    synchronized (this) {
      recordCount += n;
    }
    records.record(n, n, 0, 0, n, nowMs);
    if (timed > 0) {
      latency.record(timed, (double) timed * nowMs - sumTs, nowMs - maxTs, nowMs - minTs,
          lastTs >= 0 ? nowMs - lastTs : nowMs - maxTs, nowMs);
    }
  }

  /**
   * The acknowledged prefix reached {@code nextOffset} (next upstream offset not yet in the target); {@code
   * timestamp} is the source timestamp of the last record in it, or -1; {@code nowMs} is the wall-clock time.
   */
  public synchronized void mirrored(long nextOffset, long timestamp, long nowMs) {
    if (nextOffset > mirroredNext) {
      mirroredNext = nextOffset;
      if (timestamp >= 0) {
        lastMirroredTimestamp = timestamp;
      }
      updateCaughtUp(nowMs);
    }
  }

  /** The partition stopped on a record the target refused for good (or was cleared by a restart). */
  public synchronized void failed(boolean failed) {
    this.failed = failed;
  }

  /** Source log start and end offsets as of {@code nowMs} (from the lag monitor). */
  public synchronized void logOffsets(long start, long end, long nowMs) {
    this.logStart = start;
    this.logEnd = end;
    updateCaughtUp(nowMs);
  }

  private void updateCaughtUp(long nowMs) {
    if (lagRecordsLocked() == 0) {
      lastCaughtUp = nowMs;
    }
  }

  private long lagRecordsLocked() {
    if (logEnd < 0) {
      return -1;
    }
    long position = mirroredNext >= 0 ? Math.max(mirroredNext, logStart) : startsAtEarliest ? logStart : logEnd;
    return Math.max(0, logEnd - position);
  }

  /** Records between the mirrored position and the source log end; -1 while the log end is unknown. */
  public synchronized long lagRecords() {
    return lagRecordsLocked();
  }

  /** See the class comment; NaN while unknown. */
  public synchronized double lagMs(long nowMs) {
    long lag = lagRecordsLocked();
    if (lag < 0) {
      return Double.NaN;
    }
    if (lag == 0) {
      return 0;
    }
    long since = Math.max(lastMirroredTimestamp, lastCaughtUp);
    if (since < 0) {
      since = firstPolledTimestamp;
    }
    return since < 0 ? Double.NaN : Math.max(0, nowMs - since);
  }

  public synchronized long recordCount() {
    return recordCount;
  }

  public synchronized long byteCount() {
    return byteCount;
  }

  /** Next upstream offset not yet in the target, or -1 when unknown. */
  public synchronized long mirroredNext() {
    return mirroredNext;
  }

  /** Source log end offset (next offset to be written), or -1 when unknown. */
  public synchronized long logEnd() {
    return logEnd;
  }

  SampledStat age() {
    return age;
  }

  SampledStat latency() {
    return latency;
  }

  SampledStat records() {
    return records;
  }

  SampledStat bytes() {
    return bytes;
  }

  /** Status JSON: topic, partition, remoteTopic, state, mirroredOffset, logEndOffset, lagRecords, lagMs, recordCount. */
  public synchronized JsonObject toJson(long nowMs) {
    long lag = lagRecordsLocked();
    double lagMs = lagMs(nowMs);
    return new JsonObject().put("topic", source.topic()).put("partition", source.partition())
        .put("remoteTopic", remoteTopic).put("state", failed ? "FAILED" : "RUNNING")
        .put("mirroredOffset", mirroredNext >= 0 ? mirroredNext : null)
        .put("logEndOffset", logEnd >= 0 ? logEnd : null)
        .put("lagRecords", lag >= 0 ? lag : null)
        .put("lagMs", Double.isNaN(lagMs) ? null : (long) lagMs)
        .put("recordCount", recordCount);
  }
}
