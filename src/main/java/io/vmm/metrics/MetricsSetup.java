package io.vmm.metrics;

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

  /** A new, empty Prometheus registry. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** A Vert.x instance whose metrics and JVM metrics go to {@code registry}. Call from a non-Vert.x thread. */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName("vmm-" + SEQ.incrementAndGet());
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(options))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }
}
