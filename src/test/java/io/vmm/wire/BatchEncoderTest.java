package io.vmm.wire;

import static io.vmm.wire.BatchHeaderTest.T0;
import static io.vmm.wire.BatchHeaderTest.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link BatchEncoder} against kafka-clients 4.1.1's record batches: round trips, boundaries, size limits, stamps. */
class BatchEncoderTest {

  static final TopicPartition TP = new TopicPartition("src", 3);

  static ConsumerRecord<byte[], byte[]> rec(long offset, long ts, byte[] key, byte[] value, Header... headers) {
    return new ConsumerRecord<>(TP.topic(), TP.partition(), offset, ts, TimestampType.CREATE_TIME,
        key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, new RecordHeaders(headers),
        Optional.empty());
  }

  static List<ConsumerRecord<byte[], byte[]>> sample() {
    return List.of(
        rec(100, T0, bytes("k0"), bytes("v0"), new RecordHeader("h1", bytes("a")), new RecordHeader("h2", null),
            new RecordHeader("h1", bytes("b"))),
        rec(101, T0 + 5, null, bytes("no key")),
        rec(102, T0 - 7, bytes("k2"), null, new RecordHeader("tomb", bytes("x"))),
        rec(103, RecordBatch.NO_TIMESTAMP, new byte[0], new byte[0]),
        rec(104, T0 + 1_000_000, bytes("k4"), bytes("v4".repeat(50))));
  }

