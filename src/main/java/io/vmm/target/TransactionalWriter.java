package io.vmm.target;

import io.vmm.bus.SourceBatch;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * What an exactly-once task's {@link TransactionalProducerVerticle} writes through: one {@code transactional.id},
 * one transaction open at a time. Two implementations: {@link TransactionalClient} (Kafka's transactional
 * producer, the record path) and {@link PassThroughTransactions} (record batches passed through unchanged on the
 * wire protocol, {@code vmm.data.path=batch}). Every call comes from the verticle's worker context and may block
 * it; not thread-safe. Send outcomes arrive on the writer's own network thread.
 */
interface TransactionalWriter {

  /** A record that could not be written in the open transaction: its upstream offset and the error. */
  interface SendFailure {
    void failed(long upstreamOffset, Throwable error);
  }

  /**
   * Connects and initialises the id (Kafka's {@code initTransactions}): every earlier owner of the
   * {@code transactional.id} is fenced and what it left open is aborted.
   *
   * @throws IllegalStateException naming the id when that fails (the writer is closed again)
   */
  void init();

  /** Whether {@link #init} succeeded. */
  boolean started();

  /** Begins a transaction. */
  void begin();

  /**
   * Sends every record of {@code chunk} (records and batches, in upstream order) in the open transaction; the
   * downstream offset of the record at answer index {@code i} goes to {@code answer.downstream[i]} when written;
   * a failure goes to {@code onFailure} (any thread; later records of the chunk may still be sent). Must be called
   * before the chunk is released.
   *
   * @return bytes handed over (for the commit trigger's in-flight marks)
   */
  long send(SourceBatch.Chunk chunk, TransactionBatches.Answer answer, SendFailure onFailure);

  /** Sends one progress record ({@code key}, {@code value}) to {@code topic} in the open transaction. */
  void progress(String topic, byte[] key, byte[] value, Consumer<Throwable> onFailure);

  /**
   * Commits ({@code commit}) or aborts the open transaction after every send of it was answered; a commit fails
   * when a send of the transaction failed. Retries timeouts for {@link io.vmm.async.Budgets#TXN_END_RETRY_MS},
   * then throws {@link org.apache.kafka.common.errors.TimeoutException} (the outcome is unknown); any other error at
   * once.
   */
  void end(boolean commit);

  /** Makes the writer usable again after the coordinator aborted its transaction ({@link TransactionErrors.Kind#RENEW}). */
  void renew();

  /** Closes within {@code timeout} (zero: at once, dropping what is unsent). */
  void close(Duration timeout);
}
