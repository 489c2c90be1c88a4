package io.vmm.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Decodes one raw record batch (any codec; decompressing) into the {@code ConsumerRecord}s Kafka's consumer would
 * return for it: the record path's fallback for a batch that may not pass through ({@link BatchHeader#check}).
 * Written against the pinned kafka-clients 4.1.1 internals ({@code RecordBatch}, {@code Record}); the field mapping
 * follows what the 4.1.1 consumer's fetch parsing produces (our own code, checked by {@code BatchDecoderTest}).
 *
 * <p>No {@code producerRecords(...)} here on purpose: the target side converts with the existing
 * {@code io.vmm.target.TargetRecords.of(ConsumerRecord, targetTopic)} (same partition, key/value verbatim, headers
 * in order, timestamp as CreateTime), so the fallback is {@code records(tp, batch, from)} mapped through it. One
 * conversion rule for every producer, and the extra {@code ConsumerRecord} per record only costs on the fallback.
 *
 * <p>Stateless; thread-safe as long as the caller's {@link BufferSupplier} (not thread-safe) is not shared.
 */
public final class BatchDecoder {

  private BatchDecoder() {
  }

  /**
   * {@link #records(TopicPartition, RecordBatch, long, BufferSupplier)} without buffer reuse
   * ({@link BufferSupplier#NO_CACHING}).
   */
  public static List<ConsumerRecord<byte[], byte[]>> records(TopicPartition tp, RecordBatch batch, long fromOffset) {
    return records(tp, batch, fromOffset, BufferSupplier.NO_CACHING);
  }

  /**
   * The records of {@code batch} (fetched from {@code tp}) with offset &gt;= {@code fromOffset} (the next source
   * offset to read), in offset order, as the consumer returns them:
   * <ul>
   *   <li>offset: the source offset (baseOffset + delta; read the batch before stamping it, see
   *       {@link BatchHeader.Slice});</li>
   *   <li>timestamp and timestampType: the record's CreateTime, or for a LogAppendTime batch its maxTimestamp;</li>
   *   <li>serialized key/value sizes (-1 for null), key/value bytes copied out (null stays null: tombstones);</li>
   *   <li>headers: a fresh {@link RecordHeaders} in wire order (values null stay null);</li>
   *   <li>leader epoch: the batch's partitionLeaderEpoch, empty when -1.</li>
   * </ul>
   * A control batch yields an empty list (the consumer never returns transaction markers). Aborted-transaction
   * filtering under read_committed and CRC checking ({@code batch.ensureValid()}, the consumer's
   * {@code check.crcs}) are the caller's, once per batch. The returned records do not share memory with the batch.
   *
   * @param decompression buffers for decompression (e.g. one {@code BufferSupplier.create()} per fetch thread)
   * @throws org.apache.kafka.common.KafkaException if the batch is corrupt or its codec is unavailable
   */
  public static List<ConsumerRecord<byte[], byte[]>> records(TopicPartition tp, RecordBatch batch, long fromOffset,
      BufferSupplier decompression) {
    if (batch.isControlBatch() || batch.lastOffset() < fromOffset) {
      return List.of();
    }
    Optional<Integer> leaderEpoch = batch.partitionLeaderEpoch() == RecordBatch.NO_PARTITION_LEADER_EPOCH
        ? Optional.empty() : Optional.of(batch.partitionLeaderEpoch());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>(BatchHeader.recordCount(batch));
    try (CloseableIterator<Record> it = batch.streamingIterator(decompression)) {
      while (it.hasNext()) {
        Record r = it.next();
        if (r.offset() < fromOffset) {
          continue;
        }
        out.add(new ConsumerRecord<>(tp.topic(), tp.partition(), r.offset(), r.timestamp(), batch.timestampType(),
            r.keySize(), r.valueSize(), r.hasKey() ? bytes(r.key()) : null, r.hasValue() ? bytes(r.value()) : null,
            headers(r.headers()), leaderEpoch));
      }
    }
    return out;
  }

  /** Headers in order, each key and value decoded now (Kafka's lazy headers would point into the fetch buffer). */
  private static RecordHeaders headers(Header[] wire) {
    for (Header h : wire) {
      h.key();
      h.value();
    }
    return new RecordHeaders(wire);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }
}
