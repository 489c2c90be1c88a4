package io.vmm.source;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import io.vmm.wire.RawBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The record path's {@link SourceReader}: Kafka's consumer in assign mode, polled on its own thread by
 * vertx-kafka-client's read stream; each poll's {@link ConsumerRecords} is one {@link SourceReader.Polled}.
 */
final class RecordReader implements SourceReader {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaReadStream<byte[], byte[]> stream;

  private RecordReader(KafkaConsumer<byte[], byte[]> consumer, KafkaReadStream<byte[], byte[]> stream) {
    this.consumer = consumer;
    this.stream = stream;
  }

  /**
   * Creates the consumer on a worker thread (its constructor may resolve host names) and a paused read stream;
   * the Future completes on the caller's context.
   *
   * @param pollTimeoutMs the consumer's poll timeout, ms
   */
  static Future<SourceReader> create(Vertx vertx, Map<String, Object> consumerConfig, long pollTimeoutMs,
                                     Handler<Polled> onPolled, Handler<Throwable> onError) {
    return vertx.executeBlocking(() -> new KafkaConsumer<byte[], byte[]>(consumerConfig), false).map(consumer -> {
      KafkaReadStream<byte[], byte[]> stream = KafkaReadStream.create(vertx, consumer);
      stream.pause(); // no poll before every partition is positioned
      stream.pollTimeout(Duration.ofMillis(pollTimeoutMs));
      stream.exceptionHandler(onError);
      stream.batchHandler(records -> onPolled.handle(polled(records)));
      return new RecordReader(consumer, stream);
    });
  }

  private static Polled polled(ConsumerRecords<byte[], byte[]> records) {
    return new Polled() {
      @Override
      public Set<TopicPartition> partitions() {
        return records.partitions();
      }

      @Override
      public List<ConsumerRecord<byte[], byte[]>> records(TopicPartition tp) {
        return records.records(tp);
      }

      @Override
      public List<RawBatch> batches(TopicPartition tp) {
        return List.of();
      }
    };
  }

  @Override
  public Future<Void> assign(Set<TopicPartition> tps) {
    return stream.assign(tps);
  }

  @Override
  public Future<Void> seek(TopicPartition tp, long offset) {
    return stream.seek(tp, offset);
  }

  @Override
  public Future<Void> seekToBeginning(Set<TopicPartition> tps) {
    return stream.seekToBeginning(tps);
  }

  @Override
  public void pause() {
    stream.pause();
  }

  @Override
  public void resume() {
    stream.resume();
    consumer.wakeup();
  }

  @Override
  public void pause(Set<TopicPartition> tps) {
    stream.pause(tps);
  }

  @Override
  public void resume(Set<TopicPartition> tps) {
    stream.resume(tps);
    // the resume runs on the consumer thread after the current poll, which waits up to the poll timeout when
    // every partition is paused; wakeup() (thread-safe) ends that poll so fetching restarts at once
    consumer.wakeup();
  }

  @Override
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public Future<Void> close() {
    return stream.close();
  }
}
