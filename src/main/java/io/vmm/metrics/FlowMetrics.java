package io.vmm.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The Prometheus meters of one flow {@code A->B} and the state behind them.
 * <p>
 * MM2-compatible names, as Strimzi's JMX-exporter rules print MM2's MBeans (all gauges):
 * {@code kafka_connect_mirror_source_connector_<metric>{source,target,topic,partition}} for record-count,
 * record-rate, byte-count, byte-rate, record-age-ms(-min/-max/-avg) and replication-latency-ms(-min/-max/-avg),
 * where {@code topic} is the remote (target-side) topic as in MM2; and
 * {@code kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms(_min/_max/_avg){source,target,group,topic,partition}}.
 * Rates are per second, ages and latencies in ms over MM2's 2 × 30 s window.
 * <p>
 * Ours: {@code vmm_replication_lag_records} and {@code vmm_replication_lag_ms} per partition,
 * {@code vmm_heartbeat_age_ms} (ms since the newest heartbeat that reached the target through this flow's data
 * path was emitted on the source: {@link #heartbeatMirrored}),
 * {@code vmm_inflight_records}/{@code vmm_inflight_bytes} per task, the counters
 * {@code vmm_passthrough_batches_total} and {@code vmm_passthrough_decoded_records_total} per task (batch
 * pass-through: batches written unchanged, records decoded from batches that could not pass), {@code vmm_failed_partitions},
 * {@code vmm_source_resets}, {@code vmm_connector_running{connector}} (1 or 0), and the counter
 * {@code vmm_skipped_records_total{source,target,topic,partition}} (records the target refused for good and that were
 * skipped, legacy MM1 mode with {@code abortOnSendFailure=false}; registered on a partition's first skip); with
 * exactly-once, per task, {@code vmm_transactions_committed_total}, {@code vmm_transactions_aborted_total},
 * {@code vmm_transaction_commit_latency_ms(_min/_max/_avg)} and {@code vmm_transaction_records(_avg...)}
 * ({@link #transactions}).
 * <p>
 * The per-partition series are no Micrometer meters: on a Prometheus registry, {@link PartitionCollector} computes
 * them at scrape time from {@link #partitions()} (no heap per partition beyond its {@link PartitionMetrics});
 * another registry (tests) does not export them. The other meters are registered once per task or group.
 * Everything is removed by {@link #close()} when the flow is removed; a closed instance registers nothing more.
 * Micrometer shares a meter between registrations with the same name and tags, so keep at most one open instance
 * per flow and registry: close the old one before creating its replacement. Thread-safe: tasks, the checkpointer, the heartbeat emitter and scrapes use it
 * concurrently.
 */
public final class FlowMetrics implements AutoCloseable {

  static final String SOURCE_PREFIX = "kafka_connect_mirror_source_connector_";
  static final String CHECKPOINT_PREFIX = "kafka_connect_mirror_checkpoint_connector_";

  private final MeterRegistry registry;
  private final String source;
  private final String target;
  private final Tags flowTags;
  private final Map<TopicPartition, PartitionMetrics> partitions = new ConcurrentHashMap<>();
  private final Map<Integer, TaskMetrics> tasks = new ConcurrentHashMap<>();
  private final Map<Integer, TransactionMetrics> transactions = new ConcurrentHashMap<>();
  private final Map<String, SampledStat> checkpoints = new ConcurrentHashMap<>();
  private final List<Meter> meters = new ArrayList<>();
  private final Map<TopicPartition, AtomicLong> skipped = new ConcurrentHashMap<>();
  private final AtomicLong newestHeartbeatMs = new AtomicLong(-1);
  private volatile int failedPartitions;
  private volatile long sourceResets;
  private final Map<String, Boolean> running = new ConcurrentHashMap<>();
  private volatile boolean closed;
  /** Exports the partition series; null on a non-Prometheus registry. */
  private final PartitionCollector partitionSeries;

  /** In-flight figures of one source task, published by the task after each batch and answer. */
  public static final class TaskMetrics {
    volatile long inFlightRecords;
    volatile long inFlightBytes;
    final AtomicLong passedThrough = new AtomicLong();
    final AtomicLong decoded = new AtomicLong();
    /** Guarded by the meters' lock. */
    boolean passThroughRegistered;

    /**
     * Counts what a pass-through task ({@code vmm.data.path=batch}) wrote: {@code batches} record batches written
     * unchanged, {@code records} records decoded from batches that could not pass through and handed to the
     * producer. Thread-safe (called from the producer's threads).
     */
    public void passThrough(int batches, int records) {
      passedThrough.addAndGet(batches);
      decoded.addAndGet(records);
    }

    /** Sets the task's records and key+value bytes sent and not yet acknowledged. */
    public void inFlight(long records, long bytes) {
      this.inFlightRecords = records;
      this.inFlightBytes = bytes;
    }
  }

  /**
   * Transaction figures of one exactly-once source task (its transactional producer): counters of committed and
   * aborted transactions, commit latency (ms from the first commit attempt, progress records included, to the
   * successful {@code commitTransaction()}) and records per committed transaction, each over MM2's 2 x 30 s
   * window. Written by the producer's worker thread, read by scrapes; thread-safe.
   */
  public static final class TransactionMetrics {
    final AtomicLong committed = new AtomicLong();
    final AtomicLong aborted = new AtomicLong();
    final SampledStat commitLatency = new SampledStat();
    final SampledStat records = new SampledStat();

    /** A transaction of {@code n} mirrored records committed; its commit took {@code latencyMs}. */
    public void committed(long n, long latencyMs) {
      long now = System.currentTimeMillis();
      committed.incrementAndGet();
      commitLatency.record(latencyMs, now);
      records.record(n, now);
    }

    /** A transaction was aborted. */
    public void aborted() {
      aborted.incrementAndGet();
    }

    public long committedCount() {
      return committed.get();
    }

    public long abortedCount() {
      return aborted.get();
    }
  }

  public FlowMetrics(MeterRegistry registry, String source, String target) {
    this(registry, source, target, List.of("MirrorSourceConnector", "MirrorCheckpointConnector",
        "MirrorHeartbeatConnector"));
  }

  /**
   * @param connectors MM2 names of the connectors the flow runs (a connector left out of the mirror gets no
   *                   {@code vmm_connector_running} gauge)
   */
  public FlowMetrics(MeterRegistry registry, String source, String target, List<String> connectors) {
    this.registry = registry;
    this.source = source;
    this.target = target;
    this.flowTags = Tags.of("source", source, "target", target);
    this.partitionSeries = registry instanceof PrometheusMeterRegistry p ? PartitionCollector.of(p) : null;
    if (partitionSeries != null) {
      partitionSeries.add(this);
    }
    gauge("vmm_heartbeat_age_ms", flowTags, this, m -> {
      long age = m.heartbeatAgeMs();
      return age < 0 ? Double.NaN : age;
    });
    gauge("vmm_failed_partitions", flowTags, this, m -> m.failedPartitions);
    gauge("vmm_source_resets", flowTags, this, m -> m.sourceResets);
    for (String connector : connectors) {
      gauge("vmm_connector_running", flowTags.and("connector", connector), this,
          m -> Boolean.TRUE.equals(m.running.get(connector)) ? 1 : 0);
    }
  }

  /**
   * The metrics of a source partition, created on first use; exported (on a Prometheus registry) from then on until
   * {@link #release} or {@link #close}. A closed instance still answers but exports nothing.
   */
  public PartitionMetrics partition(TopicPartition tp, String remoteTopic) {
    return partitions.computeIfAbsent(tp, k -> new PartitionMetrics(tp, remoteTopic));
  }

  /** {@code name}, {@code name_min}, {@code name_max}, {@code name_avg} over a sampled stat. */
  private void stat(String name, Tags tags, SampledStat s) {
    gauge(name, tags, s, SampledStat::last);
    gauge(name + "_min", tags, s, x -> x.min(System.currentTimeMillis()));
    gauge(name + "_max", tags, s, x -> x.max(System.currentTimeMillis()));
    gauge(name + "_avg", tags, s, x -> x.avg(System.currentTimeMillis()));
  }

  /**
   * Counts {@code n} records of source partition {@code tp} (mirrored to {@code remoteTopic}) that the target refused
   * for good and that were skipped (legacy MM1 {@code abortOnSendFailure=false}). Called by source tasks.
   */
  public void skipped(TopicPartition tp, String remoteTopic, int n) {
    skipped.computeIfAbsent(tp, k -> {
      AtomicLong count = new AtomicLong();
      synchronized (meters) {
        if (!closed) { // Prometheus name vmm_skipped_records_total
          meters.add(FunctionCounter.builder("vmm_skipped_records", count, AtomicLong::get)
              .tags(flowTags.and("topic", remoteTopic, "partition", Integer.toString(tp.partition())))
              .register(registry));
        }
      }
      return count;
    }).addAndGet(n);
  }

  /** Records skipped so far over the partitions this replica runs (see {@link #skipped}). */
  public long skippedRecords() {
    return skipped.values().stream().mapToLong(AtomicLong::get).sum();
  }

  private <T> void gauge(String name, Tags tags, T state, ToDoubleFunction<T> value) {
    synchronized (meters) {
      if (closed) {
        return;
      }
      meters.add(Gauge.builder(name, state, value).tags(tags).strongReference(true).register(registry));
    }
  }

  /**
   * Forgets source task {@code task} and partitions {@code tps} and removes their meters: this replica no
   * longer runs them (handed over to another member, cluster mode). They register again on next use.
   */
  public void release(int task, Collection<TopicPartition> tps) {
    synchronized (meters) {
      Set<String> released = new HashSet<>(); // "remoteTopic/partition", as the partition meters are tagged
      for (TopicPartition tp : tps) {
        skipped.remove(tp);
        PartitionMetrics p = partitions.remove(tp);
        if (p != null) {
          released.add(p.remoteTopic() + "/" + tp.partition());
        }
      }
      tasks.remove(task);
      transactions.remove(task);
      String taskTag = Integer.toString(task);
      meters.removeIf(m -> {
        Meter.Id id = m.getId();
        boolean gone = id.getTag("group") == null // checkpoint meters carry topic and partition too
            && (released.contains(id.getTag("topic") + "/" + id.getTag("partition")) || taskTag.equals(id.getTag("task")));
        if (gone) {
          registry.remove(m);
        }
        return gone;
      });
    }
  }

  /** The in-flight gauges of source task {@code task}, registered on first use. */
  public TaskMetrics task(int task) {
    return tasks.computeIfAbsent(task, t -> {
      TaskMetrics m = new TaskMetrics();
      Tags tags = flowTags.and("task", Integer.toString(t));
      gauge("vmm_inflight_records", tags, m, x -> x.inFlightRecords);
      gauge("vmm_inflight_bytes", tags, m, x -> x.inFlightBytes);
      return m;
    });
  }

  /**
   * {@link #task} of a task on the batch pass-through path, with its counters
   * {@code vmm_passthrough_batches_total} and {@code vmm_passthrough_decoded_records_total} registered on first
   * use (tags source, target, task; removed with the task's other meters by {@link #release}).
   */
  public TaskMetrics passThroughTask(int task) {
    TaskMetrics m = task(task);
    synchronized (meters) {
      if (!closed && !m.passThroughRegistered) {
        m.passThroughRegistered = true;
        Tags tags = flowTags.and("task", Integer.toString(task));
        meters.add(FunctionCounter.builder("vmm_passthrough_batches", m.passedThrough, AtomicLong::get)
            .tags(tags).register(registry));
        meters.add(FunctionCounter.builder("vmm_passthrough_decoded_records", m.decoded, AtomicLong::get)
            .tags(tags).register(registry));
      }
    }
    return m;
  }

  /**
   * The transaction meters of exactly-once source task {@code task}, registered on first use:
   * {@code vmm_transactions_committed_total}, {@code vmm_transactions_aborted_total},
   * {@code vmm_transaction_commit_latency_ms(_min/_max/_avg)} and {@code vmm_transaction_records(_min/_max/_avg)},
   * tags source, target, task; removed with the task's other meters by {@link #release}.
   */
  public TransactionMetrics transactions(int task) {
    return transactions.computeIfAbsent(task, t -> {
      TransactionMetrics m = new TransactionMetrics();
      Tags tags = flowTags.and("task", Integer.toString(t));
      synchronized (meters) {
        if (!closed) {
          meters.add(FunctionCounter.builder("vmm_transactions_committed", m.committed, AtomicLong::get)
              .tags(tags).register(registry));
          meters.add(FunctionCounter.builder("vmm_transactions_aborted", m.aborted, AtomicLong::get)
              .tags(tags).register(registry));
        }
      }
      stat("vmm_transaction_commit_latency_ms", tags, m.commitLatency);
      stat("vmm_transaction_records", tags, m.records);
      return m;
    });
  }

  /**
   * Records a checkpoint's latency (ms from creating the checkpoint to the target's acknowledgement), per
   * consumer group and remote topic partition, as MM2's {@code checkpoint-latency-ms}.
   */
  public void checkpointLatency(String group, String remoteTopic, int partition, long latencyMs) {
    String key = group + '\u0000' + remoteTopic + '\u0000' + partition;
    SampledStat s = checkpoints.computeIfAbsent(key, k -> {
      SampledStat stat = new SampledStat();
      stat(CHECKPOINT_PREFIX + "checkpoint_latency_ms",
          flowTags.and("group", group, "topic", remoteTopic, "partition", Integer.toString(partition)), stat);
      return stat;
    });
    s.record(latencyMs, System.currentTimeMillis());
  }

  /**
   * The target acknowledged mirrored heartbeat records (of a heartbeats topic of the source, e.g. {@code heartbeats}
   * on A, written to {@code A.heartbeats} on B) whose newest timestamp is {@code heartbeatTimestampMs} (epoch ms,
   * the time the heartbeat was emitted). The heartbeat age only moves forward: an older one is ignored.
   * Called by source tasks on their event loops.
   */
  public void heartbeatMirrored(long heartbeatTimestampMs) {
    newestHeartbeatMs.accumulateAndGet(heartbeatTimestampMs, Math::max);
  }

  /**
   * Ms between now and the emit time of the newest heartbeat that arrived on the target through this flow's data
   * path, or -1 when none yet. A stalled data path makes it grow even while heartbeats are still emitted.
   */
  public long heartbeatAgeMs() {
    long last = newestHeartbeatMs.get();
    return last < 0 ? -1 : System.currentTimeMillis() - last;
  }

  /** Sets the connector-level figures (from the flow runner). */
  public void flowState(int failedPartitions, long sourceResets) {
    this.failedPartitions = failedPartitions;
    this.sourceResets = sourceResets;
  }

  /** Sets whether {@code connector} (MirrorSourceConnector, ...) is running. */
  public void running(String connector, boolean isRunning) {
    running.put(connector, isRunning);
  }

  /** Every partition seen so far. */
  public Collection<PartitionMetrics> partitions() {
    return partitions.values();
  }

  /** The partition's metrics if it has any, else null. */
  public PartitionMetrics partitionOrNull(TopicPartition tp) {
    return partitions.get(tp);
  }

  public String source() {
    return source;
  }

  public String target() {
    return target;
  }

  /** Removes every meter of this flow from the registry. Idempotent. */
  @Override
  public void close() {
    synchronized (meters) {
      if (closed) {
        return;
      }
      closed = true;
      if (partitionSeries != null) {
        partitionSeries.remove(this);
      }
      meters.forEach(registry::remove);
      meters.clear();
    }
  }
}
