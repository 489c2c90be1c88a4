package io.vmm.wire;

import org.apache.kafka.common.record.RecordBatch;

import java.nio.ByteBuffer;

/**
 * One fetched v2 record batch as the broker stored it: its parsed header and a view of its exact bytes (no
 * copy; the body stays compressed). Only {@link BatchSender} writes into {@code bytes} (it stamps the producer
 * fields before the first send); nothing else may.
 *
 * @param header     the batch as Kafka parses it (header getters only; iterating it decompresses). It shares
 *                   {@code bytes}: after the sender stamped them its offsets and producer fields read the stamped
 *                   values, so use {@code baseOffset}/{@code lastOffset} here
 * @param bytes      the batch's bytes, position at its first byte, limit after its last
 * @param baseOffset upstream offset of the batch's first record, as fetched
 * @param lastOffset upstream offset of the batch's last record, as fetched
 */
public record RawBatch(RecordBatch header, ByteBuffer bytes, long baseOffset, long lastOffset) {

  /** The batch of a fetched {@link BatchHeader.Slice}. */
  static RawBatch of(BatchHeader.Slice slice) {
    return new RawBatch(slice.batch(), slice.bytes(), slice.baseOffset(), slice.lastOffset());
  }

  /** Records in the batch (pass-through batches are dense: {@code lastOffset - baseOffset + 1}). */
  public int recordCount() {
    return (int) (lastOffset - baseOffset + 1);
  }

  /** Size in bytes, as the target's {@code max.message.bytes} counts it. */
  public int sizeInBytes() {
    return bytes.remaining();
  }
}
