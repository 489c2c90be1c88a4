package io.vmm.target;

import io.vmm.async.Budgets;
import io.vmm.bus.SourceBatch;
import io.vmm.tracing.Tracing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The transactional {@link Producer} of one exactly-once task ({@link TransactionalProducerVerticle}), replaceable:
 * made from the final config ({@link TransactionalConfig}) and initialised ({@code initTransactions}, which fences
 * earlier owners of the {@code transactional.id}); transactions ended with retries; {@link #renew renewed} when the
 * transaction coordinator's own abort left it unusable ({@link TransactionErrors.Kind#RENEW}); closed. Every call
 * blocks: the verticle's worker context only. Not thread-safe.
 */
final class TransactionalClient implements TransactionalWriter {

  private static final Logger LOG = LoggerFactory.getLogger(TransactionalClient.class);

  private final String flow;
  private final String transactionalId;
  private final Map<String, Object> config;
  private final Tracing tracing;
  private final Function<Map<String, Object>, Producer<byte[], byte[]>> factory;
  private Producer<byte[], byte[]> producer;
  private RecordSender sender;

  /**
   * @param flow    flow name {@code A->B} (log lines)
   * @param config  the final producer config, {@code transactional.id} included
   * @param factory makes a producer from {@code config} ({@code KafkaProducer::new}; tests: a mock)
   */
  TransactionalClient(String flow, String transactionalId, Map<String, Object> config, Tracing tracing,
                      Function<Map<String, Object>, Producer<byte[], byte[]>> factory) {
    this.flow = flow;
    this.transactionalId = transactionalId;
    this.config = config;
    this.tracing = tracing;
    this.factory = factory;
  }

  /**
   * A new producer and {@code initTransactions}; on failure the producer is closed again and an
   * {@link IllegalStateException} naming the id is thrown.
   */
  @Override
  public void init() {
    producer = factory.apply(config);
    try {
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw new IllegalStateException(flow + " transactional.id " + transactionalId + ": initTransactions failed: "
          + e, e);
    }
    sender = RecordSender.of(producer, tracing);
  }

  @Override
  public boolean started() {
    return producer != null;
  }

  @Override
  public void begin() {
    producer.beginTransaction();
  }

  /** Sends each record of the chunk ({@link TargetRecords#of}), traced when tracing is on; a send that throws ends it. */
  @Override
  public long send(SourceBatch.Chunk chunk, TransactionBatches.Answer answer, SendFailure onFailure) {
    List<ConsumerRecord<byte[], byte[]>> records = chunk.records();
    long bytes = 0;
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      bytes += TargetRecords.bytes(r);
      int at = i;
      Callback callback = (metadata, e) -> {
        if (e == null) {
          answer.downstream[at] = metadata.offset();
        } else {
          onFailure.failed(r.offset(), e);
        }
      };
      try {
        sender.send(r, TargetRecords.of(r, chunk.targetTopic()), callback);
      } catch (RuntimeException e) {
        onFailure.failed(r.offset(), e);
        break; // the transaction aborts after this batch; the whole chunk rewinds
      }
    }
    return bytes;
  }

  @Override
  public void progress(String topic, byte[] key, byte[] value, Consumer<Throwable> onFailure) {
    producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
      if (e != null) {
        onFailure.accept(e);
      }
    });
  }

  /**
   * {@code commitTransaction()} or {@code abortTransaction()}, retried while it times out within
   * {@link Budgets#TXN_END_RETRY_MS} (Kafka allows it); throws the last {@link TimeoutException} after that, any
   * other error at once.
   */
  @Override
  public void end(boolean commit) {
    long deadline = System.currentTimeMillis() + Budgets.TXN_END_RETRY_MS;
    while (true) {
      try {
        if (commit) {
          producer.commitTransaction();
        } else {
          producer.abortTransaction();
        }
        return;
      } catch (TimeoutException e) {
        if (System.currentTimeMillis() >= deadline) {
          throw e;
        }
        LOG.warn("{} {}: {} timed out, retrying: {}", flow, transactionalId, commit ? "commit" : "abort", e.toString());
      }
    }
  }

  /**
   * Closes the producer at once and {@link #init}s a new one with the same id (the coordinator aborted the
   * transaction; nothing else owns the id). Callbacks the old producer still runs belong to the ended transaction.
   */
  @Override
  public void renew() {
    producer.close(Duration.ZERO);
    init();
  }

  /** Closes the producer within {@code timeout} (zero: at once, dropping what is unsent). */
  @Override
  public void close(Duration timeout) {
    producer.close(timeout);
  }
}
