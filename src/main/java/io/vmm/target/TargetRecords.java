package io.vmm.target;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The record conversion of both target producers ({@link TargetProducerVerticle},
 * {@link TransactionalProducerVerticle}), as MM2's MirrorSourceTask converts: same partition number, key and value
 * bytes verbatim (nulls and tombstones kept), all headers in order, the source timestamp sent as CreateTime (none
 * when the source record has none).
 * Stateless.
 */
public final class TargetRecords {

  private TargetRecords() {
  }

  /** The target record for source record {@code r} in {@code targetTopic} (same partition number). */
  public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> r, String targetTopic) {
    return new ProducerRecord<>(targetTopic, r.partition(), r.timestamp() >= 0 ? r.timestamp() : null, r.key(),
        r.value(), r.headers());
  }

  /** Key + value bytes of {@code r} (a null key or value counts 0), as the source task's flow control counts them. */
  public static long bytes(ConsumerRecord<byte[], byte[]> r) {
    return (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
  }
}
