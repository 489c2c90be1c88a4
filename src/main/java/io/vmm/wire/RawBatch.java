package io.vmm.wire;

import org.apache.kafka.common.record.RecordBatch;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One fetched v2 record batch as the broker stored it: its parsed header and a view of its exact bytes (no
 * copy; the body stays compressed). Only {@link BatchSender} writes into {@code bytes} (it stamps the producer
 * fields before the first send); nothing else may.
 * <p>
 * Lifetime: a fetched batch is a view of its Fetch answer's pooled receive buffer ({@link AnswerLease}). Whoever
 * is done with it for good calls {@link #release} once: {@link BatchSender} when the target acknowledged it (or
 * failed it with no request of it still in flight), the target when it decoded it into records, the source task
 * when it drops it. After that neither {@code header} nor {@code bytes} may be read: the buffer may hold another
 * answer. A batch never released costs only a buffer reuse (the collector frees it).
 */
public final class RawBatch {

  private final RecordBatch header;
  private final ByteBuffer bytes;
  private final long baseOffset;
  private final long lastOffset;
  private final AnswerLease lease;
  private final AtomicBoolean released = new AtomicBoolean();

  /**
   * @param header     the batch as Kafka parses it (header getters only; iterating it decompresses). It shares
   *                   {@code bytes}: after the sender stamped them its offsets and producer fields read the stamped
   *                   values, so use {@code baseOffset}/{@code lastOffset} here
   * @param bytes      the batch's bytes, position at its first byte, limit after its last
   * @param baseOffset upstream offset of the batch's first record, as fetched
   * @param lastOffset upstream offset of the batch's last record, as fetched
   * @param lease      the hold on the buffer {@code bytes} is a view of; this batch owns one count of it
   */
  public RawBatch(RecordBatch header, ByteBuffer bytes, long baseOffset, long lastOffset, AnswerLease lease) {
    this.header = header;
    this.bytes = bytes;
    this.baseOffset = baseOffset;
    this.lastOffset = lastOffset;
    this.lease = lease;
  }

  /** A batch whose bytes are not pooled ({@link AnswerLease#NONE}). */
  public RawBatch(RecordBatch header, ByteBuffer bytes, long baseOffset, long lastOffset) {
    this(header, bytes, baseOffset, lastOffset, AnswerLease.NONE);
  }

  /** The batch of a fetched {@link BatchHeader.Slice}, holding one count of {@code lease}. */
  static RawBatch of(BatchHeader.Slice slice, AnswerLease lease) {
    return new RawBatch(slice.batch(), slice.bytes(), slice.baseOffset(), slice.lastOffset(), lease.retain());
  }

  public RecordBatch header() {
    return header;
  }

  public ByteBuffer bytes() {
    return bytes;
  }

  public long baseOffset() {
    return baseOffset;
  }

  public long lastOffset() {
    return lastOffset;
  }

  /** Records in the batch (pass-through batches are dense: {@code lastOffset - baseOffset + 1}). */
  public int recordCount() {
    return (int) (lastOffset - baseOffset + 1);
  }

  /** Size in bytes, as the target's {@code max.message.bytes} counts it. */
  public int sizeInBytes() {
    return bytes.remaining();
  }

  /** Done with this batch for good (see the class comment); later calls do nothing. Any thread. */
  public void release() {
    if (released.compareAndSet(false, true)) {
      lease.release();
    }
  }

  /** Releases every batch of {@code batches} (null or empty: nothing). */
  public static void releaseAll(List<RawBatch> batches) {
    if (batches != null) {
      batches.forEach(RawBatch::release);
    }
  }

  /** Whether {@link #release} was called. */
  public boolean released() {
    return released.get();
  }
}
