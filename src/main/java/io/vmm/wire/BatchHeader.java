package io.vmm.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;

/**
 * The v2 record batch header of the batch pass-through path: its layout, whether a fetched batch may be forwarded
 * unchanged, the zero-copy byte view of each fetched batch, and the in-place header rewrite for an idempotent
 * produce. Reads and writes header fields only: nothing here decompresses or touches the records body.
 *
 * <p>Written against the pinned kafka-clients 4.1.1 internals ({@code DefaultRecordBatch}, {@code MemoryRecords});
 * the layout follows Kafka's documented message format v2 ("Record Batch" in Kafka's protocol documentation), and
 * {@code BatchHeaderTest} checks every offset below against {@code DefaultRecordBatch}'s getters.
 *
 * <p>Stateless; every method may be called from any thread, but a {@link ByteBuffer} must not be stamped by two
 * threads at once, nor read while it is stamped.
 */
public final class BatchHeader {

  /** Offset of baseOffset (int64): the first record's offset; a producer sends 0. */
  public static final int BASE_OFFSET = 0;
  /** Offset of batchLength (int32): bytes after this field, i.e. batch size minus {@link #LOG_OVERHEAD}. */
  public static final int BATCH_LENGTH = 8;
  /** Bytes before and including batchLength (baseOffset + batchLength): batch size = batchLength + 12. */
  public static final int LOG_OVERHEAD = 12;
  /** Offset of partitionLeaderEpoch (int32); a producer sends -1 ({@link RecordBatch#NO_PARTITION_LEADER_EPOCH}). */
  public static final int PARTITION_LEADER_EPOCH = 12;
  /** Offset of magic (int8), 2 for this layout. */
  public static final int MAGIC = 16;
  /** Offset of crc (uint32): CRC-32C over the bytes from {@link #ATTRIBUTES} to the end of the batch. */
  public static final int CRC = 17;
  /** Offset of attributes (int16), see the {@code ATTR_} masks. */
  public static final int ATTRIBUTES = 21;
  /** Offset of lastOffsetDelta (int32): last record's offset minus baseOffset. */
  public static final int LAST_OFFSET_DELTA = 23;
  /** Offset of baseTimestamp (int64, ms). */
  public static final int BASE_TIMESTAMP = 27;
  /** Offset of maxTimestamp (int64, ms). */
  public static final int MAX_TIMESTAMP = 35;
  /** Offset of producerId (int64). */
  public static final int PRODUCER_ID = 43;
  /** Offset of producerEpoch (int16). */
  public static final int PRODUCER_EPOCH = 51;
  /** Offset of baseSequence (int32). */
  public static final int BASE_SEQUENCE = 53;
  /** Offset of recordsCount (int32). */
  public static final int RECORDS_COUNT = 57;
  /** Header size in bytes; the (possibly compressed) records body starts here. */
  public static final int HEADER_SIZE = 61;

  /** Attribute bits 0-2: compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  public static final short ATTR_COMPRESSION_MASK = 0x07;
  /** Attribute bit 3: timestamp type, set = LogAppendTime. */
  public static final short ATTR_LOG_APPEND_TIME = 0x08;
  /** Attribute bit 4: transactional batch. */
  public static final short ATTR_TRANSACTIONAL = 0x10;
  /** Attribute bit 5: control batch (transaction markers). */
  public static final short ATTR_CONTROL = 0x20;
  /** Attribute bit 6: delete horizon set by the log cleaner (baseTimestamp then holds it). */
  public static final short ATTR_DELETE_HORIZON = 0x40;

  /** The magic value of this layout. */
  public static final byte MAGIC_V2 = RecordBatch.MAGIC_VALUE_V2;

  /**
   * Why a batch may not pass through (the partition's batch then takes the record path). {@link #check} returns the
   * first reason in declaration order.
   */
  public enum Ineligible {
    /** Message format v0/v1 (magic != 2). */
    NOT_V2,
    /** A control batch (transaction marker): never forwarded, not even by the record path. */
    CONTROL,
    /** baseOffset before the fetch position: the fetch returned a batch partly read already. */
    STARTS_BEFORE_POSITION,
    /** LogAppendTime timestamps: the target would stamp its own time; the record path sends them as CreateTime. */
    LOG_APPEND_TIME,
    /** The log cleaner set a delete horizon: forwarding it would carry the source's tombstone deadline. */
    DELETE_HORIZON,
    /** Compacted batch with holes (record count != lastOffset - baseOffset + 1): the broker rejects it. */
    NOT_DENSE
  }

