package io.vmm.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exactly-once transaction meters of a task: names, labels, values, removal with the task. */
class TransactionMetricsTest {

  @Test
  void countersAndStatsPerTaskRemovedWithTheTask() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FlowMetrics metrics = new FlowMetrics(registry, "A", "B", List.of());
    FlowMetrics.TransactionMetrics tx = metrics.transactions(1);
    assertSame(tx, metrics.transactions(1));
    tx.committed(200, 12);
    tx.committed(100, 30);
    tx.aborted();
    String text = registry.scrape();
    assertTrue(text.contains("vmm_transactions_committed_total{source=\"A\",target=\"B\",task=\"1\"} 2.0"), text);
    assertTrue(text.contains("vmm_transactions_aborted_total{source=\"A\",target=\"B\",task=\"1\"} 1.0"), text);
    assertTrue(text.contains("vmm_transaction_records_avg{source=\"A\",target=\"B\",task=\"1\"} 150.0"), text);
    assertTrue(text.contains("vmm_transaction_commit_latency_ms_max{source=\"A\",target=\"B\",task=\"1\"} 30.0"), text);
    metrics.release(1, List.of());
    assertFalse(registry.scrape().contains("vmm_transaction"), "removed with the task");
    metrics.close();
  }
}
