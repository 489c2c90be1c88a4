package io.vmm.source;

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

  private ChunkStats(TopicPartition source, long firstOffset, int records, long bytes, long valueBytes, int timed,
                     long minTs, long maxTs, double sumTs, long lastTs, long heartbeatTs) {
    this.source = source;
    this.firstOffset = firstOffset;
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
    return new ChunkStats(source, chunk.get(0).offset(), chunk.size(), bytes, valueBytes, timed, min, max, sum, last,
        heartbeatTs);
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