  /**
   * One fetched batch: Kafka's parsed {@code batch} (for header getters and the record-path fallback) and
   * {@code bytes}, a view of exactly its bytes in the fetched buffer (position 0, limit = its size; no copy), plus its
   * offsets as fetched ({@code baseOffset}, {@code lastOffset}: source offsets, inclusive), captured before any stamp.
   *
   * <p>{@code batch} and {@code bytes} share memory: after {@link #stampForProduce} on {@code bytes}, the
   * {@code batch} getters report the stamped values (baseOffset 0, the new producer id, ...). Use the captured
   * offsets after a stamp, and decode ({@link BatchDecoder}) before stamping or from a copy.
   */
  public record Slice(MutableRecordBatch batch, ByteBuffer bytes, long baseOffset, long lastOffset) {
  }

  private BatchHeader() {
  }

  /**
   * Null when {@code b} may be forwarded unchanged to a producer at fetch position {@code position} (the next
   * source offset to read); otherwise the first failing {@link Ineligible} reason. Reads header fields only (no
   * decompression, and for v2 no record parsing). Not checked here: the target's {@code max.message.bytes} (compare
   * {@code b.sizeInBytes()}) and aborted transactions under read_committed (the fetcher drops those as the consumer
   * does).
   */
  public static Ineligible check(RecordBatch b, long position) {
    if (b.magic() != MAGIC_V2) {
      return Ineligible.NOT_V2;
    }
    if (b.isControlBatch()) {
      return Ineligible.CONTROL;
    }
    if (b.baseOffset() < position) {
      return Ineligible.STARTS_BEFORE_POSITION;
    }
    if (b.timestampType() != TimestampType.CREATE_TIME) {
      return Ineligible.LOG_APPEND_TIME;
    }
    if (b.deleteHorizonMs().isPresent()) {
      return Ineligible.DELETE_HORIZON;
    }
    Integer count = b.countOrNull();
    if (count == null || count != b.lastOffset() - b.baseOffset() + 1) {
      return Ineligible.NOT_DENSE;
    }
    return null;
  }

  /**
   * Number of records in {@code b} from its header: recordsCount for v2 (equal to lastOffset - baseOffset + 1 when
   * dense), no decompression. For v0/v1 (no count in the header) lastOffset - baseOffset + 1, an upper bound, and
   * Kafka may decompress a legacy compressed wrapper to learn its base offset.
   */
  public static int recordCount(RecordBatch b) {
    Integer count = b.countOrNull();
    return count != null ? count : (int) (b.lastOffset() - b.baseOffset() + 1);
  }

  /**
   * Every complete batch of {@code records} (a fetched partition's {@code MemoryRecords}) in log order, each as a
   * {@link Slice} pairing Kafka's parsed batch with a zero-copy view of its bytes. A trailing partial batch (a fetch
   * cut at {@code fetch.max.bytes}) is left out, as Kafka's batch iterator leaves it out.
   *
   * <p>Why a walk rather than a per-batch accessor: kafka-clients 4.1.1's {@code DefaultRecordBatch} keeps its buffer
   * private and only offers {@code writeTo} (a copy). So this walks {@code records.buffer()} (a duplicate; the
   * records' own position is not moved) alongside {@code records.batches()}, advancing by each batch's
   * {@code sizeInBytes()} (= batchLength at offset 8 + {@link #LOG_OVERHEAD}), the same framing Kafka's iterator
   * uses; the views share memory with {@code records}.
   *
   * @throws IllegalStateException if a batch's bytes disagree with its parsed header (Kafka changed the framing)
   */
  public static List<Slice> slices(MemoryRecords records) {
    ByteBuffer all = records.buffer();
    int at = all.position();
    List<Slice> out = new ArrayList<>();
    for (MutableRecordBatch b : records.batches()) {
      int size = b.sizeInBytes();
      ByteBuffer view = all.duplicate();
      view.limit(at + size).position(at);
      view = view.slice();
      if (size >= HEADER_SIZE && b.magic() == MAGIC_V2
          && (view.getInt(BATCH_LENGTH) + LOG_OVERHEAD != size || view.getLong(BASE_OFFSET) != b.baseOffset())) {
        throw new IllegalStateException("batch framing differs from Kafka's parsed batch at buffer position " + at
            + " (Kafka changed the record batch layout?)");
      }
      out.add(new Slice(b, view, b.baseOffset(), b.lastOffset()));
      at += size;
    }
    return out;
  }

