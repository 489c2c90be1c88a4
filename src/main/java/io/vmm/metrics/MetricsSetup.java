package io.vmm.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates a replica's Prometheus registry and a Vert.x instance that reports into it: Vert.x metrics (event
 * bus, HTTP server, pools: {@code vertx_*}) and the JVM binders (memory, GC, threads, class loading, CPU:
 * {@code jvm_*}, {@code process_*}, {@code system_*}), next to the mirror's own meters ({@link FlowMetrics}).
 * Each registry gets its own Vert.x registry name, so several instances in one JVM (tests) never share one.
 */
public final class MetricsSetup {

  private static final AtomicInteger SEQ = new AtomicInteger();

  private MetricsSetup() {
  }

  /**
   * A new, empty Prometheus registry. It never holds Vert.x's per-instance gauges ({@link #perInstanceGauge}):
   * vertx-micrometer-metrics 5.0 registers each of them again for every event-bus consumer, HTTP request or
   * connection, each time with a new value supplier under the same id, which Micrometer (since 1.13.9) reports as
   * a WARN "Gauge has been already registered" at every start and on the first health probes
   * (vertx-micrometer-metrics issue 259). Their values were process-wide counts of in-flight work of the HTTP API
   * and the event bus; the counters and timers of both ({@code vertx_eventbus_processed_total},
   * {@code vertx_http_server_requests_total}, ...) and the pool gauges stay.
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = create();
    PartitionCollector.attach(registry);
    return registry;
  }

  private static PrometheusMeterRegistry create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.deny(id -> perInstanceGauge(id.getName())));
    return registry;
  }

  /**
   * True for the Micrometer names of Vert.x gauges registered once per consumer, request or connection:
   * {@code vertx.eventbus.handlers}, {@code vertx.eventbus.pending}, and the HTTP and net servers' and clients'
   * {@code *.active.requests}, {@code *.active.connections}, {@code *.active.ws.connections}.
   */
  static boolean perInstanceGauge(String name) {
    if (name.equals("vertx.eventbus.handlers") || name.equals("vertx.eventbus.pending")) {
      return true;
    }
    return (name.startsWith("vertx.http.") || name.startsWith("vertx.net."))
        && (name.endsWith(".active.requests") || name.endsWith(".active.connections")
        || name.endsWith(".active.ws.connections"));
  }

  /**
   * A new registry whose every meter carries the tag {@code member=<memberName>} (cluster mode: tells the
   * replicas apart in one Prometheus). Tagging is set up before any meter exists, so none lacks it; the
   * per-partition series ({@link PartitionCollector}) carry the same label.
   */
  public static PrometheusMeterRegistry newRegistry(String memberName) {
    PrometheusMeterRegistry registry = create();
    registry.config().commonTags("member", memberName);
    PartitionCollector.attach(registry, "member", memberName);
    return registry;
  }

  /** A Vert.x instance whose metrics and JVM metrics go to {@code registry}. Call from a non-Vert.x thread. */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metricsOptions()))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /** Vert.x metrics and JVM metrics on, with a registry name of their own. */
  public static MicrometerMetricsOptions metricsOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName("vmm-" + SEQ.incrementAndGet());
  }
}
