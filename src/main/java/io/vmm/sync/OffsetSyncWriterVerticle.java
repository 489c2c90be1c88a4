package io.vmm.sync;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vmm.async.Budgets;
import io.vmm.async.ThrottledLog;
import io.vmm.bus.Addresses;
import io.vmm.bus.OffsetSync;
import io.vmm.bus.OffsetSyncBatch;
import io.vmm.config.ClientOverrides;
import io.vmm.config.ClusterSpec;
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
 * Writes a flow's offset syncs (MM2's {@code OffsetSyncWriter} output) to partition 0 of the flow's offset-syncs
 * topic ({@link InternalTopics#offsetSyncs()}: {@code mm2-offset-syncs.<target>.internal} on the source cluster,
 * or {@code mm2-offset-syncs.<source>.internal} on the target with {@code offset-syncs.topic.location=target}),
 * creating it if missing ({@link CompactedTopics}: 1 partition, {@code offset-syncs.topic.replication.factor}).
 * Receives {@link OffsetSyncBatch} on {@link Addresses#offsetSyncs}; record key and value are
 * {@link OffsetSyncCodec}'s. Send failures are logged (throttled) and the sync dropped, as MM2 only logs them.
 * The producer is that cluster's, with the source connector's {@code producer.*} over it (MM2
 * {@code offsetSyncsTopicProducerConfig}; {@link ClientOverrides}).
 * <p>
 * Deployed as a <b>worker</b> verticle: a send may wait for metadata on a worker thread, never an event loop; stop
 * closes the producer (flushing what is queued) within {@link Budgets#CLIENT_CLOSE_MS}.
 */
public final class OffsetSyncWriterVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OffsetSyncWriterVerticle.class);

  private final FlowSpec flow;
  private final InternalTopics topics;
  private final ThrottledLog failures = new ThrottledLog(LOG);
  private KafkaProducer<byte[], byte[]> producer;

  public OffsetSyncWriterVerticle(FlowSpec flow) {
    this.flow = flow;
    this.topics = InternalTopics.of(flow);
  }

  @Override
  public Future<?> start() {
    ClusterSpec cluster = topics.syncsOnTarget() ? flow.target() : flow.source();
    short rf = flow.sourceConnector().config().getShort(ConnectorKeys.OFFSET_SYNCS_TOPIC_REPLICATION_FACTOR);
    Duration timeout = Duration.ofMillis(flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS));
    return FlowAdmins.create(vertx, flow, "offset-syncs")
        .compose(admins -> CompactedTopics.ensure(context, topics.syncsOnTarget() ? admins.target() : admins.source(),
                topics.offsetSyncs(), 1, rf, timeout)
            .eventually(() -> admins.close(vertx)))
        .recover(e -> Future.failedFuture(new IllegalStateException(flow.name() + " " + e.getMessage(), e)))
        .compose(created -> vertx.executeBlocking(() -> new KafkaProducer<byte[], byte[]>(ClientOverrides.apply(
            cluster.producerConfig(flow.name() + "|offset-syncs-producer"),
            flow.sourceConnector().config().clients().producer())), false))
        .compose(p -> {
          producer = p;
          return vertx.eventBus().<OffsetSyncBatch>localConsumer(Addresses.offsetSyncs(flow.name()), this::onSyncs)
              .completion();
        })
        .onSuccess(v -> LOG.info("{} writing offset syncs to {} on {}", flow.name(), topics.offsetSyncs(),
            cluster.alias()));
  }

  private void onSyncs(Message<OffsetSyncBatch> message) {
    for (OffsetSync s : message.body().syncs()) {
      try {
        producer.send(new ProducerRecord<>(topics.offsetSyncs(), 0, OffsetSyncCodec.key(s.upstream()),
            OffsetSyncCodec.value(s.upstreamOffset(), s.downstreamOffset())), (md, e) -> {
              if (e != null) {
                notWritten(s, e);
              }
            });
      } catch (RuntimeException e) {
        // e.g. metadata not available within max.block.ms, or the producer closed at undeploy
        notWritten(s, e);
      }
    }
  }

  private void notWritten(OffsetSync s, Exception e) {
    failures.warn("{} {}: offset sync {} -> {} not written to {}: {}", flow.name(), s.upstream(), s.upstreamOffset(),
        s.downstreamOffset(), topics.offsetSyncs(), e.toString());
  }

  @Override
  public Future<?> stop() {
    if (producer != null) {
      producer.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS)); // worker thread; flushes what is queued
    }
    return Future.succeededFuture();
  }
}
