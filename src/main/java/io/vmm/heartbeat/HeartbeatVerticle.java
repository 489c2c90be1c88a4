package io.vmm.heartbeat;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vmm.async.Budgets;
import io.vmm.async.ThrottledLog;
import io.vmm.bus.Addresses;
import io.vmm.config.ClientOverrides;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.kafka.CompactedTopics;
import io.vmm.kafka.FlowAdmins;
import io.vmm.metrics.FlowMetrics;
import io.vmm.policy.InternalTopics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The MirrorHeartbeatConnector of a flow {@code A->B} (after MM2's {@code MirrorHeartbeatTask}): every
 * {@code emit.heartbeats.interval.seconds} (default 1) writes Heartbeat(A, B, now) ({@link HeartbeatCodec}) to
 * partition 0 of {@link InternalTopics#HEARTBEATS} on B (record timestamp = value timestamp, epoch ms), creating
 * that topic if missing ({@link CompactedTopics}: 1 partition, {@code heartbeats.topic.replication.factor}).
 * Heartbeats topics of the source are mirrored like any topic ({@code heartbeats.replication.enabled}), which is
 * how chains {@code A.heartbeats}, {@code B.A.heartbeats} appear downstream.
 * <p>
 * Each heartbeat B acknowledged resets the flow's heartbeat age ({@link FlowMetrics#heartbeatAcknowledged}) and is
 * published cluster-wide on {@link Addresses#HEARTBEATS} as JSON
 * {@code {"flow","sourceClusterAlias","targetClusterAlias","timestamp"}}.
 * <p>
 * Deployed as a <b>worker</b> verticle: a {@code send()} waits for metadata (the first one, or when the target is
 * unreachable, up to {@code max.block.ms}) on a worker thread, never on an event loop. A failed send is logged
 * (throttled) and the next heartbeat goes on. Stop closes the producer within {@link Budgets#CLIENT_CLOSE_MS}.
 * The producer is the target cluster's, with the heartbeat connector's {@code producer.override.*} over it
 * ({@link ClientOverrides}). Deployed only when the mirror names {@code heartbeatConnector}.
 */
public final class HeartbeatVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatVerticle.class);
  private static final String TOPIC = InternalTopics.HEARTBEATS;

  private final FlowSpec flow;
  private final FlowMetrics metrics;
  private final byte[] key;
  private final ThrottledLog failures = new ThrottledLog(LOG);
  private KafkaProducer<byte[], byte[]> producer;
  private long timer = -1;

  /**
   * @param flow    the flow whose MirrorHeartbeatConnector this is
   * @param metrics the flow's metrics: each acknowledged heartbeat resets {@code vmm_heartbeat_age_ms}
   */
  public HeartbeatVerticle(FlowSpec flow, FlowMetrics metrics) {
    this.flow = flow;
    this.metrics = metrics;
    this.key = HeartbeatCodec.key(flow.id().source(), flow.id().target());
  }

  @Override
  public Future<?> start() {
    ConnectorConfig c = flow.heartbeatConnector().config();
    short rf = c.getShort(ConnectorKeys.HEARTBEATS_TOPIC_REPLICATION_FACTOR);
    Duration timeout = Duration.ofMillis(flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS));
    return FlowAdmins.create(vertx, flow, "heartbeat")
        .compose(admins -> CompactedTopics.ensure(context, admins.target(), TOPIC, 1, rf, timeout)
            .eventually(() -> admins.close(vertx)))
        .recover(e -> Future.failedFuture(new IllegalStateException(flow.name() + " " + e.getMessage(), e)))
        .compose(created -> vertx.executeBlocking(() -> new KafkaProducer<byte[], byte[]>(ClientOverrides.apply(
            flow.target().producerConfig(flow.name() + "|heartbeat-producer"),
            c.clients().producerOverride())), false))
        .onSuccess(p -> {
          producer = p;
          long intervalMs = c.getSeconds(ConnectorKeys.EMIT_HEARTBEATS_INTERVAL_SECONDS).toMillis();
          emit();
          timer = vertx.setPeriodic(intervalMs, id -> emit());
          LOG.info("{} emitting heartbeats to {} every {} ms", flow.name(), TOPIC, intervalMs);
        });
  }

  private void emit() {
    long now = System.currentTimeMillis();
    try {
      producer.send(new ProducerRecord<>(TOPIC, 0, now, key, HeartbeatCodec.value(now)), (md, e) -> {
        if (e == null) {
          metrics.heartbeatAcknowledged(System.currentTimeMillis());
          vertx.eventBus().publish(Addresses.HEARTBEATS, new JsonObject()
              .put("flow", flow.name()).put("sourceClusterAlias", flow.id().source())
              .put("targetClusterAlias", flow.id().target()).put("timestamp", now));
        } else {
          notWritten(e);
        }
      });
    } catch (RuntimeException e) {
      // e.g. metadata for the topic not available within max.block.ms, or interrupted at undeploy
      notWritten(e);
    }
  }

  private void notWritten(Exception e) {
    failures.warn("{} heartbeat not written to {}: {}", flow.name(), TOPIC, e.toString());
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    KafkaProducer<byte[], byte[]> p = producer;
    return p == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      p.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS));
      return null;
    }, false);
  }
}
