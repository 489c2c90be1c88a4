package io.vmm.source;

import io.vmm.bus.BatchResult.PartitionResult;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * In-flight records and acknowledged progress of one source task, per partition ("flushless" progress after
 * Brooklin's {@code FlushlessEventProducerHandler}).
 * <p>
 * Invariants:
 * <ul>
 *   <li>{@code lastWritten(tp)} is the upstream offset of a record the target acknowledged (or skipped), and
 *       every record polled before it was acknowledged too, or skipped: refused for good and answered as
 *       {@link PartitionResult#SKIPPED} (legacy MM1 {@code abortOnSendFailure=false}), which does not fail a chunk: it only advances when the <em>oldest</em> pending chunk of the
 *       partition completes (the contiguous acknowledged prefix). Never moves backwards.</li>
 *   <li>In-flight counts (records, bytes) cover chunks sent and not yet answered; they fall when an answer
 *       arrives, whatever its position.</li>
 *   <li>A partition whose chunk failed is FAILED for good: its progress stops before the failed record and later
 *       answers for it are ignored.</li>
 * </ul>
 * Not thread-safe: owned by the source verticle's event loop.
 */
final class InFlightTracker {

  /** One chunk sent for a partition and not yet part of the acknowledged prefix. */
  private static final class Pending {
    final long seq;
    final long firstOffset;
    final long lastOffset;
    final int records;
    /** Of {@link #records}, the decoded ones (the rest came in pass-through batches). */
    final int decoded;
    final long bytes;
    PartitionResult result;
    /** Its in-flight budget was freed without an answer that counts ({@link #release}). */
    boolean released;

    Pending(long seq, long firstOffset, long lastOffset, int records, int decoded, long bytes) {
      this.seq = seq;
      this.firstOffset = firstOffset;
      this.lastOffset = lastOffset;
      this.records = records;
      this.decoded = decoded;
      this.bytes = bytes;
    }
  }

  /** State of one partition. */
  static final class PartitionState {
    final TopicPartition tp;
    final String targetTopic;
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    long lastWritten;
    long lastStored;
    int inFlightRecords;
    /**
     * Of {@link #inFlightRecords}, the decoded ones: what the record mark of {@link FlowControl} bounds (records
     * in pass-through batches are held as their stored bytes, which the byte marks bound).
     */
    int inFlightDecoded;
    long inFlightBytes;
    boolean paused;
    Throwable failure;
    long failedOffset = -1;

    PartitionState(TopicPartition tp, String targetTopic, long lastWritten) {
      this.tp = tp;
      this.targetTopic = targetTopic;
      this.lastWritten = lastWritten;
      this.lastStored = lastWritten;
    }

    boolean failed() {
      return failure != null;
    }
  }

  private final Map<TopicPartition, PartitionState> partitions = new LinkedHashMap<>();
  private long inFlightBytes;
  private int inFlightRecords;

  /**
   * @param lastWritten upstream offset of the last record already in the target (stored progress), or -1
   */
  PartitionState add(TopicPartition tp, String targetTopic, long lastWritten) {
    PartitionState s = new PartitionState(tp, targetTopic, lastWritten);
    partitions.put(tp, s);
    return s;
  }

  PartitionState get(TopicPartition tp) {
    return partitions.get(tp);
  }

  Collection<PartitionState> all() {
    return partitions.values();
  }

  /** Records a chunk handed to the producer: {@code records} records up to upstream {@code lastOffset}. */
  void sent(TopicPartition tp, long seq, long lastOffset, int records, long bytes) {
    sent(tp, seq, -1, lastOffset, records, bytes);
  }

  /** As {@link #sent(TopicPartition, long, long, int, long)}, with the chunk's first upstream offset (for rewinds). */
  void sent(TopicPartition tp, long seq, long firstOffset, long lastOffset, int records, long bytes) {
    sent(tp, seq, firstOffset, lastOffset, records, records, bytes);
  }

  /**
   * As {@link #sent(TopicPartition, long, long, long, int, long)}, of which {@code decoded} records were decoded
   * (the others came in pass-through batches).
   */
  void sent(TopicPartition tp, long seq, long firstOffset, long lastOffset, int records, int decoded, long bytes) {
    PartitionState s = partitions.get(tp);
    s.pending.add(new Pending(seq, firstOffset, lastOffset, records, decoded, bytes));
    s.inFlightRecords += records;
    s.inFlightDecoded += decoded;
    s.inFlightBytes += bytes;
    inFlightRecords += records;
    inFlightBytes += bytes;
  }

  /**
   * Applies the producer's answer for chunk {@code seq} of a partition: frees its in-flight budget and advances
   * the acknowledged prefix as far as completed chunks allow.
   *
   * @return the partition's state
   */
  PartitionState answered(long seq, PartitionResult result) {
    return answered(seq, result, r -> { });
  }

  /**
   * As {@link #answered(long, PartitionResult)}, and hands each chunk result that joins the acknowledged prefix
   * to {@code onPrefix}, in upstream order (a failed chunk too: its acknowledged records come before failedAt).
   */
  PartitionState answered(long seq, PartitionResult result, java.util.function.Consumer<PartitionResult> onPrefix) {
    PartitionState s = partitions.get(result.source());
    for (Pending p : s.pending) {
      if (p.seq == seq && !p.released) {
        p.result = result;
        s.inFlightRecords -= p.records;
        s.inFlightDecoded -= p.decoded;
        s.inFlightBytes -= p.bytes;
        inFlightRecords -= p.records;
        inFlightBytes -= p.bytes;
        break;
      }
    }
    while (!s.failed() && !s.pending.isEmpty() && s.pending.peek().result != null) {
      Pending head = s.pending.poll();
      PartitionResult r = head.result;
      onPrefix.accept(r);
      if (r.failedAt() < 0) {
        s.lastWritten = head.lastOffset;
      } else {
        long prefix = r.lastAckedUpstream();
        if (prefix >= 0) {
          s.lastWritten = prefix;
        }
        s.failure = r.error();
        s.failedOffset = r.upstream()[r.failedAt()];
      }
    }
    // once failed, later chunks may still be answered: their budget is freed above, their records never count
    return s;
  }

  /**
   * Forgets a partition's progress and in-flight chunks (its source topic was recreated): answers still to come
   * for those chunks are ignored, their budget is freed now, a failure is cleared. Returns the last written offset
   * of the old incarnation.
   */
  long reset(TopicPartition tp) {
    PartitionState s = partitions.get(tp);
    long old = s.lastWritten;
    inFlightRecords -= s.inFlightRecords;
    inFlightBytes -= s.inFlightBytes;
    s.pending.clear();
    s.inFlightRecords = 0;
    s.inFlightDecoded = 0;
    s.inFlightBytes = 0;
    s.lastWritten = -1;
    s.lastStored = -1;
    s.failure = null;
    s.failedOffset = -1;
    return old;
  }

  /**
   * Exactly-once rewind: the partition's chunks not in the acknowledged prefix were not committed (their
   * transaction was aborted). Drops them and frees their budget; answers still to come for them are ignored.
   * The acknowledged prefix ({@code lastWritten}, the last committed position) stays.
   *
   * @return the upstream offset to read again from: the first record of the oldest dropped chunk when known, else
   *     {@code lastWritten + 1}; -1 when nothing was pending (nothing to re-read)
   */
  long rewind(TopicPartition tp) {
    PartitionState s = partitions.get(tp);
    Pending head = s.pending.peek();
    if (head == null) {
      return -1;
    }
    long from = head.firstOffset >= 0 ? head.firstOffset : s.lastWritten + 1;
    inFlightRecords -= s.inFlightRecords;
    inFlightBytes -= s.inFlightBytes;
    s.pending.clear();
    s.inFlightRecords = 0;
    s.inFlightDecoded = 0;
    s.inFlightBytes = 0;
    return from;
  }

  /**
   * Frees the in-flight budget of chunk {@code seq} of {@code tp} without acknowledging it (a stopping task's chunk
   * whose transaction was aborted): it stays pending, so the stop report counts it as not stored.
   */
  void release(TopicPartition tp, long seq) {
    PartitionState s = partitions.get(tp);
    for (Pending p : s.pending) {
      if (p.seq == seq && p.result == null && !p.released) {
        p.released = true;
        s.inFlightRecords -= p.records;
        s.inFlightDecoded -= p.decoded;
        s.inFlightBytes -= p.bytes;
        inFlightRecords -= p.records;
        inFlightBytes -= p.bytes;
        return;
      }
    }
  }

  /** Marks a partition FAILED without a producer answer (e.g. the producer could not be reached). */
  void fail(TopicPartition tp, Throwable error) {
    PartitionState s = partitions.get(tp);
    if (!s.failed()) {
      s.failure = error;
      s.failedOffset = s.lastWritten + 1;
    }
  }

  /** Records and bytes sent and not yet answered, over all partitions. */
  int inFlightRecords() {
    return inFlightRecords;
  }

  long inFlightBytes() {
    return inFlightBytes;
  }

  /** The partitions with records in flight and how many, e.g. {@code "t-0: 500, t-1: 20"} (for stop warnings). */
  String inFlightSummary() {
    StringBuilder sb = new StringBuilder();
    for (PartitionState s : all()) {
      if (s.inFlightRecords > 0) {
        sb.append(sb.isEmpty() ? "" : ", ").append(s.tp).append(": ").append(s.inFlightRecords);
      }
    }
    return sb.toString();
  }

  /**
   * Records of {@code tp} sent and not part of the acknowledged prefix yet: in flight, or answered while an
   * earlier chunk is still in flight, or after the partition failed (any of them may be in the target).
   */
  long pendingRecords(TopicPartition tp) {
    long n = 0;
    for (Pending p : partitions.get(tp).pending) {
      n += p.records;
    }
    return n;
  }

  /** Progress not yet stored: partition to last written upstream offset (at least 0). */
  Map<TopicPartition, Long> unstored() {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (PartitionState s : partitions.values()) {
      if (s.lastWritten > s.lastStored) {
        out.put(s.tp, s.lastWritten);
      }
    }
    return out;
  }

  /** Notes that progress up to the given offsets is stored in the target. */
  void stored(Map<TopicPartition, Long> offsets) {
    offsets.forEach((tp, offset) -> {
      PartitionState s = partitions.get(tp);
      s.lastStored = Math.max(s.lastStored, offset);
    });
  }
}
