package io.vmm.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FlowMetrics: meter names and tags (MM2's and ours), gauge values, removal on close and on release of handed-over
 * partitions and tasks, Prometheus export names.
 */
class FlowMetricsTest {

  private static final double EPS = 1e-9;
  private static final TopicPartition TP = new TopicPartition("t", 0);


  private static Set<String> names(MeterRegistry registry) {
    return registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
  }

  private static Gauge gauge(MeterRegistry registry, String name, String... tags) {
    Gauge g = registry.find(name).tags(tags).gauge();
    assertNotNull(g, name + " " + List.of(tags));
    return g;
  }

  @Test
  void flowLevelMetersAreRegisteredAtConstruction() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    assertEquals("A", m.source());
    assertEquals("B", m.target());
    assertTrue(Double.isNaN(gauge(registry, "vmm_heartbeat_age_ms", "source", "A", "target", "B").value()));
    assertEquals(-1, m.heartbeatAgeMs());
    assertEquals(0.0, gauge(registry, "vmm_failed_partitions", "source", "A", "target", "B").value(), EPS);
    assertEquals(0.0, gauge(registry, "vmm_source_resets", "source", "A", "target", "B").value(), EPS);
    for (String c : List.of("MirrorSourceConnector", "MirrorCheckpointConnector", "MirrorHeartbeatConnector")) {
      assertEquals(0.0, gauge(registry, "vmm_connector_running", "source", "A", "target", "B", "connector", c).value(),
          EPS);
    }
    assertEquals(6, registry.getMeters().size());
  }

  @Test
  void flowLevelGaugesFollowTheState() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    m.flowState(2, 5);
    m.running("MirrorSourceConnector", true);
    long now = System.currentTimeMillis();
    m.heartbeatMirrored(now - 1_000);
    m.heartbeatMirrored(now - 5_000); // an older heartbeat arriving late does not age the flow
    assertEquals(2.0, gauge(registry, "vmm_failed_partitions").value(), EPS);
    assertEquals(5.0, gauge(registry, "vmm_source_resets").value(), EPS);
    assertEquals(1.0, gauge(registry, "vmm_connector_running", "connector", "MirrorSourceConnector").value(), EPS);
    assertEquals(0.0, gauge(registry, "vmm_connector_running", "connector", "MirrorCheckpointConnector").value(), EPS);
    assertTrue(gauge(registry, "vmm_heartbeat_age_ms").value() >= 1_000);
    assertTrue(m.heartbeatAgeMs() >= 1_000 && m.heartbeatAgeMs() < 5_000, "age " + m.heartbeatAgeMs());
    m.running("MirrorSourceConnector", false);
    assertEquals(0.0, gauge(registry, "vmm_connector_running", "connector", "MirrorSourceConnector").value(), EPS);
  }

  @Test
  void partitionIsRegisteredOnce() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    PartitionMetrics p = m.partition(TP, "A.t");
    int meters = registry.getMeters().size();
    assertSame(p, m.partition(TP, "A.t"));
    assertEquals(meters, registry.getMeters().size());
    assertSame(p, m.partitionOrNull(TP));
    assertEquals(List.of(p), List.copyOf(m.partitions()));
    assertNull(m.partitionOrNull(new TopicPartition("t", 1)));
  }

  @Test
  void taskRegistersInFlightGauges() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    FlowMetrics.TaskMetrics t = m.task(2);
    assertSame(t, m.task(2));
    t.inFlight(5, 500);
    assertEquals(5.0, gauge(registry, "vmm_inflight_records", "source", "A", "target", "B", "task", "2").value(), EPS);
    assertEquals(500.0, gauge(registry, "vmm_inflight_bytes", "source", "A", "target", "B", "task", "2").value(), EPS);
    assertEquals(6 + 2, registry.getMeters().size());
  }

  @Test
  void passThroughTaskRegistersItsCountersOnceAndReleaseRemovesThem() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    FlowMetrics.TaskMetrics t = m.passThroughTask(1);
    assertSame(t, m.passThroughTask(1));
    t.passThrough(3, 0);
    t.passThrough(1, 40);
    assertEquals(4.0, registry.get("vmm_passthrough_batches").tags("task", "1").functionCounter().count(), EPS);
    assertEquals(40.0, registry.get("vmm_passthrough_decoded_records").tags("task", "1").functionCounter().count(),
        EPS);
    assertEquals(6 + 2 + 2, registry.getMeters().size());
    m.release(1, java.util.List.of());
    assertEquals(6, registry.getMeters().size());
  }

  @Test
  void checkpointLatencyRegistersMm2CheckpointGaugesPerGroupAndPartition() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    m.checkpointLatency("g", "A.t", 1, 120);
    m.checkpointLatency("g", "A.t", 1, 80);
    String[] tags = {"source", "A", "target", "B", "group", "g", "topic", "A.t", "partition", "1"};
    String base = "kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms";
    assertEquals(80.0, gauge(registry, base, tags).value(), EPS);
    assertEquals(80.0, gauge(registry, base + "_min", tags).value(), EPS);
    assertEquals(120.0, gauge(registry, base + "_max", tags).value(), EPS);
    assertEquals(100.0, gauge(registry, base + "_avg", tags).value(), EPS);
    assertEquals(6 + 4, registry.getMeters().size());

    m.checkpointLatency("h", "A.t", 1, 7);
    assertEquals(7.0, gauge(registry, base, "group", "h").value(), EPS);
    assertEquals(80.0, gauge(registry, base, "group", "g").value(), EPS);
    assertEquals(6 + 8, registry.getMeters().size());
  }

  /** Legacy MM1 abortOnSendFailure=false: skipped records, a counter registered on a partition's first skip. */
  @Test
  void skippedRecordsCounterIsRegisteredOnFirstSkipAndReleased() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    m.partition(TP, "t");
    int before = registry.getMeters().size();
    m.skipped(TP, "t", 1);
    m.skipped(TP, "t", 2);
    assertEquals(before + 1, registry.getMeters().size());
    assertEquals(3, m.skippedRecords());
    assertEquals(3.0, registry.get("vmm_skipped_records").tags("source", "A", "target", "B", "topic", "t",
        "partition", "0").functionCounter().count(), EPS);
    assertTrue(registry.scrape().contains(
        "vmm_skipped_records_total{partition=\"0\",source=\"A\",target=\"B\",topic=\"t\"} 3"),
        registry.scrape());
    m.release(0, List.of(TP));
    assertEquals(0, m.skippedRecords());
    assertFalse(registry.scrape().contains("vmm_skipped_records"));
    m.close();
  }

  @Test
  void closeRemovesEveryMeterOfTheFlowAndIsIdempotent() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    m.partition(TP, "A.t");
    m.partition(new TopicPartition("u", 4), "A.u");
    m.task(0);
    m.checkpointLatency("g", "A.t", 0, 10);
    assertFalse(registry.getMeters().isEmpty());
    m.close();
    assertEquals(List.of(), registry.getMeters());
    m.close();
    assertEquals(List.of(), registry.getMeters());
  }

  @Test
  void closeLeavesTheMetersOfAnotherFlow() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics ab = new FlowMetrics(registry, "A", "B");
    FlowMetrics ba = new FlowMetrics(registry, "B", "A");
    ab.partition(TP, "A.t");
    ba.partition(TP, "B.t");
    ba.task(0);
    List<Meter.Id> baMeters = registry.getMeters().stream().map(Meter::getId)
        .filter(id -> "B".equals(id.getTag("source"))).toList();
    ab.close();
    assertEquals(Set.copyOf(baMeters), registry.getMeters().stream().map(Meter::getId).collect(Collectors.toSet()));
    assertTrue(registry.getMeters().stream().allMatch(x -> "B".equals(x.getId().getTag("source"))));
    assertEquals(0.0, gauge(registry, "vmm_inflight_records", "source", "B").value(), EPS);
    ba.close();
    assertEquals(List.of(), registry.getMeters());
  }

  /** The contract Supervisor follows on a reload that restarts a flow: close the old metrics, then create anew. */
  @Test
  void replacementFlowMetricsCreatedAfterCloseOwnsTheFlowLevelMeters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics old = new FlowMetrics(registry, "A", "B");
    old.flowState(7, 0);
    old.close();
    FlowMetrics fresh = new FlowMetrics(registry, "A", "B");
    fresh.flowState(3, 0);
    assertEquals(3.0, gauge(registry, "vmm_failed_partitions", "source", "A", "target", "B").value(), EPS);
    old.partition(TP, "A.t"); // a late call on the closed one registers nothing
    assertEquals(3.0, gauge(registry, "vmm_failed_partitions", "source", "A", "target", "B").value(), EPS);
    assertTrue(registry.getMeters().stream().noneMatch(m -> "A.t".equals(m.getId().getTag("topic"))));
  }

  @Test
  void prometheusExportKeepsMm2NamesUnmangled() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      FlowMetrics m = new FlowMetrics(registry, "A", "B");
      PartitionMetrics p = m.partition(TP, "A.t");
      p.acknowledged(3, 0, 0, 0, 0, -1, System.currentTimeMillis());
      p.logOffsets(0, 10, System.currentTimeMillis());
      m.task(0);
      m.checkpointLatency("g", "A.t", 0, 42);
      String scrape = registry.scrape();
      List<String> samples = scrape.lines().filter(l -> !l.startsWith("#")).toList();

      String tags = "{partition=\"0\",source=\"A\",target=\"B\",topic=\"A.t\"}";
      assertTrue(samples.contains("kafka_connect_mirror_source_connector_record_count" + tags + " 3.0"), scrape);
      assertTrue(samples.contains("vmm_replication_lag_records" + tags + " 10.0"), scrape);
      assertTrue(samples.stream().anyMatch(l -> l.startsWith(
          "kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms{group=\"g\",partition=\"0\",source=\"A\","
              + "target=\"B\",topic=\"A.t\"} ")), scrape);
      assertTrue(samples.stream().anyMatch(
          l -> l.startsWith("vmm_inflight_records{source=\"A\",target=\"B\",task=\"0\"} ")), scrape);

      // every exported sample name is exactly a registered meter name: no _total, unit or other suffixes
      Set<String> exported = samples.stream().map(l -> l.substring(0, l.indexOf('{'))).collect(Collectors.toSet());
      Set<String> registered = new java.util.HashSet<>(names(registry));
      registered.addAll(PartitionCollector.names());
      assertEquals(registered, exported);
      assertTrue(scrape.contains("# TYPE kafka_connect_mirror_source_connector_record_count gauge"), scrape);
      m.close();
      assertFalse(registry.scrape().contains("kafka_connect_mirror"), registry.scrape());
    } finally {
      registry.close();
    }
  }

  private static List<Meter> metersTagged(MeterRegistry registry, String key, String value) {
    return registry.getMeters().stream().filter(m -> value.equals(m.getId().getTag(key))).toList();
  }

  @Test
  void releaseRemovesThePartitionsAndTasksMetersAndLeavesTheOthers() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    TopicPartition kept = new TopicPartition("u", 4);
    m.partition(TP, "A.t");
    m.partition(kept, "A.u");
    m.task(0);
    m.task(1);
    m.checkpointLatency("g", "A.t", 0, 10);
    int before = registry.getMeters().size();

    m.release(0, List.of(TP));

    assertEquals(before - 2, registry.getMeters().size());
    assertTrue(metersTagged(registry, "topic", "A.t").stream()
        .allMatch(x -> x.getId().getName().startsWith(FlowMetrics.CHECKPOINT_PREFIX)), "only checkpoint meters left");
    assertEquals(List.of(), metersTagged(registry, "topic", "A.u"), "partition series are no meters");
    assertTrue(metersTagged(registry, "task", "0").isEmpty());
    assertEquals(2, metersTagged(registry, "task", "1").size());
    assertEquals(6, registry.getMeters().stream()
        .filter(x -> x.getId().getTag("topic") == null && x.getId().getTag("task") == null).count(), "flow-level");
    assertEquals(4, registry.getMeters().stream()
        .filter(x -> x.getId().getName().startsWith(FlowMetrics.CHECKPOINT_PREFIX)).count(), "checkpoint");
  }

  @Test
  void releasedPartitionIsNoLongerListed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    TopicPartition kept = new TopicPartition("u", 4);
    m.partition(TP, "A.t");
    PartitionMetrics other = m.partition(kept, "A.u");
    m.task(0);
    m.release(0, List.of(TP));
    assertNull(m.partitionOrNull(TP));
    assertEquals(List.of(other), List.copyOf(m.partitions()));
    assertSame(other, m.partitionOrNull(kept));
  }

  @Test
  void releaseOfUnknownPartitionsAndTasksIsHarmless() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    m.partition(TP, "A.t");
    int before = registry.getMeters().size();
    m.release(3, List.of(new TopicPartition("nope", 0)));
    m.release(3, List.of());
    assertEquals(before, registry.getMeters().size());
  }

  @Test
  void closeAfterReleaseRemovesTheRest() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics m = new FlowMetrics(registry, "A", "B");
    m.partition(TP, "A.t");
    m.partition(new TopicPartition("u", 4), "A.u");
    m.task(0);
    m.release(0, List.of(TP));
    m.partition(TP, "A.t");
    m.close();
    assertEquals(List.of(), registry.getMeters());
  }
}
