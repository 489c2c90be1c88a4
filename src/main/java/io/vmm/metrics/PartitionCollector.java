package io.vmm.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The per-partition gauges of every flow on one Prometheus registry, computed at scrape time from the flows'
 * {@link PartitionMetrics}, so a partition costs no meter objects: 14 Micrometer gauges per partition took
 * about 6 KB of heap each partition (over 30 MB at 5,000 partitions, issue 17's scale target).
 * <p>
 * Series, all gauges, labelled {@code source}, {@code target}, {@code topic} (the remote topic, as MM2),
 * {@code partition}, plus the registry's common labels ({@code member} in cluster mode, {@link #attach}):
 * MM2's {@code kafka_connect_mirror_source_connector_} record_count, record_rate (records/s), byte_count,
 * byte_rate (bytes/s), record_age_ms(_min/_max/_avg) and replication_latency_ms(_min/_max/_avg), and ours,
 * {@code vmm_replication_lag_records} and {@code vmm_replication_lag_ms} (NaN while unknown).
 * <p>
 * When two open flows report the same series (a flow restarted before the old metrics closed), the later one
 * wins; series are never doubled. Thread-safety: flows join and leave from any thread; {@link #collect} runs on
 * the scrape thread and reads each partition under its own lock.
 */
final class PartitionCollector implements MultiCollector {

  private static final Map<PrometheusRegistry, PartitionCollector> BY_REGISTRY =
      Collections.synchronizedMap(new WeakHashMap<>());

  private static final String MM2 = FlowMetrics.SOURCE_PREFIX;

  /** Series name -> value of one partition; the order of the exposition. */
  private static final Map<String, ToDoubleFunction<PartitionMetrics>> SERIES = series();

  private final Labels common;
  private final Set<FlowMetrics> flows = ConcurrentHashMap.newKeySet();

  private PartitionCollector(Labels common) {
    this.common = common;
  }

  private static Map<String, ToDoubleFunction<PartitionMetrics>> series() {
    Map<String, ToDoubleFunction<PartitionMetrics>> m = new LinkedHashMap<>();
    m.put(MM2 + "record_count", PartitionMetrics::recordCount);
    m.put(MM2 + "record_rate", p -> p.records().ratePerSecond(System.currentTimeMillis()));
    m.put(MM2 + "byte_count", PartitionMetrics::byteCount);
    m.put(MM2 + "byte_rate", p -> p.bytes().ratePerSecond(System.currentTimeMillis()));
    stat(m, MM2 + "record_age_ms", PartitionMetrics::age);
    stat(m, MM2 + "replication_latency_ms", PartitionMetrics::latency);
    m.put("vmm_replication_lag_records", p -> {
      long lag = p.lagRecords();
      return lag < 0 ? Double.NaN : lag;
    });
    m.put("vmm_replication_lag_ms", p -> p.lagMs(System.currentTimeMillis()));
    return Collections.unmodifiableMap(m);
  }

  /** {@code name} (last value), {@code name_min}, {@code name_max}, {@code name_avg} of a sampled stat. */
  private static void stat(Map<String, ToDoubleFunction<PartitionMetrics>> m, String name,
                           Function<PartitionMetrics, SampledStat> stat) {
    m.put(name, p -> stat.apply(p).last());
    m.put(name + "_min", p -> stat.apply(p).min(System.currentTimeMillis()));
    m.put(name + "_max", p -> stat.apply(p).max(System.currentTimeMillis()));
    m.put(name + "_avg", p -> stat.apply(p).avg(System.currentTimeMillis()));
  }

  /** The names of the series, in exposition order. */
  static List<String> names() {
    return List.copyOf(SERIES.keySet());
  }

  /**
   * Registers the collector of {@code registry} with these common labels ({@code name, value, ...}), e.g.
   * {@code member}; call once, right after creating the registry and before any flow uses it.
   *
   * @throws IllegalStateException if the registry already has one
   */
  static PartitionCollector attach(PrometheusMeterRegistry registry, String... commonLabels) {
    PrometheusRegistry prometheus = registry.getPrometheusRegistry();
    synchronized (BY_REGISTRY) {
      if (BY_REGISTRY.containsKey(prometheus)) {
        throw new IllegalStateException("partition collector already attached");
      }
      PartitionCollector c = new PartitionCollector(Labels.of(commonLabels));
      prometheus.register(c);
      BY_REGISTRY.put(prometheus, c);
      return c;
    }
  }

  /** The collector of {@code registry}, attached without common labels on first use. */
  static PartitionCollector of(PrometheusMeterRegistry registry) {
    synchronized (BY_REGISTRY) {
      PartitionCollector c = BY_REGISTRY.get(registry.getPrometheusRegistry());
      return c != null ? c : attach(registry);
    }
  }

  void add(FlowMetrics flow) {
    flows.add(flow);
  }

  void remove(FlowMetrics flow) {
    flows.remove(flow);
  }

  @Override
  public List<String> getPrometheusNames() {
    return names();
  }

  @Override
  public MetricSnapshots collect() {
    Map<Labels, PartitionMetrics> partitions = new LinkedHashMap<>();
    for (FlowMetrics flow : flows) {
      for (PartitionMetrics p : flow.partitions()) {
        partitions.put(common.merge(Labels.of("source", flow.source(), "target", flow.target(),
            "topic", p.remoteTopic(), "partition", Integer.toString(p.source().partition()))), p);
      }
    }
    if (partitions.isEmpty()) {
      return new MetricSnapshots(List.of());
    }
    List<MetricSnapshot> out = new ArrayList<>(SERIES.size());
    SERIES.forEach((name, value) -> {
      GaugeSnapshot.Builder g = GaugeSnapshot.builder().name(name);
      partitions.forEach((labels, p) ->
          g.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value.applyAsDouble(p)).build()));
      out.add(g.build());
    });
    return new MetricSnapshots(out);
  }
}
