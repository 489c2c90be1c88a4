package io.vmm.target;

import io.vmm.async.Budgets;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransactionalConfigTest {

  @Test
  void transactionTimeoutIsWellAboveTheIntervalWithinKafkasBounds() {
    assertEquals(TransactionalConfig.MIN_TRANSACTION_TIMEOUT_MS, TransactionalConfig.transactionTimeoutMs(500));
    assertEquals(3 * 60_000 + Budgets.TXN_END_RETRY_MS, TransactionalConfig.transactionTimeoutMs(60_000));
    assertEquals(TransactionalConfig.MAX_TRANSACTION_TIMEOUT_MS, TransactionalConfig.transactionTimeoutMs(3_600_000));
  }

  @Test
  void transactionalSettingsOverTheTargetConfigExplicitTimeoutsKept() {
    Map<String, Object> m = TransactionalConfig.of(Map.of("bootstrap.servers", "b:9092", "acks", "1",
        "enable.idempotence", "false", "transaction.timeout.ms", "120000"), "A-mm2-A->B.MirrorSourceConnector-0",
        5_000);
    assertEquals("A-mm2-A->B.MirrorSourceConnector-0", m.get("transactional.id"));
    assertEquals("all", m.get("acks"));
    assertEquals("true", m.get("enable.idempotence"));
    assertEquals("120000", m.get("transaction.timeout.ms"), "set explicitly: kept");
    assertEquals(Long.toString(Budgets.TXN_BLOCK_MS), m.get("max.block.ms"));
    assertEquals("b:9092", m.get("bootstrap.servers"));
    assertEquals("10", m.get("retry.backoff.ms"), "short: a new transaction's first send is often retried once");
    assertEquals("250", TransactionalConfig.of(Map.of("retry.backoff.ms", "250"), "t", 5_000).get("retry.backoff.ms"),
        "set explicitly: kept");
  }
}
