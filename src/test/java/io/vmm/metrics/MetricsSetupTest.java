package io.vmm.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vmm.testkit.LogCapture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MetricsSetup.newRegistry(memberName): every meter of a {@link FlowMetrics} registered on it carries
 * {@code member=<name>}, also in the Prometheus scrape, and such meters are still removed on release and close;
 * the plain registry adds no member tag.
 */
class MetricsSetupTest {

  private static final TopicPartition TP = new TopicPartition("t", 0);

  @Test
  void flowMetricsMetersCarryTheMemberTag() {
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry("m1");
    try {
      FlowMetrics m = new FlowMetrics(registry, "A", "B");
      m.partition(TP, "A.t");
      m.task(0);
      m.checkpointLatency("g", "A.t", 0, 5);
      List<Meter> meters = registry.getMeters();
      assertFalse(meters.isEmpty());
      for (Meter meter : meters) {
        assertEquals("m1", meter.getId().getTag("member"), meter.getId().toString());
        assertEquals("A", meter.getId().getTag("source"), meter.getId().toString());
      }
    } finally {
      registry.close();
    }
  }

  @Test
  void prometheusScrapeShowsTheMember() {
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry("m1");
    try {
      FlowMetrics m = new FlowMetrics(registry, "A", "B");
      m.partition(TP, "A.t");
      String scrape = registry.scrape();
      assertTrue(scrape.contains("member=\"m1\""), scrape);
      List<String> samples = scrape.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
      assertFalse(samples.isEmpty());
      assertTrue(samples.stream().allMatch(l -> l.contains("member=\"m1\"")), scrape);
      assertTrue(samples.contains("kafka_connect_mirror_source_connector_record_count{member=\"m1\",partition=\"0\","
          + "source=\"A\",target=\"B\",topic=\"A.t\"} 0.0"), scrape);
    } finally {
      registry.close();
    }
  }

  @Test
  void taggedMetersAreRemovedOnReleaseAndClose() {
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry("m1");
    try {
      FlowMetrics m = new FlowMetrics(registry, "A", "B");
      m.partition(TP, "A.t");
      m.task(0);
      m.release(0, List.of(TP));
      assertTrue(registry.getMeters().stream().noneMatch(x -> x.getId().getTag("topic") != null
          || x.getId().getTag("task") != null), registry.getMeters().toString());
      assertFalse(registry.scrape().contains("topic=\"A.t\""));
      m.close();
      assertEquals(List.of(), registry.getMeters());
    } finally {
      registry.close();
    }
  }

  @Test
  void eachCallGivesItsOwnRegistry() {
    PrometheusMeterRegistry m1 = MetricsSetup.newRegistry("m1");
    PrometheusMeterRegistry m2 = MetricsSetup.newRegistry("m2");
    try {
      new FlowMetrics(m1, "A", "B");
      new FlowMetrics(m2, "A", "B");
      assertTrue(m1.getMeters().stream().allMatch(x -> "m1".equals(x.getId().getTag("member"))));
      assertTrue(m2.getMeters().stream().allMatch(x -> "m2".equals(x.getId().getTag("member"))));
      assertFalse(m1.scrape().contains("member=\"m2\""));
    } finally {
      m1.close();
      m2.close();
    }
  }

  @Test
  void plainRegistryHasNoMemberTag() {
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry();
    try {
      new FlowMetrics(registry, "A", "B");
      assertTrue(registry.getMeters().stream().allMatch(x -> x.getId().getTag("member") == null));
      assertFalse(registry.scrape().contains("member="));
      assertNull(registry.find("vmm_failed_partitions").tag("member", "m1").gauge());
    } finally {
      registry.close();
    }
  }

  /**
   * A Vert.x instance reporting into a new registry, with several event-bus consumers and HTTP requests over
   * several connections (as every start and the health probes make): no meter is registered twice (Micrometer
   * logs that once per JVM at WARN, then at DEBUG: both are watched).
   */
  @Test
  void consumersRequestsAndConnectionsRegisterNoGaugeTwice() throws Exception {
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry();
    try (LogCapture logs = LogCapture.start(Map.of("io.micrometer.core.instrument.MeterRegistry", "DEBUG"))) {
      Vertx vertx = MetricsSetup.newVertx(registry);
      try {
        for (String address : List.of("a", "b", "a")) {
          vertx.eventBus().consumer(address, m -> { }).completion().await(5, TimeUnit.SECONDS);
        }
        int port = vertx.createHttpServer().requestHandler(r -> r.response().end("ok")).listen(0)
            .await(5, TimeUnit.SECONDS).actualPort();
        // probes from outside (as kubelet's): a new client, so a new connection, per request; the mirror itself
        // runs no Vert.x HTTP client
        for (int i = 0; i < 4; i++) {
          java.net.http.HttpResponse<String> r = io.vmm.testkit.Http.send(io.vmm.testkit.Http.client(), "GET",
              "http://127.0.0.1:" + port + "/", null);
          assertEquals(200, r.statusCode());
        }
        assertEquals(List.of(), logs.messagesContaining("already registered"));
        assertTrue(registry.getMeters().stream().noneMatch(m -> MetricsSetup.perInstanceGauge(m.getId().getName())));
        assertTrue(registry.getMeters().stream().anyMatch(m -> m.getId().getName().startsWith("vertx.eventbus.")),
            "the other event-bus meters stay");
        assertTrue(registry.getMeters().stream().anyMatch(m -> m.getId().getName().startsWith("vertx.http.server.")),
            "the other HTTP server meters stay");
      } finally {
        vertx.close().await(5, TimeUnit.SECONDS);
      }
    } finally {
      registry.close();
    }
  }
}
