package io.vmm.wire;

import static io.vmm.wire.BatchHeaderTest.T0;
import static io.vmm.wire.BatchHeaderTest.batch;
import static io.vmm.wire.BatchHeaderTest.bytes;
import static io.vmm.wire.BatchHeaderTest.only;
import static io.vmm.wire.BatchHeaderTest.sampleRecords;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmm.target.TargetRecords;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.BufferSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Pins {@link BatchDecoder} to kafka-clients 4.1.1's record decoding: a failure here means "Kafka changed X". */
class BatchDecoderTest {

  static final TopicPartition TP = new TopicPartition("src", 3);

  static byte[] array(ByteBuffer b) {
    return b == null ? null : BatchHeaderTest.array(b);
  }

  static void assertRecord(SimpleRecord expected, long offset, ConsumerRecord<byte[], byte[]> r) {
    assertEquals("src", r.topic());
    assertEquals(3, r.partition());
    assertEquals(offset, r.offset(), "Kafka changed record offsets (baseOffset + delta)");
    assertEquals(expected.timestamp(), r.timestamp(), "Kafka changed record timestamps");
    assertEquals(TimestampType.CREATE_TIME, r.timestampType());
    assertArrayEquals(array(expected.key()), r.key(), "Kafka changed keys");
    assertArrayEquals(array(expected.value()), r.value(), "Kafka changed values");
    assertEquals(expected.key() == null ? -1 : expected.key().remaining(), r.serializedKeySize());
    assertEquals(expected.value() == null ? -1 : expected.value().remaining(), r.serializedValueSize());
    Header[] headers = r.headers().toArray();
    assertEquals(expected.headers().length, headers.length, "Kafka changed record headers");
    for (int i = 0; i < headers.length; i++) {
      assertEquals(expected.headers()[i].key(), headers[i].key(), "Kafka changed header order");
      assertArrayEquals(expected.headers()[i].value(), headers[i].value());
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void kafkaChangedDecodingOfCodec(CompressionType codec) {
    SimpleRecord[] written = sampleRecords();
    for (boolean transactional : new boolean[] {false, true}) {
      RecordBatch b = only(batch(codec, TimestampType.CREATE_TIME, transactional, written));
      List<ConsumerRecord<byte[], byte[]>> out = BatchDecoder.records(TP, b, 0L);
      assertEquals(written.length, out.size());
      for (int i = 0; i < written.length; i++) {
        assertRecord(written[i], 500L + i, out.get(i));
        assertEquals(Optional.of(9), out.get(i).leaderEpoch(), "Kafka changed partitionLeaderEpoch");
      }
      assertNull(out.get(1).key(), "null key");
      assertNull(out.get(2).value(), "tombstone");
      assertEquals(0, out.get(3).key().length, "empty key is not null");
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void fromOffsetSkipsRecordsAlreadyRead(CompressionType codec) {
    SimpleRecord[] written = sampleRecords();
    RecordBatch b = only(batch(codec, TimestampType.CREATE_TIME, false, written));
    try (BufferSupplier supplier = BufferSupplier.create()) {
      List<ConsumerRecord<byte[], byte[]>> out = BatchDecoder.records(TP, b, 502L, supplier);
      assertEquals(3, out.size());
      for (int i = 0; i < 3; i++) {
        assertRecord(written[i + 2], 502L + i, out.get(i));
      }
      assertEquals(5, BatchDecoder.records(TP, b, 499L, supplier).size());
      assertEquals(1, BatchDecoder.records(TP, b, 504L, supplier).size());
      assertTrue(BatchDecoder.records(TP, b, 505L, supplier).isEmpty());
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void kafkaChangedOffsetsOfCompactedBatches(CompressionType codec) {
    RecordBatch holes = only(BatchHeaderTest.nonDenseBatch(codec));
    List<ConsumerRecord<byte[], byte[]>> out = BatchDecoder.records(TP, holes, 11L);
    assertEquals(List.of(12L, 15L), out.stream().map(ConsumerRecord::offset).toList());
    assertArrayEquals(bytes("b"), out.get(0).key());
    assertNull(out.get(1).value());
  }

  @Test
  void kafkaChangedLogAppendTimeTimestamps() {
    RecordBatch b = only(batch(CompressionType.GZIP, TimestampType.LOG_APPEND_TIME, false, sampleRecords()));
    assertEquals(T0 + 100, b.maxTimestamp());
    for (ConsumerRecord<byte[], byte[]> r : BatchDecoder.records(TP, b, 0L)) {
      assertEquals(TimestampType.LOG_APPEND_TIME, r.timestampType());
      assertEquals(T0 + 100, r.timestamp(), "LogAppendTime records carry the batch's maxTimestamp");
    }
  }

  @Test
  void controlBatchesYieldNoRecords() {
    assertTrue(BatchDecoder.records(TP, only(BatchHeaderTest.controlBatch()), 0L).isEmpty());
  }

  @Test
  void noLeaderEpochIsEmpty() {
    RecordBatch b = only(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(T0, bytes("k"), bytes("v"))));
    assertEquals(RecordBatch.NO_PARTITION_LEADER_EPOCH, b.partitionLeaderEpoch());
    assertEquals(Optional.empty(), BatchDecoder.records(TP, b, 0L).get(0).leaderEpoch());
  }

  @Test
  void decodedRecordsDoNotShareTheFetchBuffer() {
    MemoryRecords records = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, sampleRecords());
    List<ConsumerRecord<byte[], byte[]>> out = BatchDecoder.records(TP, only(records), 0L);
    ByteBuffer raw = records.buffer();
    for (int i = BatchHeader.HEADER_SIZE; i < raw.limit(); i++) {
      raw.put(i, (byte) 0);
    }
    for (int i = 0; i < out.size(); i++) {
      assertRecord(sampleRecords()[i], 500L + i, out.get(i));
    }
  }

  @Test
  void targetRecordsOfDecodedRecordKeepsTimestampKeyValueHeaders() {
    SimpleRecord[] written = sampleRecords();
    List<ConsumerRecord<byte[], byte[]>> out =
        BatchDecoder.records(TP, only(batch(CompressionType.ZSTD, TimestampType.CREATE_TIME, false, written)), 0L);
    ProducerRecord<byte[], byte[]> p = TargetRecords.of(out.get(0), "A.src");
    assertEquals("A.src", p.topic());
    assertEquals(3, p.partition());
    assertEquals(T0, p.timestamp());
    assertArrayEquals(array(written[0].key()), p.key());
    assertArrayEquals(array(written[0].value()), p.value());
    assertEquals(3, p.headers().toArray().length);
  }
}
