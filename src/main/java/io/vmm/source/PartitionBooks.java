package io.vmm.source;

import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.OffsetSync;
import io.vmm.bus.PartitionStart;
import io.vmm.metrics.FlowMetrics;
import io.vmm.metrics.PartitionMetrics;
import io.vmm.source.InFlightTracker.PartitionState;
import io.vmm.sync.OffsetSyncTracker;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The books of a source task's partitions around its {@link InFlightTracker}: the partition meters (records
 * polled, acknowledged, mirrored, failed) and the offset syncs (after MM2 {@code OffsetSyncWriter}) of the records
 * that join the acknowledged prefix, and the heartbeat age: a fully acknowledged chunk of a heartbeats topic
 * (e.g. {@code heartbeats} on A, written as {@code A.heartbeats} on B) reports its newest heartbeat timestamp to
 * {@link FlowMetrics#heartbeatMirrored}, so the age measures the whole path source -> mirror -> target.
 * <p>
 * Invariants:
 * <ul>
 *   <li>Acknowledged records are counted in the meters once, when their chunk's answer arrives (whatever its
 *       position); the "mirrored" position only moves with the tracker's contiguous acknowledged prefix.</li>
 *   <li>Offset syncs are fed only with records of the acknowledged prefix, in upstream order per partition,
 *       and stop at the first record not acknowledged (a failed chunk's acknowledged head still counts). With
 *       exactly-once the producer answers only after the transaction committed, and a rewound chunk
 *       ({@link PartitionResult#rewind()}) never reaches this class, so every offset sync is of a committed
 *       record and a checkpoint never points at an aborted one.</li>
 *   <li>{@link #answered} reports a partition's failure once: on the answer that made it FAILED.</li>
 *   <li>Skipped records ({@link PartitionResult#SKIPPED}, legacy MM1 {@code abortOnSendFailure=false}) are counted
 *       in {@link FlowMetrics#skipped}, not as acknowledged; they do not stop the prefix.</li>
 * </ul>
 * Not thread-safe: owned by the source verticle's event loop.
 */
final class PartitionBooks {

  private final InFlightTracker tracker;
  private final FlowMetrics metrics;
  private final boolean startsAtEarliest;
  private final Map<TopicPartition, PartitionMetrics> meters = new HashMap<>();
  /** Offset syncs of this task, or null with {@code emit.offset-syncs.enabled=false}. */
  private final OffsetSyncTracker syncs;
  private final Consumer<List<OffsetSync>> syncSink;
  private final Predicate<String> heartbeatsTopic;
  /** Partitions of heartbeats topics (the policy's {@code isHeartbeatsTopic}), decided once at {@link #add}. */
  private final Set<TopicPartition> heartbeatPartitions = new HashSet<>();

  /**
   * @param tracker          the task's tracker (shared with the task, which records what it sends)
   * @param metrics          the flow's metrics, where partition meters are registered
   * @param startsAtEarliest the consumer's {@code auto.offset.reset} is earliest (for lag while unknown)
   * @param offsetLagMax     MM2's {@code offset.lag.max}, or -1 when offset syncs are off
   * @param syncSink         receives immediate offset syncs (never an empty list), on the caller's thread
   * @param heartbeatsTopic  the replication policy's {@code isHeartbeatsTopic}: acknowledged chunks of those
   *                         topics feed the flow's heartbeat age ({@link FlowMetrics#heartbeatMirrored})
   */
  PartitionBooks(InFlightTracker tracker, FlowMetrics metrics, boolean startsAtEarliest, long offsetLagMax,
                 Consumer<List<OffsetSync>> syncSink, Predicate<String> heartbeatsTopic) {
    this.tracker = tracker;
    this.metrics = metrics;
    this.startsAtEarliest = startsAtEarliest;
    this.syncs = offsetLagMax < 0 ? null : new OffsetSyncTracker(offsetLagMax);
    this.syncSink = syncSink;
    this.heartbeatsTopic = heartbeatsTopic;
  }

  /** Starts tracking a partition at {@code start}, and registers its meters. */
  void add(PartitionStart start, long nowMs) {
    tracker.add(start.tp(), start.remoteTopic(), start.lastWritten());
    PartitionMetrics pm = metrics.partition(start.tp(), start.remoteTopic());
    pm.assigned(start.resumeAt(), startsAtEarliest, nowMs);
    meters.put(start.tp(), pm);
    if (heartbeatsTopic.test(start.tp().topic())) {
      heartbeatPartitions.add(start.tp());
    }
  }

  /** Whether {@code tp} belongs to a heartbeats topic, whose chunks carry a heartbeat timestamp (a set lookup). */
  boolean isHeartbeats(TopicPartition tp) {
    return !heartbeatPartitions.isEmpty() && heartbeatPartitions.contains(tp);
  }

  /**
   * Forgets a partition's progress, in-flight chunks and offset-sync state (its source topic was recreated; it
   * restarts at the new log start).
   *
   * @return the last written offset of the old incarnation
   */
  long reset(TopicPartition tp, long nowMs) {
    long old = tracker.reset(tp);
    if (syncs != null) {
      syncs.reset(tp);
    }
    PartitionMetrics pm = meters.get(tp);
    if (pm != null) {
      pm.assigned(-1, true, nowMs);
    }
    return old;
  }

  /** A chunk of {@code tp} was polled. */
  void polled(TopicPartition tp, ChunkStats chunk, long nowMs) {
    PartitionMetrics pm = meters.get(tp);
    if (pm != null) {
      pm.polled(chunk.records, chunk.valueBytes, chunk.timed, chunk.minTs, chunk.maxTs, chunk.sumTs, chunk.lastTs,
          nowMs);
    }
  }

  /**
   * Applies the target's answer for chunk {@code seq} of a partition: the tracker's prefix, the meters, the
   * offset syncs.
   *
   * @param chunk the chunk's figures taken when it was polled
   * @return true if this answer made the partition FAILED (the caller reports it)
   */
  boolean answered(long seq, PartitionResult result, ChunkStats chunk, long nowMs) {
    PartitionState s = tracker.get(result.source());
    boolean wasFailed = s.failed();
    long before = s.lastWritten;
    tracker.answered(seq, result, this::joinedPrefix);
    PartitionMetrics pm = meters.get(result.source());
    if (pm != null) {
      int skipped = result.skipped();
      // a complete chunk: all but the skipped records; a failed chunk: what the target did acknowledge
      int acked = result.failedAt() < 0 ? result.downstream().length - skipped : result.acknowledged();
      if (skipped > 0) {
        metrics.skipped(result.source(), s.targetTopic, skipped);
      }
      if (acked > 0) {
        int timed = chunk.timedOf(acked);
        pm.acknowledged(acked, timed, chunk.minTs, chunk.maxTs, chunk.sumOf(timed), chunk.lastTs, nowMs);
      }
      if (s.lastWritten > before) {
        pm.mirrored(s.lastWritten + 1, chunk.lastTs, nowMs);
      }
    }
    if (chunk.heartbeatTs >= 0 && result.failedAt() < 0 && result.skipped() == 0) {
      metrics.heartbeatMirrored(chunk.heartbeatTs); // the whole chunk reached the target
    }
    return s.failed() && !wasFailed;
  }

  /** Offset syncs for the records of a chunk that just joined the acknowledged prefix. */
  private void joinedPrefix(PartitionResult r) {
    if (syncs == null) {
      return;
    }
    int end = r.failedAt() < 0 ? r.upstream().length : r.failedAt();
    int acked = 0;
    while (acked < end && r.downstream()[acked] >= 0) {
      acked++;
    }
    List<OffsetSync> immediate = syncs.acknowledged(r.source(), r.upstream(), r.downstream(), acked);
    if (!immediate.isEmpty()) {
      syncSink.accept(immediate);
    }
  }

  /** Marks the partition's meters FAILED. */
  void failed(TopicPartition tp) {
    PartitionMetrics pm = meters.get(tp);
    if (pm != null) {
      pm.failed(true);
    }
  }

  /** The delayed offset syncs, now due (at each progress store, as MM2 promotes them at commit); cleared. */
  List<OffsetSync> delayedSyncs() {
    return syncs == null ? List.of() : syncs.flushDelayed();
  }
}
