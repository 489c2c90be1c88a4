package io.vmm.sync;

import io.vmm.bus.OffsetSync;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vmm.bus.Addresses;
import io.vmm.bus.OffsetSyncBatch;
import io.vmm.kafka.FlowAdmins;
import io.vmm.kafka.KafkaFutures;
import io.vmm.config.ClusterSpec;
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
 * Writes a flow's offset syncs (MM2's {@code OffsetSyncWriter} output) to partition 0 of
 * {@code mm2-offset-syncs.<target>.internal} on the source cluster, or {@code mm2-offset-syncs.<source>.internal}
 * on the target with {@code offset-syncs.topic.location=target} (names from the replication policy, so custom
 * separators apply as in MM2), creating it if missing: 1 partition, compacted,
 * {@code offset-syncs.topic.replication.factor}. Receives {@link OffsetSyncBatch} on
 * {@link Addresses#offsetSyncs}; send failures are logged (at most every 30 s), as MM2 only logs them.
 * <p>
 * Deployed as a <b>worker</b> verticle: a send may wait for metadata on a worker thread, never an event loop.
 */
public final class OffsetSyncWriterVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OffsetSyncWriterVerticle.class);

  private final FlowSpec flow;
  private final boolean onTarget;
  private final String topic;
  private KafkaProducer<byte[], byte[]> producer;
  private volatile long lastErrorLog;

  public OffsetSyncWriterVerticle(FlowSpec flow) {
    this.flow = flow;
    this.onTarget = "target".equals(flow.sourceConnector().config().getString(ConnectorKeys.OFFSET_SYNCS_TOPIC_LOCATION));
    this.topic = topicName(flow);
  }

  /** The flow's offset-syncs topic name, after MM2's {@code offset-syncs.topic.location} rule. */
  public static String topicName(FlowSpec flow) {
    boolean onTarget = "target".equals(
        flow.sourceConnector().config().getString(ConnectorKeys.OFFSET_SYNCS_TOPIC_LOCATION));
    return flow.replicationPolicy().offsetSyncsTopic(onTarget ? flow.id().source() : flow.id().target());
  }

  @Override
  public Future<?> start() {
    ClusterSpec cluster = onTarget ? flow.target() : flow.source();
    short rf = flow.sourceConnector().config().getShort(ConnectorKeys.OFFSET_SYNCS_TOPIC_REPLICATION_FACTOR);
    NewTopic newTopic = new NewTopic(topic, Optional.of(1), rf < 0 ? Optional.empty() : Optional.of(rf))
        .configs(Map.of("cleanup.policy", "compact"));
    return FlowAdmins.create(vertx, flow, "offset-syncs")
        .compose(admins -> admins.call(context,
                (onTarget ? admins.target() : admins.source()).createTopics(List.of(newTopic)).all(),
                "create " + topic)
            .recover(e -> KafkaFutures.causedBy(e, TopicExistsException.class)
                ? Future.succeededFuture() : Future.failedFuture(e))
            .eventually(() -> admins.close(vertx)))
        .compose(v -> vertx.executeBlocking(() -> new KafkaProducer<byte[], byte[]>(
            cluster.producerConfig(flow.name() + "|offset-syncs-producer")), false))
        .compose(p -> {
          producer = p;
          return vertx.eventBus().<OffsetSyncBatch>localConsumer(Addresses.offsetSyncs(flow.name()), this::onSyncs)
              .completion();
        })
        .onSuccess(v -> LOG.info("{} writing offset syncs to {} on {}", flow.name(), topic, cluster.alias()));
  }

  private void onSyncs(Message<OffsetSyncBatch> message) {
    for (OffsetSync s : message.body().syncs()) {
      producer.send(new ProducerRecord<>(topic, 0, OffsetSyncCodec.key(s.upstream()),
          OffsetSyncCodec.value(s.upstreamOffset(), s.downstreamOffset())), (md, e) -> {
            if (e != null && System.currentTimeMillis() - lastErrorLog > 30_000) {
              lastErrorLog = System.currentTimeMillis();
              LOG.warn("{} {}: offset sync {} -> {} not written (repeats are logged every 30 s): {}", flow.name(),
                  s.upstream(), s.upstreamOffset(), s.downstreamOffset(), e.toString());
            }
          });
    }
  }

  @Override
  public Future<?> stop() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(3)); // worker thread; flushes what is queued
    }
    return Future.succeededFuture();
  }
}
