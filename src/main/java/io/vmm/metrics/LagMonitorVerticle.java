package io.vmm.metrics;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vmm.kafka.KafkaFutures;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Refreshes the source log start and end offsets of every partition this replica mirrors for a flow, every
 * {@code intervalMs}, into {@link PartitionMetrics#logOffsets}, from which the replication lag in records and
 * ms is computed. One source admin client, two {@code listOffsets} requests (earliest, latest) per refresh, the
 * next refresh scheduled only after the previous one ended (never overlapping). A failed refresh keeps the
 * previous figures and logs at most one warning per minute.
 * <p>
 * Threading: event-loop verticle; Admin calls are non-blocking and bridged back to this context; the admin is
 * created and closed on a worker thread.
 */
public final class LagMonitorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LagMonitorVerticle.class);

  private final FlowSpec flow;
  private final FlowMetrics metrics;
  private final long intervalMs;
  private Admin admin;
  private Duration timeout;
  private long timer = -1;
  private boolean stopped;
  private long lastWarn;

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
          timer = vertx.setTimer(Math.min(1_000, intervalMs), id -> refresh());
        });
  }

  private void refresh() {
    if (stopped) {
      return;
    }
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (PartitionMetrics p : metrics.partitions()) {
      earliest.put(p.source(), OffsetSpec.earliest());
      latest.put(p.source(), OffsetSpec.latest());
    }
    if (latest.isEmpty()) {
      schedule();
      return;
    }
    Future<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> starts =
        KafkaFutures.on(context, admin.listOffsets(earliest).all(), timeout, flow.name() + " lag: log start offsets");
    Future<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> ends =
        KafkaFutures.on(context, admin.listOffsets(latest).all(), timeout, flow.name() + " lag: log end offsets");
    Future.all(starts, ends).onComplete(ar -> {
      if (ar.succeeded()) {
        long now = System.currentTimeMillis();
        ends.result().forEach((tp, end) -> {
          PartitionMetrics p = metrics.partitionOrNull(tp);
          ListOffsetsResult.ListOffsetsResultInfo start = starts.result().get(tp);
          if (p != null && start != null) {
            p.logOffsets(start.offset(), end.offset(), now);
          }
        });
      } else if (System.currentTimeMillis() - lastWarn > 60_000) {
        lastWarn = System.currentTimeMillis();
        LOG.warn("{} replication lag not refreshed (repeats are logged every 60 s): {}", flow.name(),
            ar.cause().getMessage());
      }
      schedule();
    });
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(intervalMs, id -> refresh());
    }
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Admin a = admin;
    return a == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      a.close(Duration.ofSeconds(2));
      return null;
    }, false);
  }
}
