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
import io.vmm.policy.InternalTopics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The MirrorHeartbeatConnector of a flow {@code A->B}, connected to the <b>source</b> cluster A, as the seeds
 * describe ("the heartbeat connector must be connected to the source cluster"): every
 * {@code emit.heartbeats.interval.seconds} (default 1) it writes one heartbeat ({@link HeartbeatCodec}) to
 * partition 0 of {@link InternalTopics#HEARTBEATS} on A (record timestamp = value timestamp, epoch ms), creating
 * that topic if missing ({@link CompactedTopics}: compacted, 1 partition, {@code heartbeats.topic.replication.factor}).
 * The flow's own source connector mirrors it to B as {@code A.heartbeats} ({@code heartbeats.replication.enabled},
 * default true), so heartbeats on B prove the whole path and Apache Kafka's {@code RemoteClusterUtils} on B sees
 * {@code replicationHops(B, "A") == 1} and {@code upstreamClusters(B) = [A]}.
 * <p>
 * Record content: exactly what MM2's dedicated mode writes into A's {@code heartbeats} for the same result - there
 * the reverse herder {@code B->A}'s MirrorHeartbeatTask writes Heartbeat(sourceClusterAlias=B,
 * targetClusterAlias=A, now) into its target A (mm2-compatibility.md §7). So key = (B, A); the compacted topic
 * then holds one live key per flow out of A, as behind MM2.
 * <p>
 * The heartbeat age ({@code vmm_heartbeat_age_ms}, {@code heartbeatAgeMs}) is <b>not</b> set here: source tasks set
 * it when B acknowledged mirrored heartbeats ({@code FlowMetrics#heartbeatMirrored}), so a stalled data path shows.
 * Each heartbeat A acknowledged is published cluster-wide on {@link Addresses#HEARTBEATS} as JSON
 * {@code {"flow":"A->B","sourceClusterAlias":"B","targetClusterAlias":"A","timestamp","cluster":"A"}} (the
 * record's key aliases; {@code cluster}: where it was written) - on emit, since arrival on B is what the age
 * measures.
 * <p>
 * The flow's topic discovery creates the topic on A before its first listing (so the source connector mirrors it
 * from the start); this verticle ensures it too, for a source connector that is stopped or runs elsewhere.
 * <p>
 * Deployed as a <b>worker</b> verticle: a {@code send()} waits for metadata (the first one, or when A is
 * unreachable, up to {@code max.block.ms}) on a worker thread, never on an event loop. A failed send is logged
 * (throttled) and the next heartbeat goes on. Stop closes the producer within {@link Budgets#CLIENT_CLOSE_MS}.
 * The producer is the source cluster's, with the heartbeat connector's {@code producer.override.*} over it
 * ({@link ClientOverrides}). Deployed only when the mirror names {@code heartbeatConnector}.
 */
public final class HeartbeatVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatVerticle.class);
  private static final String TOPIC = InternalTopics.HEARTBEATS;

  private final FlowSpec flow;
  private final byte[] key;
  private final ThrottledLog failures = new ThrottledLog(LOG);
  private KafkaProducer<byte[], byte[]> producer;
  private long timer = -1;

  /** @param flow the flow {@code A->B} whose MirrorHeartbeatConnector this is (writes to A) */
  public HeartbeatVerticle(FlowSpec flow) {
    this.flow = flow;
    // what MM2's reverse herder B->A writes into A (see the class comment)
    this.key = HeartbeatCodec.key(flow.id().target(), flow.id().source());
  }

  @Override
  public Future<?> start() {
    ConnectorConfig c = flow.heartbeatConnector().config();
    short rf = c.getShort(ConnectorKeys.HEARTBEATS_TOPIC_REPLICATION_FACTOR);
    Duration timeout = Duration.ofMillis(flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS));
    return FlowAdmins.create(vertx, flow, "heartbeat")
        .compose(admins -> CompactedTopics.ensure(context, admins.source(), TOPIC, 1, rf, timeout)
            .eventually(() -> admins.close(vertx)))
        .recover(e -> Future.failedFuture(new IllegalStateException(flow.name() + " " + e.getMessage(), e)))
        .compose(created -> vertx.executeBlocking(() -> new KafkaProducer<byte[], byte[]>(ClientOverrides.apply(
            flow.source().producerConfig(flow.name() + "|heartbeat-producer"),
            c.clients().producerOverride())), false)
            .map(p -> {
              producer = p;
              long intervalMs = c.getSeconds(ConnectorKeys.EMIT_HEARTBEATS_INTERVAL_SECONDS).toMillis();
              emit();
              timer = vertx.setPeriodic(intervalMs, id -> emit());
              LOG.info("{} emitting heartbeats to {} on {}{} every {} ms, mirrored to {} as {}", flow.name(), TOPIC,
                  flow.id().source(), created ? " (topic created)" : "", intervalMs, flow.id().target(),
                  flow.replicationPolicy().formatRemoteTopic(flow.id().source(), TOPIC));
              return p;
            }));
  }

  private void emit() {
    long now = System.currentTimeMillis();
    try {
      producer.send(new ProducerRecord<>(TOPIC, 0, now, key, HeartbeatCodec.value(now)), (md, e) -> {
        if (e == null) {
          vertx.eventBus().publish(Addresses.HEARTBEATS, new JsonObject()
              .put("flow", flow.name()).put("sourceClusterAlias", flow.id().target())
              .put("targetClusterAlias", flow.id().source()).put("timestamp", now)
              .put("cluster", flow.id().source()));
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
    failures.warn("{} heartbeat not written to {} on {}: {}", flow.name(), TOPIC, flow.id().source(), e.toString());
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
