package io.vmm.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.DefaultRecord;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;

/**
 * Encodes records into new v2 record batches for the exactly-once pass-through sender, which sends raw Produce
 * requests under its own transactional producer id and so cannot hand records to a {@code KafkaProducer}: decoded
 * fallback records, records of a fetched batch that is too large for the target topic or whose codec must change,
 * and progress records (MM2 format key/value bytes) all go out as batches built here.
 *
 * <p>Record mapping as the record path's {@code io.vmm.target.TargetRecords}: key and value bytes verbatim (null stays
 * null: tombstones), headers in order (null values stay null), the source timestamp as CreateTime; a record without
 * a timestamp (negative) gets the time of encoding, as a {@code KafkaProducer} stamps its send time (the record
 * path, {@code TargetRecords}).
 *
 * <p>Every built batch has baseOffset 0, producer id -1, epoch -1, base sequence -1, partitionLeaderEpoch -1, is not
 * transactional, has CreateTime, and sits alone in its own writable heap {@link ByteBuffer} (position 0, limit = its
 * size) so that the sender can stamp it in place with {@link BatchHeader#stampForProduce}. The batching follows
 * {@code KafkaProducer}'s {@code RecordAccumulator} (fill a batch up to {@code batch.size} uncompressed bytes; a
 * larger record gets a batch of its own) and its split of a batch the broker refused as too large (halve and encode
 * again); our own code on kafka-clients 4.1.1's {@code MemoryRecordsBuilder}. Sizes are bytes throughout.
 *
 * <p>Stateless: every method may be called from any thread. Compression is CPU work: call it off the event loop for
 * large inputs.
 */
public final class BatchEncoder {

  private static final Header[] NO_HEADERS = new Header[0];

  /**
   * One built batch: {@code batch} is a {@link RawBatch} over a whole v2 batch with baseOffset 0
   * ({@code RawBatch(header, bytes, 0, count - 1)}, so {@code recordCount() == count}; its offsets are batch-relative,
   * not source offsets), producer id -1, epoch -1, base sequence -1, not transactional, CreateTime. It holds the input
   * records [{@code first}, {@code first + count}).
   */
  public record Built(RawBatch batch, int first, int count) {
  }

  private BatchEncoder() {
  }

