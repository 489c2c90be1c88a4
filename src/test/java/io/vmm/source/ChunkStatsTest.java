package io.vmm.source;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Chunk figures: sizes (null key/value count 0), timestamps of timed records only, partial acknowledgement. */
class ChunkStatsTest {

  static final TopicPartition TP = new TopicPartition("t", 0);

  static ConsumerRecord<byte[], byte[]> record(long offset, long ts, int keySize, int valueSize) {
    return new ConsumerRecord<>("t", 0, offset, ts, TimestampType.CREATE_TIME, keySize, valueSize, null, null,
        new RecordHeaders(), Optional.empty());
  }

  @Test
  void figuresOfAChunk() {
    ChunkStats s = ChunkStats.of(TP, List.of(record(7, 100, 3, 10), record(8, -1, -1, 20), record(9, 300, 2, -1)));
    assertEquals(TP, s.source);
    assertEquals(7, s.firstOffset);
    assertEquals(3, s.records);
    assertEquals(3 + 10 + 20 + 2, s.bytes);
    assertEquals(30, s.valueBytes);
    assertEquals(2, s.timed);
    assertEquals(100, s.minTs);
    assertEquals(300, s.maxTs);
    assertEquals(400, s.sumTs, 1e-9);
    assertEquals(300, s.lastTs);
  }

  @Test
  void partlyAcknowledgedChunkScalesItsTimestampSum() {
    ChunkStats s = ChunkStats.of(TP, List.of(record(0, 100, 0, 1), record(1, 200, 0, 1), record(2, 300, 0, 1),
        record(3, -1, 0, 1)));
    assertEquals(3, s.timedOf(4), "whole chunk: every timed record");
    assertEquals(2, s.timedOf(2));
    assertEquals(3, s.timedOf(3));
    assertEquals(400, s.sumOf(2), 1e-9);
    ChunkStats untimed = ChunkStats.of(TP, List.of(record(0, -1, 0, 1)));
    assertEquals(0, untimed.timedOf(1));
    assertEquals(0, untimed.sumOf(0), 1e-9);
    assertEquals(-1, untimed.lastTs);
  }
}
