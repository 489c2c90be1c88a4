package io.vmm.metrics;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vmm.async.PeriodicTask;
import io.vmm.async.Budgets;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.kafka.KafkaFutures;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Refreshes the source log start and end offsets of every partition this replica mirrors for a flow, every
 * {@code intervalMs} (the first time after {@code min(1 s, intervalMs)}), into {@link PartitionMetrics#logOffsets},
 * from which the replication lag in records and ms is computed. One source admin client, two {@code listOffsets}
 * requests (earliest, latest) per refresh, each bounded by {@code min(2 × intervalMs, admin.timeout.ms)}; the
 * next refresh starts {@code intervalMs} after the previous one ended ({@link PeriodicTask}: never overlapping).
 * A failed refresh keeps the previous figures and is logged (throttled) as "{@code <flow> replication lag refresh
 * failed, will retry}".
 * <p>
 * Threading: event-loop verticle; Admin calls are non-blocking and complete on this context; the admin is created
 * and closed (within {@link Budgets#CLIENT_CLOSE_MS}) on a worker thread.
 */
public final class LagMonitorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LagMonitorVerticle.class);

  private final FlowSpec flow;
  private final FlowMetrics metrics;
  private final long intervalMs;
  private Admin admin;
  private Duration timeout;
  private PeriodicTask task;

  /**
   * @param flow       the flow
   * @param metrics    the flow's metrics: the partitions to watch and where the offsets go
   * @param intervalMs refresh interval, ms
   */
  public LagMonitorVerticle(FlowSpec flow, FlowMetrics metrics, long intervalMs) {
    this.flow = flow;
    this.metrics = metrics;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    timeout = Duration.ofMillis(Math.min(intervalMs * 2,
        flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS)));
    return vertx.executeBlocking(() -> Admin.create(flow.source().adminConfig(flow.name() + "|lag-monitor|source-admin")),
        false).onSuccess(a -> {
          admin = a;
          task = PeriodicTask.start(vertx, flow.name() + " replication lag refresh", Math.min(1_000, intervalMs),
              intervalMs, this::refresh, LOG);
        });
  }

  /** One refresh: both offset lists, then every partition's figures at once. */
  private Future<?> refresh() {
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (PartitionMetrics p : metrics.partitions()) {
      earliest.put(p.source(), OffsetSpec.earliest());
      latest.put(p.source(), OffsetSpec.latest());
    }
    if (latest.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Map<TopicPartition, ListOffsetsResultInfo>> starts =
        KafkaFutures.on(context, admin.listOffsets(earliest).all(), timeout, flow.name() + " lag: log start offsets");
    Future<Map<TopicPartition, ListOffsetsResultInfo>> ends =
        KafkaFutures.on(context, admin.listOffsets(latest).all(), timeout, flow.name() + " lag: log end offsets");
    return Future.all(starts, ends).onSuccess(both -> {
      long now = System.currentTimeMillis();
      ends.result().forEach((tp, end) -> {
        PartitionMetrics p = metrics.partitionOrNull(tp);
        ListOffsetsResultInfo start = starts.result().get(tp);
        if (p != null && start != null) {
          p.logOffsets(start.offset(), end.offset(), now);
        }
      });
    });
  }

  @Override
  public Future<?> stop() {
    if (task != null) {
      task.cancel();
    }
    Admin a = admin;
    return a == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      a.close(Duration.ofMillis(Budgets.ADMIN_CLOSE_MS)); // a refresh in flight is abandoned, not awaited
      return null;
    }, false);
  }
}