  /**
   * Encodes {@code records} in order into v2 batches compressed with {@code codec} ({@link CompressionType#NONE}
   * allowed; default codec levels). The records of one batch are consecutive inputs; the result covers every input
   * once, in order.
   *
   * <ul>
   *   <li>A batch is closed when adding the next record would make its uncompressed size (61-byte header plus the
   *       records' encoded sizes) exceed {@code batchBytes}; a record alone larger than that gets a batch of its own.
   *       With {@code NONE} the limit is {@code min(batchBytes, maxBytes)} (uncompressed size = batch size).</li>
   *   <li>Every built batch of more than one record is at most {@code maxBytes} ({@code sizeInBytes} of the whole
   *       batch, as the target's {@code max.message.bytes} counts it): a compressed batch that comes out larger
   *       (compression can expand random data) is split into two halves, each encoded again, recursively.</li>
   *   <li>A single record whose own batch exceeds {@code maxBytes} is still returned as its own batch: the broker
   *       refuses it and the caller reports {@code RecordTooLargeException} for it.</li>
   * </ul>
   *
   * @param records    records to encode (topic, partition and offset are ignored); an empty list gives no batch
   * @param batchBytes uncompressed bytes per batch, as the producer's {@code batch.size}
   * @param maxBytes   largest batch the target accepts, bytes (its {@code max.message.bytes})
   * @throws IllegalArgumentException if {@code batchBytes} or {@code maxBytes} &lt; 1
   * @throws org.apache.kafka.common.KafkaException if the codec is unavailable
   */
  public static List<Built> encode(List<ConsumerRecord<byte[], byte[]>> records, CompressionType codec,
      int batchBytes, int maxBytes) {
    if (batchBytes < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("batchBytes and maxBytes must be >= 1, got " + batchBytes + ", " + maxBytes);
    }
    int limit = codec == CompressionType.NONE ? Math.min(batchBytes, maxBytes) : batchBytes;
    List<Built> out = new ArrayList<>();
    int first = 0;
    int size = 0;
    long baseTimestamp = 0;
    long now = System.currentTimeMillis();
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      long ts = timestamp(r.timestamp(), now);
      if (i > first) {
        int grown = size + recordSize(i - first, ts - baseTimestamp, r);
        if (grown <= limit) {
          size = grown;
          continue;
        }
        build(records, first, i, codec, size, maxBytes, now, out);
        first = i;
      }
      baseTimestamp = ts;
      size = BatchHeader.HEADER_SIZE + recordSize(0, 0, r);
    }
    if (first < records.size()) {
      build(records, first, records.size(), codec, size, maxBytes, now, out);
    }
    return out;
  }

  /**
   * One uncompressed batch holding one record (key, value, no headers, CreateTime {@code timestampMs}; a negative
   * time becomes the current time): a progress record. Same batch shape as {@link Built#batch()}.
   */
  public static RawBatch single(byte[] key, byte[] value, long timestampMs) {
    long ts = timestamp(timestampMs, System.currentTimeMillis());
    int size = BatchHeader.HEADER_SIZE
        + DefaultRecord.sizeInBytes(0, 0, key == null ? -1 : key.length, value == null ? -1 : value.length,
            NO_HEADERS);
    MemoryRecordsBuilder b = builder(CompressionType.NONE, size);
    b.append(ts, key, value, NO_HEADERS);
    return finish(b, 1);
  }

  /** Encodes records [from, to) ({@code size}: their uncompressed batch size), halving while too large. */
  private static void build(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, CompressionType codec,
      int size, int maxBytes, long now, List<Built> out) {
    MemoryRecordsBuilder b = builder(codec, size);
    for (int i = from; i < to; i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      b.append(timestamp(r.timestamp(), now), r.key(), r.value(), r.headers().toArray());
    }
    RawBatch batch = finish(b, to - from);
    if (batch.sizeInBytes() <= maxBytes || to - from == 1) {
      out.add(new Built(batch, from, to - from));
      return;
    }
    int mid = from + (to - from) / 2;
    build(records, from, mid, codec, size, maxBytes, now, out);
    build(records, mid, to, codec, size, maxBytes, now, out);
  }

  private static MemoryRecordsBuilder builder(CompressionType codec, int uncompressedSize) {
    ByteBuffer buffer = ByteBuffer.allocate(uncompressedSize);
    return MemoryRecords.builder(buffer, Compression.of(codec).build(), TimestampType.CREATE_TIME, 0L);
  }

  /** Closes {@code b} and wraps its batch, copied into an exact-size array when the builder's array is larger. */
  private static RawBatch finish(MemoryRecordsBuilder b, int count) {
    ByteBuffer built = b.build().buffer();
    int size = built.remaining();
    if (!built.hasArray() || built.arrayOffset() + built.position() != 0 || built.array().length != size) {
      byte[] exact = new byte[size];
      built.duplicate().get(exact);
      built = ByteBuffer.wrap(exact);
    }
    RecordBatch header = MemoryRecords.readableRecords(built).batches().iterator().next();
    return new RawBatch(header, built, 0L, count - 1L);
  }

  /** Encoded size of {@code r} in a v2 batch at offset delta {@code offsetDelta} (DefaultRecord's own count). */
  private static int recordSize(int offsetDelta, long timestampDelta, ConsumerRecord<byte[], byte[]> r) {
    return DefaultRecord.sizeInBytes(offsetDelta, timestampDelta, r.key() == null ? -1 : r.key().length,
        r.value() == null ? -1 : r.value().length, r.headers().toArray());
  }

  private static long timestamp(long ms, long now) {
    return ms >= 0 ? ms : now;
  }
}
