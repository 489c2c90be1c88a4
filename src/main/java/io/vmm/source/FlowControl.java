package io.vmm.source;

import io.vmm.source.InFlightTracker.PartitionState;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Per-partition flow control of a source task (bounded in-flight budget, in the spirit of Brooklin's
 * flushless producer): which partitions to pause or resume fetching, from the in-flight counts of an
 * {@link InFlightTracker}.
 * <p>
 * Invariants:
 * <ul>
 *   <li>A running partition is paused when it is FAILED, or it has at least {@code maxRecords} decoded records
 *       or {@code maxBytes} bytes in flight, or the whole task has at least {@code maxTaskBytes} bytes in flight
 *       (high marks). Records of pass-through batches count only as their stored bytes: they are held as those
 *       bytes (no record objects), and on compressed topics a record mark would stop a partition at a few MB
 *       of compressed data, draining it before the next fetch.</li>
 *   <li>A paused partition is resumed only when it is not FAILED and it is at or below half of each of the
 *       three marks (low marks), so a partition near a mark does not flap.</li>
 *   <li>{@link #isPaused} is exactly what this class told the caller to pause and not yet to resume.</li>
 * </ul>
 * Not thread-safe: owned by the source verticle's event loop. Pure (no I/O): the caller applies the changes.
 */
final class FlowControl {

  /**
   * What to change now.
   *
   * @param pause  partitions to pause fetching (empty if none)
   * @param resume partitions to resume fetching (empty if none)
   */
  record Changes(Set<TopicPartition> pause, Set<TopicPartition> resume) {
  }

  private final int maxRecords;
  private final long maxBytes;
  private final long maxTaskBytes;
  private final Set<TopicPartition> paused = new HashSet<>();
  private long pauses;

  /**
   * @param maxRecords   decoded records in flight per partition (high mark)
   * @param maxBytes     key + value bytes in flight per partition (high mark)
   * @param maxTaskBytes key + value bytes in flight over the task (high mark)
   */
  FlowControl(int maxRecords, long maxBytes, long maxTaskBytes) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.maxTaskBytes = maxTaskBytes;
  }

  /** Decides the changes for the tracker's current counts and notes them as applied. */
  Changes update(InFlightTracker tracker) {
    return update(tracker.all(), tracker.inFlightBytes());
  }

  private Changes update(Collection<PartitionState> partitions, long taskBytes) {
    boolean taskOver = taskBytes >= maxTaskBytes;
    boolean taskUnder = taskBytes <= maxTaskBytes / 2;
    Set<TopicPartition> toPause = new HashSet<>();
    Set<TopicPartition> toResume = new HashSet<>();
    for (PartitionState s : partitions) {
      boolean isPaused = paused.contains(s.tp);
      if (!isPaused && (s.failed() || taskOver || s.inFlightDecoded >= maxRecords || s.inFlightBytes >= maxBytes)) {
        toPause.add(s.tp);
      } else if (isPaused && !s.failed() && taskUnder && s.inFlightDecoded <= maxRecords / 2
          && s.inFlightBytes <= maxBytes / 2) {
        toResume.add(s.tp);
      }
    }
    if (!toPause.isEmpty()) {
      pauses++;
      paused.addAll(toPause);
    }
    paused.removeAll(toResume);
    return new Changes(toPause, toResume);
  }

  /** Whether the partition is paused by flow control. */
  boolean isPaused(TopicPartition tp) {
    return paused.contains(tp);
  }

  /** How many updates paused at least one partition, since the task started. */
  long pauses() {
    return pauses;
  }
}
