package io.vmm.target;

import io.vmm.async.Budgets;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings of an exactly-once task's transactional producer, on top of the target producer config with its
 * overrides: {@code transactional.id}, idempotence and {@code acks=all} always; {@code transaction.timeout.ms}
 * ({@link #transactionTimeoutMs}) and {@code max.block.ms} ({@link Budgets#TXN_BLOCK_MS}) unless set explicitly.
 * Stateless.
 */
public final class TransactionalConfig {

  /** Lower bound of the derived {@code transaction.timeout.ms} (Kafka's default), ms. */
  public static final long MIN_TRANSACTION_TIMEOUT_MS = 60_000;
  /** Upper bound: the brokers' default {@code transaction.max.timeout.ms} (15 min), ms. */
  public static final long MAX_TRANSACTION_TIMEOUT_MS = 900_000;

  private TransactionalConfig() {
  }

  /**
   * The {@code transaction.timeout.ms} used unless set explicitly: three commit intervals plus the commit retry
   * budget ({@link Budgets#TXN_END_RETRY_MS}), at least {@link #MIN_TRANSACTION_TIMEOUT_MS}, at most
   * {@link #MAX_TRANSACTION_TIMEOUT_MS}: a healthy transaction never times out while it waits for its interval or
   * a retried commit, and a dead producer's transaction is aborted by the broker within minutes.
   *
   * @param intervalMs the commit interval, ms
   */
  public static long transactionTimeoutMs(long intervalMs) {
    return Math.min(MAX_TRANSACTION_TIMEOUT_MS,
        Math.max(MIN_TRANSACTION_TIMEOUT_MS, 3 * intervalMs + Budgets.TXN_END_RETRY_MS));
  }

  /** The {@code transaction.timeout.ms} of a config made by {@link #of}, ms. */
  public static long transactionTimeoutMs(Map<String, Object> transactionalConfig) {
    return Long.parseLong(String.valueOf(transactionalConfig.get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)).trim());
  }

  /** A new map: {@code producerConfig} with the transactional settings for {@code transactionalId}. */
  public static Map<String, Object> of(Map<String, Object> producerConfig, String transactionalId, long intervalMs) {
    Map<String, Object> m = new HashMap<>(producerConfig);
    m.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    m.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    m.put(ProducerConfig.ACKS_CONFIG, "all");
    m.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(transactionTimeoutMs(intervalMs)));
    m.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Budgets.TXN_BLOCK_MS));
    return m;
  }
}
