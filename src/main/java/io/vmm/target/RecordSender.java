package io.vmm.target;

import io.vmm.tracing.TracedSender;
import io.vmm.tracing.Tracing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How a target producer hands a mirrored record to Kafka: traced as a child of its source record when tracing is
 * on ({@link TracedSender}), else straight to the raw producer (no tracing work per record). Errors as
 * {@code Producer.send}: thrown, or reported to the callback. Thread-safe as the producer is.
 */
@FunctionalInterface
interface RecordSender {

  /** Sends {@code out}, the mirror of {@code source}. */
  void send(ConsumerRecord<byte[], byte[]> source, ProducerRecord<byte[], byte[]> out, Callback callback);

  /** The sender of {@code producer} under {@code tracing}. */
  static RecordSender of(Producer<byte[], byte[]> producer, Tracing tracing) {
    TracedSender traced = tracing.sender(producer);
    return traced != null ? traced::send : (source, out, callback) -> producer.send(out, callback);
  }
}