  /**
   * Rewrites in place, for a non-transactional idempotent produce, the v2 batch in {@code target}'s bytes
   * [position, limit) (absolute access; position and limit are not moved): baseOffset 0, partitionLeaderEpoch -1,
   * {@code producerId}, {@code producerEpoch}, {@code baseSequence}, the transactional attribute bit cleared, then
   * the CRC-32C recomputed over attributes..end. Every other byte, including the compressed records body, stays
   * identical. Safe to call again with other ids (a re-stamp after a new producer id). Same ids, same bytes: a retry
   * of a stamped batch sends identical bytes.
   *
   * @throws IllegalArgumentException if the bytes are not one whole v2 batch (magic != 2, batchLength + 12 !=
   *     remaining) or if it is a control batch
   * @throws java.nio.ReadOnlyBufferException if {@code target} is read-only
   */
  public static void stampForProduce(ByteBuffer target, long producerId, short producerEpoch, int baseSequence) {
    stampForProduce(target, producerId, producerEpoch, baseSequence, false);
  }

  /**
   * {@link #stampForProduce(ByteBuffer, long, short, int)}, with the transactional attribute bit set when
   * {@code transactional} (a transactional producer's batch: part of the producer's open transaction) or cleared.
   */
  public static void stampForProduce(ByteBuffer target, long producerId, short producerEpoch, int baseSequence,
                                     boolean transactional) {
    ByteBuffer batch = target.duplicate(); // big-endian whatever the caller's order; position/limit untouched
    int p = batch.position();
    int size = batch.remaining();
    if (size < HEADER_SIZE) {
      throw new IllegalArgumentException("not a v2 record batch: " + size + " bytes < header " + HEADER_SIZE);
    }
    if (batch.get(p + MAGIC) != MAGIC_V2) {
      throw new IllegalArgumentException("not a v2 record batch: magic " + batch.get(p + MAGIC));
    }
    if (batch.getInt(p + BATCH_LENGTH) + LOG_OVERHEAD != size) {
      throw new IllegalArgumentException("buffer holds " + size + " bytes but the batch is "
          + (batch.getInt(p + BATCH_LENGTH) + LOG_OVERHEAD));
    }
    short attributes = batch.getShort(p + ATTRIBUTES);
    if ((attributes & ATTR_CONTROL) != 0) {
      throw new IllegalArgumentException("control batches are never forwarded");
    }
    batch.putLong(p + BASE_OFFSET, 0L);
    batch.putInt(p + PARTITION_LEADER_EPOCH, RecordBatch.NO_PARTITION_LEADER_EPOCH);
    batch.putShort(p + ATTRIBUTES, (short) (transactional ? attributes | ATTR_TRANSACTIONAL
        : attributes & ~ATTR_TRANSACTIONAL));
    batch.putLong(p + PRODUCER_ID, producerId);
    batch.putShort(p + PRODUCER_EPOCH, producerEpoch);
    batch.putInt(p + BASE_SEQUENCE, baseSequence);
    batch.putInt(p + CRC, (int) crc(batch));
  }

  /**
   * The CRC-32C the header of the v2 batch in {@code batch}'s [position, limit) should carry (over attributes..end),
   * as an unsigned 32-bit value; position and limit are not moved.
   */
  public static long crc(ByteBuffer batch) {
    ByteBuffer covered = batch.duplicate();
    covered.position(batch.position() + ATTRIBUTES);
    CRC32C crc = new CRC32C();
    crc.update(covered);
    return crc.getValue();
  }
}
