package io.vmm.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmm.wire.BatchHeader.Ineligible;
import io.vmm.wire.BatchHeader.Slice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Pins {@link BatchHeader} to kafka-clients 4.1.1's record batch v2: a failure here means "Kafka changed X". */
class BatchHeaderTest {

  static final long T0 = 1_700_000_000_000L;

  /** Records with keys, a null key, a tombstone, empty arrays and headers (one with a null value). */
  static SimpleRecord[] sampleRecords() {
    Header[] headers = {new RecordHeader("h1", bytes("a")), new RecordHeader("h0", bytes("b")),
        new RecordHeader("h1", null)};
    return new SimpleRecord[] {
        new SimpleRecord(T0, bytes("k0"), bytes("value-0 ".repeat(20)), headers),
        new SimpleRecord(T0 + 5, null, bytes("no key")),
        new SimpleRecord(T0 + 2, bytes("tombstone"), null),
        new SimpleRecord(T0 + 9, new byte[0], new byte[0]),
        new SimpleRecord(T0 + 1, bytes("k4"), bytes("value-4 ".repeat(20)), new Header[] {new RecordHeader("x", null)})};
  }

  /** One v2 batch: base offset 500, producer 1000/5/50, leader epoch 9. */
  static MemoryRecords batch(CompressionType codec, TimestampType type, boolean transactional, SimpleRecord... recs) {
    MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(4096), RecordBatch.MAGIC_VALUE_V2,
        Compression.of(codec).build(), type, 500L, T0 + 100, 1000L, (short) 5, 50, transactional, 9);
    for (SimpleRecord r : recs) {
      b.append(r);
    }
    return b.build();
  }

  static MutableRecordBatch only(MemoryRecords records) {
    Iterator<MutableRecordBatch> it = records.batches().iterator();
    MutableRecordBatch b = it.next();
    assertFalse(it.hasNext());
    return b;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] array(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void kafkaChangedTheV2HeaderLayout(CompressionType codec) {
    MemoryRecords records = batch(codec, TimestampType.CREATE_TIME, true, sampleRecords());
    DefaultRecordBatch k = (DefaultRecordBatch) only(records);
    ByteBuffer raw = records.buffer();
    assertEquals(k.baseOffset(), raw.getLong(BatchHeader.BASE_OFFSET), "Kafka changed baseOffset");
    assertEquals(k.sizeInBytes(), raw.getInt(BatchHeader.BATCH_LENGTH) + BatchHeader.LOG_OVERHEAD,
        "Kafka changed batchLength / log overhead");
    assertEquals(9, k.partitionLeaderEpoch());
    assertEquals(k.partitionLeaderEpoch(), raw.getInt(BatchHeader.PARTITION_LEADER_EPOCH),
        "Kafka changed partitionLeaderEpoch");
    assertEquals(k.magic(), raw.get(BatchHeader.MAGIC), "Kafka changed magic");
    assertEquals(k.checksum(), Integer.toUnsignedLong(raw.getInt(BatchHeader.CRC)), "Kafka changed crc position");
    assertEquals(k.checksum(), BatchHeader.crc(raw), "Kafka changed the CRC-32C coverage (attributes..end)");
    short attributes = raw.getShort(BatchHeader.ATTRIBUTES);
    assertEquals(k.compressionType().id, attributes & BatchHeader.ATTR_COMPRESSION_MASK, "Kafka changed codec bits");
    assertTrue((attributes & BatchHeader.ATTR_TRANSACTIONAL) != 0 && k.isTransactional(),
        "Kafka changed the transactional bit");
    assertEquals(0, attributes & (BatchHeader.ATTR_CONTROL | BatchHeader.ATTR_LOG_APPEND_TIME
        | BatchHeader.ATTR_DELETE_HORIZON), "Kafka changed control / timestamp type / delete horizon bits");
    assertEquals(k.lastOffset() - k.baseOffset(), raw.getInt(BatchHeader.LAST_OFFSET_DELTA),
        "Kafka changed lastOffsetDelta");
    assertEquals(k.baseTimestamp(), raw.getLong(BatchHeader.BASE_TIMESTAMP), "Kafka changed baseTimestamp");
    assertEquals(k.maxTimestamp(), raw.getLong(BatchHeader.MAX_TIMESTAMP), "Kafka changed maxTimestamp");
    assertEquals(T0 + 9, k.maxTimestamp());
    assertEquals(k.producerId(), raw.getLong(BatchHeader.PRODUCER_ID), "Kafka changed producerId");
    assertEquals(k.producerEpoch(), raw.getShort(BatchHeader.PRODUCER_EPOCH), "Kafka changed producerEpoch");
    assertEquals(k.baseSequence(), raw.getInt(BatchHeader.BASE_SEQUENCE), "Kafka changed baseSequence");
    assertEquals(k.countOrNull(), raw.getInt(BatchHeader.RECORDS_COUNT), "Kafka changed recordsCount");
    assertEquals(1000L, k.producerId());
    assertEquals(50, k.baseSequence());
  }

  @Test
  void kafkaChangedItsPublicLayoutConstants() {
    assertEquals(DefaultRecordBatch.RECORD_BATCH_OVERHEAD, BatchHeader.HEADER_SIZE);
    assertEquals(DefaultRecordBatch.CRC_OFFSET, BatchHeader.CRC);
    assertEquals(DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET, BatchHeader.LAST_OFFSET_DELTA);
    assertEquals(DefaultRecordBatch.RECORDS_COUNT_OFFSET, BatchHeader.RECORDS_COUNT);
    assertEquals(Records.LOG_OVERHEAD, BatchHeader.LOG_OVERHEAD);
    assertEquals(Records.SIZE_OFFSET, BatchHeader.BATCH_LENGTH);
    assertEquals(Records.MAGIC_OFFSET, BatchHeader.MAGIC);
    assertEquals(2, RecordBatch.CURRENT_MAGIC_VALUE, "Kafka moved to a new batch format");
  }

  @Test
  void kafkaChangedTheTimestampTypeControlOrDeleteHorizonBits() {
    ByteBuffer lat = batch(CompressionType.NONE, TimestampType.LOG_APPEND_TIME, false, sampleRecords()).buffer();
    assertEquals(BatchHeader.ATTR_LOG_APPEND_TIME, lat.getShort(BatchHeader.ATTRIBUTES) & 0x78);
    ByteBuffer control = controlBatch().buffer();
    assertEquals(BatchHeader.ATTR_CONTROL | BatchHeader.ATTR_TRANSACTIONAL,
        control.getShort(BatchHeader.ATTRIBUTES) & 0x78);
    ByteBuffer horizon = deleteHorizonBatch().buffer();
    assertEquals(BatchHeader.ATTR_DELETE_HORIZON, horizon.getShort(BatchHeader.ATTRIBUTES) & 0x78);
  }

  static MemoryRecords controlBatch() {
    return MemoryRecords.withEndTransactionMarker(600L, T0, 9, 1000L, (short) 5,
        new EndTransactionMarker(ControlRecordType.COMMIT, 3));
  }

  static MemoryRecords deleteHorizonBatch() {
    MemoryRecordsBuilder b = new MemoryRecordsBuilder(new ByteBufferOutputStream(ByteBuffer.allocate(1024)),
        RecordBatch.MAGIC_VALUE_V2, Compression.NONE, TimestampType.CREATE_TIME, 700L, RecordBatch.NO_TIMESTAMP,
        RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, false, 9, 1024,
        T0 + 86_400_000L);
    b.append(new SimpleRecord(T0, bytes("k"), null));
    return b.build();
  }

  static MemoryRecords nonDenseBatch(CompressionType codec) {
    MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024), Compression.of(codec).build(),
        TimestampType.CREATE_TIME, 10L);
    b.appendWithOffset(10L, T0, bytes("a"), bytes("1"));
    b.appendWithOffset(12L, T0 + 1, bytes("b"), bytes("2"));
    b.appendWithOffset(15L, T0 + 2, bytes("c"), null);
    return b.build();
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void checkAcceptsDenseCreateTimeBatchesAtOrAfterThePosition(CompressionType codec) {
    RecordBatch plain = only(batch(codec, TimestampType.CREATE_TIME, false, sampleRecords()));
    assertNull(BatchHeader.check(plain, 0L));
    assertNull(BatchHeader.check(plain, 500L));
    assertEquals(Ineligible.STARTS_BEFORE_POSITION, BatchHeader.check(plain, 501L));
    assertNull(BatchHeader.check(only(batch(codec, TimestampType.CREATE_TIME, true, sampleRecords())), 500L));
    assertEquals(5, BatchHeader.recordCount(plain));
    RecordBatch holes = only(nonDenseBatch(codec));
    assertEquals(Ineligible.NOT_DENSE, BatchHeader.check(holes, 10L), "Kafka changed countOrNull/lastOffset");
    assertEquals(3, BatchHeader.recordCount(holes));
  }

  @Test
  void checkRejectsEachIneligibleKind() {
    RecordBatch v1 = only(MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, 0L, Compression.NONE,
        new SimpleRecord(T0, bytes("k"), bytes("v"))));
    assertEquals(Ineligible.NOT_V2, BatchHeader.check(v1, 0L));
    RecordBatch lat = only(batch(CompressionType.LZ4, TimestampType.LOG_APPEND_TIME, false, sampleRecords()));
    assertEquals(Ineligible.LOG_APPEND_TIME, BatchHeader.check(lat, 0L));
    assertEquals(Ineligible.CONTROL, BatchHeader.check(only(controlBatch()), 0L));
    assertEquals(Ineligible.CONTROL, BatchHeader.check(only(controlBatch()), 601L), "control wins over position");
    assertEquals(Ineligible.DELETE_HORIZON, BatchHeader.check(only(deleteHorizonBatch()), 0L));
  }

  @ParameterizedTest
  @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void checkAndRecordCountNeverDecompress(CompressionType codec) {
    MemoryRecords records = batch(codec, TimestampType.CREATE_TIME, false, sampleRecords());
    ByteBuffer raw = records.buffer();
    for (int i = BatchHeader.HEADER_SIZE; i < raw.limit(); i++) {
      raw.put(i, (byte) 0x5a); // garbage body: any decompression would fail
    }
    RecordBatch b = only(records);
    assertNull(BatchHeader.check(b, 500L));
    assertEquals(5, BatchHeader.recordCount(b));
    assertEquals(1, BatchHeader.slices(records).size());
  }

  @Test
  void slicesAreZeroCopyViewsOfEveryCompleteBatch() {
    List<MemoryRecords> parts = List.of(batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, sampleRecords()),
        batch(CompressionType.ZSTD, TimestampType.CREATE_TIME, true, sampleRecords()), controlBatch(),
        nonDenseBatch(CompressionType.GZIP));
    ByteBuffer all = ByteBuffer.allocate(8192);
    all.put(new byte[7]); // the fetched records need not start at position 0
    for (MemoryRecords p : parts) {
      all.put(p.buffer());
    }
    all.put(array(parts.get(0).buffer()), 0, 40); // a partial trailing batch, cut by fetch.max.bytes
    all.flip().position(7);
    MemoryRecords fetched = MemoryRecords.readableRecords(all);

    List<Slice> slices = BatchHeader.slices(fetched);

    assertEquals(parts.size(), slices.size(), "Kafka changed how a partial trailing batch is iterated");
    assertEquals(7, fetched.buffer().position());
    int at = 7;
    for (int i = 0; i < parts.size(); i++) {
      Slice s = slices.get(i);
      assertArrayEquals(array(parts.get(i).buffer()), array(s.bytes()));
      assertEquals(0, s.bytes().position());
      assertEquals(s.batch().sizeInBytes(), s.bytes().limit());
      assertEquals(only(parts.get(i)).baseOffset(), s.baseOffset());
      assertEquals(only(parts.get(i)).lastOffset(), s.lastOffset());
      s.bytes().put(BatchHeader.RECORDS_COUNT + 3, (byte) 99); // shared memory: visible in fetched and in batch
      assertEquals(99, all.get(at + BatchHeader.RECORDS_COUNT + 3));
      assertEquals(99, s.batch().countOrNull() & 0xff, "Kafka's batch no longer reads the fetched buffer");
      at += s.bytes().limit();
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void stampForProduceRewritesOnlyTheProduceFields(CompressionType codec) {
    MemoryRecords records = batch(codec, TimestampType.CREATE_TIME, true, sampleRecords());
    byte[] original = array(records.buffer());
    List<Record> before = new ArrayList<>();
    only(MemoryRecords.readableRecords(ByteBuffer.wrap(original.clone()))).forEach(before::add);
    Slice s = BatchHeader.slices(records).get(0);

    BatchHeader.stampForProduce(s.bytes(), 77L, (short) 3, 1234);

    assertEquals(0, s.bytes().position());
    assertEquals(original.length, s.bytes().limit());
    assertStamped(s.bytes(), original, codec, before, 77L, (short) 3, 1234);
    assertEquals(500L, s.baseOffset(), "offsets captured before the stamp");

    byte[] once = array(s.bytes());
    BatchHeader.stampForProduce(s.bytes(), 77L, (short) 3, 1234);
    assertArrayEquals(once, array(s.bytes()), "a retry stamps identical bytes");

    BatchHeader.stampForProduce(s.bytes(), 78L, (short) 0, 0); // re-stamp after a new producer id
    assertStamped(s.bytes(), original, codec, before, 78L, (short) 0, 0);
  }

  static void assertStamped(ByteBuffer stamped, byte[] original, CompressionType codec, List<Record> before,
      long pid, short epoch, int seq) {
    DefaultRecordBatch k = (DefaultRecordBatch) only(MemoryRecords.readableRecords(stamped.duplicate()));
    k.ensureValid(); // Kafka's own CRC check
    assertEquals(0L, k.baseOffset());
    assertEquals(before.size() - 1, k.lastOffset());
    assertEquals(RecordBatch.NO_PARTITION_LEADER_EPOCH, k.partitionLeaderEpoch());
    assertEquals(pid, k.producerId());
    assertEquals(epoch, k.producerEpoch());
    assertEquals(seq, k.baseSequence());
    assertFalse(k.isTransactional());
    assertFalse(k.isControlBatch());
    assertEquals(codec, k.compressionType());
    assertEquals(TimestampType.CREATE_TIME, k.timestampType());
    assertEquals(T0 + 9, k.maxTimestamp());
    byte[] now = array(stamped);
    assertArrayEquals(Arrays.copyOfRange(original, BatchHeader.HEADER_SIZE, original.length),
        Arrays.copyOfRange(now, BatchHeader.HEADER_SIZE, now.length), "compressed body must be byte-identical");
    assertArrayEquals(Arrays.copyOfRange(original, BatchHeader.BATCH_LENGTH, BatchHeader.PARTITION_LEADER_EPOCH),
        Arrays.copyOfRange(now, BatchHeader.BATCH_LENGTH, BatchHeader.PARTITION_LEADER_EPOCH));
    assertEquals(original[BatchHeader.MAGIC], now[BatchHeader.MAGIC]);
    assertArrayEquals(Arrays.copyOfRange(original, BatchHeader.LAST_OFFSET_DELTA, BatchHeader.PRODUCER_ID),
        Arrays.copyOfRange(now, BatchHeader.LAST_OFFSET_DELTA, BatchHeader.PRODUCER_ID));
    assertEquals(ByteBuffer.wrap(original).getShort(BatchHeader.ATTRIBUTES) & ~BatchHeader.ATTR_TRANSACTIONAL,
        stamped.getShort(stamped.position() + BatchHeader.ATTRIBUTES));
    assertArrayEquals(Arrays.copyOfRange(original, BatchHeader.RECORDS_COUNT, BatchHeader.HEADER_SIZE),
        Arrays.copyOfRange(now, BatchHeader.RECORDS_COUNT, BatchHeader.HEADER_SIZE));
    int i = 0;
    for (Record r : k) {
      Record o = before.get(i);
      assertEquals(i, r.offset(), "offset delta");
      assertEquals(o.timestamp(), r.timestamp());
      assertEquals(o.key(), r.key());
      assertEquals(o.value(), r.value());
      assertArrayEquals(o.headers(), r.headers());
      i++;
    }
    assertEquals(before.size(), i);
  }

  @Test
  void stampForProduceUsesPositionAndLimitAndIgnoresByteOrder() {
    byte[] batchBytes = array(batch(CompressionType.SNAPPY, TimestampType.CREATE_TIME, false, sampleRecords())
        .buffer());
    ByteBuffer big = ByteBuffer.allocate(batchBytes.length + 10);
    Arrays.fill(big.array(), (byte) 7);
    big.position(5);
    big.put(batchBytes);
    big.position(5).limit(5 + batchBytes.length);
    big.order(ByteOrder.LITTLE_ENDIAN);

    BatchHeader.stampForProduce(big, 42L, (short) 1, 9);

    assertEquals(5, big.position());
    assertEquals(5 + batchBytes.length, big.limit());
    assertEquals(ByteOrder.LITTLE_ENDIAN, big.order());
    for (int i : new int[] {0, 4, big.limit(), big.capacity() - 1}) {
      assertEquals(7, big.array()[i]);
    }
    DefaultRecordBatch k = (DefaultRecordBatch) only(MemoryRecords.readableRecords(big.duplicate()));
    k.ensureValid();
    assertEquals(42L, k.producerId());
    assertEquals(9, k.baseSequence());
  }

  @Test
  void stampForProduceRefusesControlLegacyAndTruncatedBatches() {
    assertThrows(IllegalArgumentException.class,
        () -> BatchHeader.stampForProduce(controlBatch().buffer(), 1L, (short) 0, 0));
    ByteBuffer v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, 0L, Compression.NONE,
        new SimpleRecord(T0, bytes("k"), bytes("v".repeat(80)))).buffer();
    assertThrows(IllegalArgumentException.class, () -> BatchHeader.stampForProduce(v1, 1L, (short) 0, 0));
    ByteBuffer cut = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, sampleRecords()).buffer();
    cut.limit(cut.limit() - 1);
    assertThrows(IllegalArgumentException.class, () -> BatchHeader.stampForProduce(cut, 1L, (short) 0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> BatchHeader.stampForProduce(ByteBuffer.allocate(20), 1L, (short) 0, 0));
  }
}
