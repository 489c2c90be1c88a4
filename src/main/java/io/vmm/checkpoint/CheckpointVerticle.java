package io.vmm.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.policy.ReplicationRules;
import io.vmm.sync.OffsetSyncCodec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The MirrorCheckpointConnector of a flow {@code A->B} (after MM2 {@code MirrorCheckpointTask}): every
 * {@code emit.checkpoints.interval.seconds} it reads new offset syncs into an {@link OffsetSyncStore}, lists the
 * source consumer groups that pass the group filter and their committed offsets on replicated topics, translates
 * them, and writes Checkpoint records (MM2's bytes) to {@code <source>.checkpoints.internal} on the target
 * (1 partition, compacted, {@code checkpoints.topic.replication.factor}; record timestamp = when the offsets were
 * listed). A checkpoint is written only if it is the first for its group and partition, or the group rewound
 * upstream, or the downstream offset increased, so it never moves backwards otherwise. Existing checkpoints are
 * read back at start. No checkpoint is written before the offset-syncs topic was read to its end once.
 * <p>
 * Deployed as a <b>worker</b> verticle: its Kafka calls block a worker thread (each bounded by
 * {@code admin.timeout.ms}), never an event loop; runs are re-armed with setTimer, so they never overlap.
 */
public final class CheckpointVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointVerticle.class);

  private final FlowSpec flow;
  private final io.vmm.metrics.FlowMetrics metrics;
  private final ReplicationRules rules;
  private final String checkpointsTopic;
  private final String syncsTopic;
  private final long timeoutMs;
  private final OffsetSyncStore store = new OffsetSyncStore(100_000);
  /** group → downstream partition → last checkpoint written (or read back). */
  private final Map<String, Map<TopicPartition, long[]>> last = new HashMap<>();
  private Admin sourceAdmin;
  private Admin targetAdmin;
  private long lastGroupSync;
  private KafkaConsumer<byte[], byte[]> syncReader;
  private KafkaProducer<byte[], byte[]> producer;
  private long timer = -1;
  private volatile boolean stopped;

  /**
   * @param flow    the flow whose MirrorCheckpointConnector this is
   * @param metrics the flow's metrics ({@code checkpoint-latency-ms} per group and remote partition)
   */
  public CheckpointVerticle(FlowSpec flow, io.vmm.metrics.FlowMetrics metrics) {
    this.flow = flow;
    this.metrics = metrics;
    this.rules = ReplicationRules.of(flow);
    this.checkpointsTopic = flow.replicationPolicy().checkpointsTopic(flow.id().source());
    this.syncsTopic = io.vmm.policy.InternalTopics.of(flow).offsetSyncs();
    this.timeoutMs = flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS);
  }

  @Override
  public Future<?> start() {
    // worker thread: blocking set-up is fine here
    ConnectorConfig c = flow.checkpointConnector().config();
    boolean syncsOnTarget = "target".equals(
        flow.sourceConnector().config().getString(ConnectorKeys.OFFSET_SYNCS_TOPIC_LOCATION));
    sourceAdmin = Admin.create(flow.source().adminConfig(flow.name() + "|checkpoint|source-admin"));
    targetAdmin = Admin.create(flow.target().adminConfig(flow.name() + "|checkpoint|target-admin"));
    try {
      short rf = c.getShort(ConnectorKeys.CHECKPOINTS_TOPIC_REPLICATION_FACTOR);
      targetAdmin.createTopics(List.of(new NewTopic(checkpointsTopic, Optional.of(1),
              rf < 0 ? Optional.empty() : Optional.of(rf)).configs(Map.of("cleanup.policy", "compact"))))
          .all().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        return Future.failedFuture(new IllegalStateException(flow.name() + " cannot create " + checkpointsTopic
            + ": " + e.getCause(), e.getCause()));
      }
    } catch (Exception e) {
      return Future.failedFuture(new IllegalStateException(flow.name() + " cannot create " + checkpointsTopic, e));
    }
    reloadCheckpoints();
    Map<String, Object> readerConfig = new HashMap<>((syncsOnTarget ? flow.target() : flow.source())
        .consumerConfig(flow.name() + "|checkpoint|offset-syncs-reader"));
    readerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    syncReader = new KafkaConsumer<>(readerConfig);
    TopicPartition syncs = new TopicPartition(syncsTopic, 0);
    syncReader.assign(List.of(syncs));
    syncReader.seekToBeginning(List.of(syncs));
    producer = new KafkaProducer<>(flow.target().producerConfig(flow.name() + "|checkpoint-producer"));
    // cluster-wide: in cluster mode any replica (and any app in the cluster) reaches the member running this
    vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(io.vmm.bus.Addresses.translate(flow.name()),
        this::onTranslate);
    timer = vertx.setTimer(1, id -> run());
    LOG.info("{} emitting checkpoints to {} every {} s", flow.name(), checkpointsTopic,
        c.getLong(ConnectorKeys.EMIT_CHECKPOINTS_INTERVAL_SECONDS));
    return Future.succeededFuture();
  }

  /** Reads the checkpoints topic once, keeping the latest checkpoint per group and partition (MM2 KAFKA-15905). */
  private void reloadCheckpoints() {
    Map<String, Object> config = new HashMap<>(flow.target().consumerConfig(flow.name() + "|checkpoint|reloader"));
    try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(config)) {
      TopicPartition tp = new TopicPartition(checkpointsTopic, 0);
      reader.assign(List.of(tp));
      reader.seekToBeginning(List.of(tp));
      long end = reader.endOffsets(List.of(tp), Duration.ofMillis(timeoutMs)).get(tp);
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (reader.position(tp) < end && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          try {
            Checkpoint cp = Checkpoint.deserializeRecord(r);
            last.computeIfAbsent(cp.consumerGroupId(), g -> new HashMap<>())
                .put(cp.topicPartition(), new long[]{cp.upstreamOffset(), cp.downstreamOffset()});
          } catch (RuntimeException e) {
            // unreadable record: skipped, as MM2's CheckpointStore does
          }
        }
      }
    }
  }

  private void run() {
    if (stopped) {
      return;
    }
    try {
      int written = checkpointOnce();
      if (written > 0) {
        LOG.debug("{} wrote {} checkpoints", flow.name(), written);
      }
      ConnectorConfig c = flow.checkpointConnector().config();
      if (c.getBoolean(ConnectorKeys.SYNC_GROUP_OFFSETS_ENABLED) && System.currentTimeMillis() - lastGroupSync
          >= c.getSeconds(ConnectorKeys.SYNC_GROUP_OFFSETS_INTERVAL_SECONDS).toMillis()) {
        lastGroupSync = System.currentTimeMillis();
        syncGroupOffsets();
      }
    } catch (Exception e) {
      LOG.warn("{} checkpointing failed, will retry: {}", flow.name(), e.toString());
    }
    if (!stopped) {
      timer = vertx.setTimer(flow.checkpointConnector().config()
          .getSeconds(ConnectorKeys.EMIT_CHECKPOINTS_INTERVAL_SECONDS).toMillis(), id -> run());
    }
  }

  /** One run; the number of checkpoints written. Blocking: worker thread only. */
  int checkpointOnce() throws Exception {
    if (!readSyncsToEnd()) {
      return 0;
    }
    long listedAt = System.currentTimeMillis();
    Collection<GroupListing> groups = sourceAdmin.listGroups(ListGroupsOptions.forConsumerGroups()).all()
        .get(timeoutMs, TimeUnit.MILLISECONDS);
    int written = 0;
    for (GroupListing listing : groups) {
      String group = listing.groupId();
      if (!flow.groupFilter().test(group)) {
        continue;
      }
      Map<TopicPartition, OffsetAndMetadata> offsets = sourceAdmin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(timeoutMs, TimeUnit.MILLISECONDS);
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      List<TopicPartition> downstreams = new ArrayList<>();
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
        TopicPartition upstream = e.getKey();
        if (e.getValue() == null || !rules.shouldReplicateTopic(upstream.topic())) {
          continue;
        }
        OffsetSyncStore.Translation t = store.translate(upstream, e.getValue().offset());
        if (t == null) {
          continue;
        }
        TopicPartition downstream = new TopicPartition(rules.remoteTopic(upstream.topic()), upstream.partition());
        long up = e.getValue().offset();
        long[] previous = last.computeIfAbsent(group, g -> new HashMap<>()).get(downstream);
        if (previous != null && up >= previous[0] && t.downstream() <= previous[1]) {
          continue; // neither a rewind nor progress: a checkpoint never moves backwards
        }
        last.get(group).put(downstream, new long[]{up, t.downstream()});
        downstreams.add(downstream);
        records.add(new ProducerRecord<>(checkpointsTopic, 0, listedAt, CheckpointCodec.key(group, downstream),
            CheckpointCodec.value(up, t.downstream(), e.getValue().metadata())));
      }
      io.vertx.core.json.JsonArray published = new io.vertx.core.json.JsonArray();
      for (int i = 0; i < records.size(); i++) {
        producer.send(records.get(i)).get(timeoutMs, TimeUnit.MILLISECONDS);
        metrics.checkpointLatency(group, downstreams.get(i).topic(), downstreams.get(i).partition(),
            System.currentTimeMillis() - listedAt);
        long[] pair = last.get(group).get(downstreams.get(i));
        published.add(new io.vertx.core.json.JsonObject().put("topic", downstreams.get(i).topic())
            .put("partition", downstreams.get(i).partition()).put("upstreamOffset", pair[0])
            .put("downstreamOffset", pair[1]));
        written++;
      }
      if (!published.isEmpty()) {
        vertx.eventBus().publish(io.vmm.bus.Addresses.CHECKPOINTS, new io.vertx.core.json.JsonObject()
            .put("flow", flow.name()).put("sourceClusterAlias", flow.id().source())
            .put("targetClusterAlias", flow.id().target()).put("group", group).put("timestamp", listedAt)
            .put("checkpoints", published));
      }
    }
    return written;
  }

  /**
   * Writes translated offsets to the target's consumer groups (MM2's {@code sync.group.offsets}): a group absent
   * on the target gets all its checkpointed offsets; an EMPTY group gets a partition only where the target has no
   * offset or a lower one (a target group is never rewound); a group with active members is left alone, with a
   * log line (MM2 tries and fails; the broker would refuse). Offsets carry no leader epoch. Blocking: worker only.
   */
  void syncGroupOffsets() throws Exception {
    if (last.isEmpty()) {
      return;
    }
    Map<String, org.apache.kafka.clients.admin.ConsumerGroupDescription> described = new HashMap<>();
    for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<org.apache.kafka.clients.admin.ConsumerGroupDescription>>
        e : targetAdmin.describeConsumerGroups(last.keySet()).describedGroups().entrySet()) {
      try {
        described.put(e.getKey(), e.getValue().get(timeoutMs, TimeUnit.MILLISECONDS));
      } catch (ExecutionException notFound) {
        // absent on the target
      }
    }
    for (Map.Entry<String, Map<TopicPartition, long[]>> g : last.entrySet()) {
      String group = g.getKey();
      org.apache.kafka.clients.admin.ConsumerGroupDescription d = described.get(group);
      org.apache.kafka.common.GroupState state = d == null ? org.apache.kafka.common.GroupState.DEAD : d.groupState();
      Map<TopicPartition, OffsetAndMetadata> toWrite = new HashMap<>();
      if (state == org.apache.kafka.common.GroupState.EMPTY) {
        Map<TopicPartition, OffsetAndMetadata> current = targetAdmin.listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata().get(timeoutMs, TimeUnit.MILLISECONDS);
        g.getValue().forEach((tp, cp) -> {
          OffsetAndMetadata now = current.get(tp);
          if (now == null || now.offset() < cp[1]) {
            toWrite.put(tp, new OffsetAndMetadata(cp[1]));
          }
        });
      } else if (state == org.apache.kafka.common.GroupState.DEAD
          || state == org.apache.kafka.common.GroupState.UNKNOWN) {
        g.getValue().forEach((tp, cp) -> toWrite.put(tp, new OffsetAndMetadata(cp[1])));
      } else {
        LOG.info("{} group {} is {} on {} (consumers are using it): its offsets are not synced", flow.name(),
            group, state, flow.id().target());
        continue;
      }
      if (!toWrite.isEmpty()) {
        try {
          targetAdmin.alterConsumerGroupOffsets(group, toWrite).all().get(timeoutMs, TimeUnit.MILLISECONDS);
          LOG.info("{} synced offsets of group {} on {}: {}", flow.name(), group, flow.id().target(), toWrite);
        } catch (ExecutionException e) {
          LOG.warn("{} could not sync offsets of group {} (consumers may have joined it): {}", flow.name(), group,
              e.getCause().toString());
        }
      }
    }
  }

  /**
   * Answers a translation request ({@link io.vmm.bus.Addresses#TRANSLATE}) with the group's current committed
   * offsets on the source, translated now (new syncs read first). Worker thread: blocking calls are bounded.
   */
  private void onTranslate(io.vertx.core.eventbus.Message<io.vertx.core.json.JsonObject> message) {
    String group = message.body().getString("group");
    try {
      readSyncsToEnd();
      Map<TopicPartition, OffsetAndMetadata> offsets = sourceAdmin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(timeoutMs, TimeUnit.MILLISECONDS);
      io.vertx.core.json.JsonArray partitions = new io.vertx.core.json.JsonArray();
      List<TopicPartition> sorted = new ArrayList<>(offsets.keySet());
      sorted.sort(java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
      for (TopicPartition upstream : sorted) {
        OffsetAndMetadata om = offsets.get(upstream);
        if (om == null || !rules.shouldReplicateTopic(upstream.topic())) {
          continue;
        }
        OffsetSyncStore.Translation t = store.translate(upstream, om.offset());
        if (t != null) {
          partitions.add(new io.vertx.core.json.JsonObject().put("topic", rules.remoteTopic(upstream.topic()))
              .put("partition", upstream.partition()).put("upstreamOffset", om.offset())
              .put("offset", t.downstream()).put("exact", t.exact()));
        }
      }
      message.reply(new io.vertx.core.json.JsonObject().put("flow", flow.name()).put("group", group)
          .put("partitions", partitions));
    } catch (Exception e) {
      message.fail(503, flow.name() + " cannot translate offsets of group " + group + ": " + e);
    }
  }

  /** Reads new offset syncs; true once the topic has been read to the end it had when this run began. */
  private boolean readSyncsToEnd() {
    TopicPartition tp = new TopicPartition(syncsTopic, 0);
    Long end = syncReader.endOffsets(List.of(tp), Duration.ofMillis(timeoutMs)).get(tp);
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (syncReader.position(tp, Duration.ofMillis(timeoutMs)) < end && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : syncReader.poll(Duration.ofMillis(200))) {
        if (r.key() != null && r.value() != null) {
          try {
            store.add(OffsetSyncCodec.decode(r.key(), r.value()));
          } catch (RuntimeException e) {
            // garbled sync: skipped
          }
        }
      }
    }
    return syncReader.position(tp, Duration.ofMillis(timeoutMs)) >= end;
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (syncReader != null) {
      syncReader.close(Duration.ofSeconds(2));
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
    }
    if (sourceAdmin != null) {
      sourceAdmin.close(Duration.ofSeconds(2));
    }
    if (targetAdmin != null) {
      targetAdmin.close(Duration.ofSeconds(2));
    }
    return Future.succeededFuture();
  }
}
