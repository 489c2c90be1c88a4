package io.vmm.source;

import io.vmm.wire.RawBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * Position, sizes and source timestamps of one chunk (one poll's records of one partition), taken when it is
 * polled and used again when the target answers (the records themselves are released by the producer by then):
 * bytes for the in-flight budget, timestamps for record age at poll and replication latency at acknowledgement,
 * the first offset for a batch the producer did not answer. Immutable.
 * <p>
 * Invariants: {@code firstOffset} is the upstream offset of the chunk's first record; {@code bytes} is key +
 * value serialized bytes and {@code valueBytes} value bytes only (a null key or value counts 0); the timestamp
 * figures ({@code minTs}, {@code maxTs}, {@code sumTs}) cover the {@code timed} records that carry a timestamp
 * (>= 0), epoch ms; {@code lastTs} is the last record's timestamp whatever it is (-1 when it has none).
 */
final class ChunkStats {

  final TopicPartition source;
  final long firstOffset;
  /** Upstream offset of the chunk's last record. */
  final long lastOffset;
  final int records;
  final long bytes;
  final long valueBytes;
  final int timed;
  final long minTs;
  final long maxTs;
  final double sumTs;
  final long lastTs;
  /** The newest heartbeat timestamp in the chunk (epoch ms) when it is a heartbeats topic's, else -1. */
  final long heartbeatTs;

  private ChunkStats(TopicPartition source, long firstOffset, long lastOffset, int records, long bytes,
                     long valueBytes, int timed, long minTs, long maxTs, double sumTs, long lastTs, long heartbeatTs) {
    this.source = source;
    this.firstOffset = firstOffset;
    this.lastOffset = lastOffset;
    this.records = records;
    this.bytes = bytes;
    this.valueBytes = valueBytes;
    this.timed = timed;
    this.minTs = minTs;
    this.maxTs = maxTs;
    this.sumTs = sumTs;
    this.lastTs = lastTs;
    this.heartbeatTs = heartbeatTs;
  }

  /** The figures of {@code chunk} (records of {@code source}, not empty), in one pass; no heartbeat timestamp. */
  static ChunkStats of(TopicPartition source, List<? extends ConsumerRecord<?, ?>> chunk) {
    return of(source, chunk, -1);
  }

  /**
   * The figures of {@code chunk} (records of {@code source}, not empty), in one pass.
   *
   * @param heartbeatTs the newest heartbeat timestamp in the chunk (epoch ms), or -1 when it carries none
   */
  static ChunkStats of(TopicPartition source, List<? extends ConsumerRecord<?, ?>> chunk, long heartbeatTs) {
    long bytes = 0;
    long valueBytes = 0;
    int timed = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    double sum = 0;
    long last = -1;
    for (int i = 0; i < chunk.size(); i++) {
      ConsumerRecord<?, ?> r = chunk.get(i);
      int valueSize = Math.max(0, r.serializedValueSize());
      bytes += Math.max(0, r.serializedKeySize()) + valueSize;
      valueBytes += valueSize;
      long ts = r.timestamp();
      last = ts;
      if (ts >= 0) {
        timed++;
        min = Math.min(min, ts);
        max = Math.max(max, ts);
        sum += ts;
      }
    }
    return new ChunkStats(source, chunk.get(0).offset(), chunk.get(chunk.size() - 1).offset(), chunk.size(), bytes,
        valueBytes, timed, min, max, sum, last, heartbeatTs);
  }

  /**
   * The figures of a chunk of decoded {@code records} and pass-through {@code batches} (interleaved by offset; not
   * both empty). A batch is not decompressed: its stored size counts as its bytes (key, value and framing, as
   * compressed) and its max timestamp stands for each of its records' timestamps.
   */
  static ChunkStats of(TopicPartition source, List<? extends ConsumerRecord<?, ?>> records, List<RawBatch> batches,
                       long heartbeatTs) {
    if (batches.isEmpty()) {
      return of(source, records, heartbeatTs);
    }
    ChunkStats r = records.isEmpty() ? null : of(source, records, heartbeatTs);
    long bytes = r == null ? 0 : r.bytes;
    long valueBytes = r == null ? 0 : r.valueBytes;
    int count = r == null ? 0 : r.records;
    int timed = r == null ? 0 : r.timed;
    long min = r == null ? Long.MAX_VALUE : r.minTs;
    long max = r == null ? Long.MIN_VALUE : r.maxTs;
    double sum = r == null ? 0 : r.sumTs;
    for (RawBatch b : batches) {
      int n = b.recordCount();
      count += n;
      bytes += b.sizeInBytes();
      valueBytes += b.sizeInBytes();
      long ts = b.header().maxTimestamp();
      if (ts >= 0) {
        timed += n;
        min = Math.min(min, ts);
        max = Math.max(max, ts);
        sum += (double) ts * n;
      }
    }
    RawBatch firstBatch = batches.get(0);
    RawBatch lastBatch = batches.get(batches.size() - 1);
    long first = r == null ? firstBatch.baseOffset() : Math.min(r.firstOffset, firstBatch.baseOffset());
    boolean batchLast = r == null || lastBatch.lastOffset() > r.lastOffset;
    long last = batchLast ? lastBatch.lastOffset() : r.lastOffset;
    long lastTs = batchLast ? lastBatch.header().maxTimestamp() : r.lastTs;
    return new ChunkStats(source, first, last, count, bytes, valueBytes, timed, min, max, sum, lastTs, heartbeatTs);
  }

  /**
   * How many of {@code acked} acknowledged records of this chunk count as timed: all timed ones when the whole
   * chunk was acknowledged, else at most {@code acked} (a partly failed chunk keeps its timestamp figures: the
   * latency of the records written is close enough).
   */
  int timedOf(int acked) {
    return acked >= records ? timed : Math.min(acked, timed);
  }

  /** The timestamp sum scaled to {@code timedAcked} of the {@link #timed} records (0 when none is timed). */
  double sumOf(int timedAcked) {
    return timed == 0 ? 0 : sumTs * timedAcked / timed;
  }
}
