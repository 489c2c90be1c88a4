package io.vmm.heartbeat;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vmm.kafka.FlowAdmins;
import io.vmm.kafka.KafkaFutures;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MirrorHeartbeatConnector of a flow {@code A->B}: every {@code emit.heartbeats.interval.seconds} (default 1)
 * writes Heartbeat(A, B, now) to partition 0 of {@code heartbeats} on B (record timestamp = value timestamp),
 * creating that topic if missing (1 partition, compacted, {@code heartbeats.topic.replication.factor}). Heartbeats
 * topics of the source are mirrored like any topic ({@code heartbeats.replication.enabled}), which is how chains
 * {@code A.heartbeats}, {@code B.A.heartbeats} appear downstream.
 * <p>
 * Deployed as a <b>worker</b> verticle: a {@code send()} waits for metadata (the first one, or when the target is
 * unreachable, up to {@code max.block.ms}) on a worker thread, never on an event loop. A failed send is logged at
 * most every 30 s and the next heartbeat goes on.
 */
public final class HeartbeatVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatVerticle.class);
  /** MM2's heartbeats topic name; not affected by the replication policy separator. */
  public static final String TOPIC = "heartbeats";

  private final FlowSpec flow;
  private final io.vmm.metrics.FlowMetrics metrics;
  private final byte[] key;
  private KafkaProducer<byte[], byte[]> producer;
  private long timer = -1;
  private volatile long lastErrorLog;

  /**
   * @param flow    the flow whose MirrorHeartbeatConnector this is
   * @param metrics the flow's metrics: each acknowledged heartbeat resets {@code vmm_heartbeat_age_ms}
   */
  public HeartbeatVerticle(FlowSpec flow, io.vmm.metrics.FlowMetrics metrics) {
    this.flow = flow;
    this.metrics = metrics;
    this.key = HeartbeatCodec.key(flow.id().source(), flow.id().target());
  }

  @Override
  public Future<?> start() {
    ConnectorConfig c = flow.heartbeatConnector().config();
    short rf = c.getShort(ConnectorKeys.HEARTBEATS_TOPIC_REPLICATION_FACTOR);
    NewTopic topic = new NewTopic(TOPIC, Optional.of(1), rf < 0 ? Optional.empty() : Optional.of(rf))
        .configs(Map.of("cleanup.policy", "compact"));
    return FlowAdmins.create(vertx, flow, "heartbeat")
        .compose(admins -> admins.call(context, admins.target().createTopics(List.of(topic)).all(),
                "create " + TOPIC + " topic")
            .recover(e -> KafkaFutures.causedBy(e, TopicExistsException.class)
                ? Future.succeededFuture() : Future.failedFuture(e))
            .eventually(() -> admins.close(vertx)))
        .compose(v -> vertx.executeBlocking(() -> new KafkaProducer<byte[], byte[]>(
            flow.target().producerConfig(flow.name() + "|heartbeat-producer")), false))
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
          vertx.eventBus().publish(io.vmm.bus.Addresses.HEARTBEATS, new io.vertx.core.json.JsonObject()
              .put("flow", flow.name()).put("sourceClusterAlias", flow.id().source())
              .put("targetClusterAlias", flow.id().target()).put("timestamp", now));
        } else {
          warn(e);
        }
      });
    } catch (RuntimeException e) {
      // e.g. metadata for the topic not available within max.block.ms, or interrupted at undeploy
      warn(e);
    }
  }

  private void warn(Exception e) {
    if (System.currentTimeMillis() - lastErrorLog > 30_000) {
      lastErrorLog = System.currentTimeMillis();
      LOG.warn("{} heartbeat not written to {} (repeats are logged every 30 s): {}", flow.name(), TOPIC, e.toString());
    }
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    KafkaProducer<byte[], byte[]> p = producer;
    return p == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      p.close(Duration.ofSeconds(2));
      return null;
    }, false);
  }
}