  static List<ConsumerRecord<byte[], byte[]>> random(int n, int valueBytes, long seed) {
    Random rnd = new Random(seed);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] v = new byte[valueBytes];
      rnd.nextBytes(v);
      out.add(rec(i, T0, bytes("k" + i), v));
    }
    return out;
  }

  /** Shape every built batch must have; returns its records decoded. */
  static List<ConsumerRecord<byte[], byte[]>> checkShape(BatchEncoder.Built b, CompressionType codec) {
    RawBatch raw = b.batch();
    ByteBuffer bytes = raw.bytes();
    assertEquals(0, bytes.position());
    assertEquals(bytes.capacity(), bytes.limit());
    assertTrue(bytes.hasArray());
    assertFalse(bytes.isReadOnly());
    assertEquals(raw.header().sizeInBytes(), raw.sizeInBytes());
    assertEquals(b.count(), raw.recordCount());
    assertEquals(0L, raw.baseOffset());
    RecordBatch h = raw.header();
    assertTrue(h.isValid());
    assertEquals(RecordBatch.MAGIC_VALUE_V2, h.magic());
    assertEquals(codec, h.compressionType());
    assertEquals(TimestampType.CREATE_TIME, h.timestampType());
    assertEquals(0L, h.baseOffset());
    assertEquals(b.count() - 1L, h.lastOffset());
    assertEquals(RecordBatch.NO_PRODUCER_ID, h.producerId());
    assertEquals(RecordBatch.NO_PRODUCER_EPOCH, h.producerEpoch());
    assertEquals(RecordBatch.NO_SEQUENCE, h.baseSequence());
    assertEquals(RecordBatch.NO_PARTITION_LEADER_EPOCH, h.partitionLeaderEpoch());
    assertFalse(h.isTransactional());
    assertFalse(h.isControlBatch());
    assertNull(BatchHeader.check(h, 0L), "a built batch may pass through");
    return BatchDecoder.records(TP, h, 0L);
  }

  static void assertSame(ConsumerRecord<byte[], byte[]> in, ConsumerRecord<byte[], byte[]> out) {
    if (in.timestamp() >= 0) {
      assertEquals(in.timestamp(), out.timestamp());
    } else {
      assertTrue(out.timestamp() > 0, "no timestamp: stamped with the time of encoding, as KafkaProducer does");
    }
    assertEquals(TimestampType.CREATE_TIME, out.timestampType());
    assertArrayEquals(in.key(), out.key());
    assertArrayEquals(in.value(), out.value());
    Header[] a = in.headers().toArray();
    Header[] b = out.headers().toArray();
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i].key(), b[i].key());
      assertArrayEquals(a[i].value(), b[i].value());
    }
  }

  /** Encodes, checks every batch's shape, that batches cover the input in order, and the round trip. */
  static List<BatchEncoder.Built> roundTrip(List<ConsumerRecord<byte[], byte[]>> in, CompressionType codec,
      int batchBytes, int maxBytes) {
    List<BatchEncoder.Built> built = BatchEncoder.encode(in, codec, batchBytes, maxBytes);
    int next = 0;
    for (BatchEncoder.Built b : built) {
      assertEquals(next, b.first(), "batches hold consecutive inputs in order");
      List<ConsumerRecord<byte[], byte[]>> out = checkShape(b, codec);
      assertEquals(b.count(), out.size());
      for (int i = 0; i < out.size(); i++) {
        assertEquals(i, out.get(i).offset());
        assertSame(in.get(b.first() + i), out.get(i));
      }
      next += b.count();
    }
    assertEquals(in.size(), next);
    return built;
  }

  static List<Integer> counts(List<BatchEncoder.Built> built) {
    return built.stream().map(BatchEncoder.Built::count).toList();
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void roundTripKeepsKeysValuesTombstonesHeadersTimestamps(CompressionType codec) {
    List<BatchEncoder.Built> built = roundTrip(sample(), codec, 1 << 20, 1 << 20);
    assertEquals(List.of(5), counts(built));
    List<ConsumerRecord<byte[], byte[]>> out = BatchDecoder.records(TP, built.get(0).batch().header(), 0L);
    assertNull(out.get(1).key(), "null key");
    assertNull(out.get(2).value(), "tombstone");
    assertNull(out.get(0).headers().toArray()[1].value(), "null header value");
    assertTrue(out.get(3).timestamp() > 0, "no timestamp: the time of encoding");
    assertEquals(0, out.get(3).key().length, "empty key is not null");
    assertEquals(out.get(3).timestamp(), built.get(0).batch().header().maxTimestamp(), "the time of encoding is the latest");
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void batchIsClosedWhenTheNextRecordWouldExceedBatchBytes(CompressionType codec) {
    List<ConsumerRecord<byte[], byte[]>> in = random(10, 100, 1);
    int one = BatchEncoder.encode(in.subList(0, 1), CompressionType.NONE, 1 << 20, 1 << 20).get(0).batch()
        .sizeInBytes();
    int recordSize = one - BatchHeader.HEADER_SIZE; // same for every record here (same sizes, deltas < 64)
    int three = BatchHeader.HEADER_SIZE + 3 * recordSize;
    assertEquals(List.of(3, 3, 3, 1), counts(roundTrip(in, codec, three, 1 << 20)), "exactly three fit");
    assertEquals(List.of(2, 2, 2, 2, 2), counts(roundTrip(in, codec, three - 1, 1 << 20)), "three exceed by 1");
    if (codec == CompressionType.NONE) {
      for (BatchEncoder.Built b : roundTrip(in, codec, three, 1 << 20).subList(0, 3)) {
        assertEquals(three, b.batch().sizeInBytes(), "uncompressed size is the batch size");
      }
      assertEquals(List.of(2, 2, 2, 2, 2), counts(roundTrip(in, codec, 1 << 20, three - 1)),
          "uncompressed: maxBytes also bounds the batch");
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void recordLargerThanBatchBytesGetsItsOwnBatch(CompressionType codec) {
    List<ConsumerRecord<byte[], byte[]>> in = new ArrayList<>(random(4, 100, 2));
    in.add(2, rec(9, T0, bytes("big"), new byte[5_000]));
    assertEquals(List.of(2, 1, 2), counts(roundTrip(in, codec, 1_000, 1 << 20)));
    assertEquals(List.of(1, 1, 1, 1, 1), counts(roundTrip(in, codec, 1, 1 << 20)), "tiny batchBytes: one each");
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void incompressibleBatchesAreSplitBelowMaxBytes(CompressionType codec) {
    List<ConsumerRecord<byte[], byte[]>> in = random(40, 1_000, 3);
    int maxBytes = 5_000;
    List<BatchEncoder.Built> built = roundTrip(in, codec, 1 << 20, maxBytes);
    for (BatchEncoder.Built b : built) {
      assertTrue(b.batch().sizeInBytes() <= maxBytes, b.batch().sizeInBytes() + " > " + maxBytes);
    }
    assertTrue(built.size() >= 9, "40 KB of random bytes need at least 9 batches of 5000 bytes: " + counts(built));
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void singleTooLargeRecordIsReturnedAlone(CompressionType codec) {
    List<ConsumerRecord<byte[], byte[]>> in = new ArrayList<>(random(3, 10_000, 4));
    in.set(0, rec(0, T0, bytes("s0"), bytes("small")));
    in.set(2, rec(2, T0, bytes("s2"), bytes("small")));
    List<BatchEncoder.Built> built = roundTrip(in, codec, 1 << 20, 5_000);
    assertEquals(List.of(1, 1, 1), counts(built));
    assertTrue(built.get(1).batch().sizeInBytes() > 5_000, "the caller reports RecordTooLarge for it");
    assertTrue(built.get(0).batch().sizeInBytes() <= 5_000);
    assertTrue(built.get(2).batch().sizeInBytes() <= 5_000);
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void stampForProduceAcceptsBuiltBatches(CompressionType codec) {
    for (BatchEncoder.Built b : BatchEncoder.encode(random(20, 300, 5), codec, 2_000, 1 << 20)) {
      RecordBatch h = b.batch().header();
      BatchHeader.stampForProduce(b.batch().bytes(), 4711L, (short) 3, 77);
      h.ensureValid();
      assertTrue(h.isValid());
      assertEquals(4711L, h.producerId());
      assertEquals((short) 3, h.producerEpoch());
      assertEquals(77, h.baseSequence());
      assertEquals(76 + b.count(), h.lastSequence());
      assertEquals(b.count(), BatchDecoder.records(TP, h, 0L).size());
    }
  }

  @Test
  void singleIsAnUncompressedOneRecordBatch() {
    RawBatch b = BatchEncoder.single(bytes("progress-key"), bytes("progress-value"), T0);
    List<ConsumerRecord<byte[], byte[]>> out = checkShape(new BatchEncoder.Built(b, 0, 1), CompressionType.NONE);
    assertEquals(1, out.size());
    assertSame(rec(0, T0, bytes("progress-key"), bytes("progress-value")), out.get(0));
    assertEquals(0, out.get(0).headers().toArray().length);
    assertEquals(T0, b.header().maxTimestamp());
    BatchHeader.stampForProduce(b.bytes(), 9L, (short) 0, 0);
    b.header().ensureValid();
    RawBatch tombstone = BatchEncoder.single(bytes("k"), null, -5L);
    ConsumerRecord<byte[], byte[]> t = BatchDecoder.records(TP, tombstone.header(), 0L).get(0);
    assertNull(t.value());
    assertTrue(t.timestamp() > 0, "no timestamp: the time of encoding");
  }

  @Test
  void emptyInputAndBadLimits() {
    assertTrue(BatchEncoder.encode(List.of(), CompressionType.GZIP, 100, 100).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> BatchEncoder.encode(sample(), CompressionType.NONE, 0, 100));
    assertThrows(IllegalArgumentException.class, () -> BatchEncoder.encode(sample(), CompressionType.NONE, 100, 0));
  }
}
