package io.vmm.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PartitionCollector: the per-partition series (MM2's names and ours) computed at scrape time, their labels, values,
 * removal on release and close, the member label, no doubled series, and no Micrometer meter per partition.
 */
class PartitionCollectorTest {

  private static final double EPS = 1e-9;
  private static final TopicPartition TP = new TopicPartition("t", 0);

  private static final List<String> SERIES = List.of(
      "kafka_connect_mirror_source_connector_record_count",
      "kafka_connect_mirror_source_connector_record_rate",
      "kafka_connect_mirror_source_connector_byte_count",
      "kafka_connect_mirror_source_connector_byte_rate",
      "kafka_connect_mirror_source_connector_record_age_ms",
      "kafka_connect_mirror_source_connector_record_age_ms_min",
      "kafka_connect_mirror_source_connector_record_age_ms_max",
      "kafka_connect_mirror_source_connector_record_age_ms_avg",
      "kafka_connect_mirror_source_connector_replication_latency_ms",
      "kafka_connect_mirror_source_connector_replication_latency_ms_min",
      "kafka_connect_mirror_source_connector_replication_latency_ms_max",
      "kafka_connect_mirror_source_connector_replication_latency_ms_avg",
      "vmm_replication_lag_records",
      "vmm_replication_lag_ms");

  private final List<PrometheusMeterRegistry> registries = new ArrayList<>();

  private PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry r = MetricsSetup.newRegistry();
    registries.add(r);
    return r;
  }

  @AfterEach
  void close() {
    registries.forEach(PrometheusMeterRegistry::close);
  }

  /** The data points of series {@code name} whose labels include {@code labels} (name, value, ...). */
  static List<GaugeDataPointSnapshot> points(PrometheusMeterRegistry registry, String name, String... labels) {
    List<GaugeDataPointSnapshot> out = new ArrayList<>();
    for (MetricSnapshot s : registry.getPrometheusRegistry().scrape()) {
      if (!s.getMetadata().getName().equals(name)) {
        continue;
      }
      for (DataPointSnapshot d : s.getDataPoints()) {
        boolean match = true;
        for (int i = 0; i < labels.length; i += 2) {
          match &= labels[i + 1].equals(d.getLabels().get(labels[i]));
        }
        if (match) {
          out.add((GaugeDataPointSnapshot) d);
        }
      }
    }
    return out;
  }

  /** The value of the one data point of {@code name} matching {@code labels}. */
  static double value(PrometheusMeterRegistry registry, String name, String... labels) {
    List<GaugeDataPointSnapshot> p = points(registry, name, labels);
    assertEquals(1, p.size(), name + " " + List.of(labels) + ": " + p);
    return p.get(0).getValue();
  }

  @Test
  void everySeriesOfAPartitionIsExportedWithTheRemoteTopicAndNoMicrometerMeter() {
    PrometheusMeterRegistry registry = registry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    int meters = registry.getMeters().size();
    m.partition(TP, "A.t");
    assertEquals(meters, registry.getMeters().size(), "no Micrometer meter per partition");
    assertEquals(SERIES, PartitionCollector.names(), "MM2's names and ours, in exposition order");
    for (String name : PartitionCollector.names()) {
      List<GaugeDataPointSnapshot> p = points(registry, name);
      assertEquals(1, p.size(), name);
      assertEquals(Labels.of("source", "A", "target", "B", "topic", "A.t", "partition", "0"), p.get(0).getLabels(),
          name);
    }
    String scrape = registry.scrape();
    assertTrue(scrape.contains("# TYPE kafka_connect_mirror_source_connector_record_count gauge"), scrape);
    assertTrue(scrape.lines().anyMatch(l -> l.equals("kafka_connect_mirror_source_connector_record_count"
        + "{partition=\"0\",source=\"A\",target=\"B\",topic=\"A.t\"} 0.0")), scrape);
    m.close();
  }

  @Test
  void seriesReadThePartitionState() {
    PrometheusMeterRegistry registry = registry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    PartitionMetrics p = m.partition(TP, "A.t");
    assertTrue(Double.isNaN(value(registry, "vmm_replication_lag_records")), "unknown lag is NaN");
    assertTrue(Double.isNaN(value(registry, "vmm_replication_lag_ms")));
    long now = System.currentTimeMillis();
    p.polled(3, 300, 0, 0, 0, 0, -1, now);
    p.acknowledged(3, 1, now - 250, now - 250, now - 250, now - 250, now);
    p.logOffsets(0, 10, now);
    p.mirrored(4, now - 250, now);
    String mm2 = FlowMetrics.SOURCE_PREFIX;
    assertEquals(3.0, value(registry, mm2 + "record_count"), EPS);
    assertEquals(300.0, value(registry, mm2 + "byte_count"), EPS);
    assertTrue(value(registry, mm2 + "byte_rate") > 0);
    assertTrue(value(registry, mm2 + "record_rate") > 0);
    assertEquals(250.0, value(registry, mm2 + "replication_latency_ms"), EPS);
    assertEquals(250.0, value(registry, mm2 + "replication_latency_ms_max"), EPS);
    assertEquals(6.0, value(registry, "vmm_replication_lag_records"), EPS);
    assertTrue(value(registry, "vmm_replication_lag_ms") >= 0);
    m.close();
  }

  @Test
  void releaseAndCloseStopTheSeriesAndANewPartitionStartsAfresh() {
    PrometheusMeterRegistry registry = registry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    PartitionMetrics old = m.partition(TP, "A.t");
    m.partition(new TopicPartition("u", 4), "A.u");
    old.acknowledged(3, 0, 0, 0, 0, -1, System.currentTimeMillis());
    String count = FlowMetrics.SOURCE_PREFIX + "record_count";
    assertEquals(3.0, value(registry, count, "topic", "A.t"), EPS);

    m.release(0, List.of(TP));
    assertTrue(points(registry, count, "topic", "A.t").isEmpty());
    assertEquals(1, points(registry, count, "topic", "A.u").size());

    PartitionMetrics fresh = m.partition(TP, "A.t");
    assertNotSame(old, fresh);
    assertEquals(0.0, value(registry, count, "topic", "A.t"), EPS);

    m.close();
    assertFalse(registry.scrape().contains("kafka_connect_mirror_source"), registry.scrape());
    m.partition(new TopicPartition("v", 0), "A.v"); // a late call on a closed flow exports nothing
    assertTrue(points(registry, count).isEmpty());
  }

  @Test
  void twoFlowsShareOneCollectorAndARestartedFlowIsNotDoubled() {
    PrometheusMeterRegistry registry = registry();
    FlowMetrics ab = new FlowMetrics(registry, "A", "B");
    FlowMetrics ba = new FlowMetrics(registry, "B", "A");
    ab.partition(TP, "A.t");
    ba.partition(TP, "B.t");
    String count = FlowMetrics.SOURCE_PREFIX + "record_count";
    assertEquals(2, points(registry, count).size());
    FlowMetrics abAgain = new FlowMetrics(registry, "A", "B"); // before the old one closed
    abAgain.partition(TP, "A.t").acknowledged(5, 0, 0, 0, 0, -1, System.currentTimeMillis());
    assertEquals(2, points(registry, count).size(), "one series per label set");
    assertEquals(1, points(registry, count, "source", "A").size());
    ab.close();
    assertEquals(5.0, value(registry, count, "source", "A"), EPS);
    assertEquals(1, points(registry, count, "source", "B").size());
    ba.close();
    abAgain.close();
    assertTrue(points(registry, count).isEmpty());
  }

  @Test
  void memberRegistryLabelsThePartitionSeriesToo() {
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry("replica-1");
    registries.add(registry);
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    m.partition(TP, "A.t");
    assertEquals(Labels.of("member", "replica-1", "source", "A", "target", "B", "topic", "A.t", "partition", "0"),
        points(registry, "vmm_replication_lag_ms").get(0).getLabels());
    assertTrue(registry.scrape().contains("vmm_heartbeat_age_ms{member=\"replica-1\""), registry.scrape());
    m.close();
  }

  @Test
  void aRegistryHasOneCollector() {
    PrometheusMeterRegistry registry = registry();
    PartitionCollector c = PartitionCollector.of(registry);
    assertSame(c, PartitionCollector.of(registry));
    assertThrows(IllegalStateException.class, () -> PartitionCollector.attach(registry));
    PrometheusMeterRegistry plain = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registries.add(plain);
    FlowMetrics m = new FlowMetrics(plain, "A", "B"); // a registry not made by MetricsSetup gets one on first use
    m.partition(TP, "A.t");
    assertEquals(1, points(plain, "vmm_replication_lag_ms").size());
    assertNotSame(c, PartitionCollector.of(plain));
    m.close();
  }
}
