package io.vmm.source;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vmm.async.PeriodicTask;
import io.vmm.async.StopSignal;
import io.vmm.bus.Addresses;
import io.vmm.bus.LogBoundsRequest;
import io.vmm.bus.RemoteLimitsRequest;
import io.vmm.bus.Discovery;
import io.vmm.bus.LogBounds;
import io.vmm.bus.TopicInfo;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.kafka.CompactedTopics;
import io.vmm.kafka.FlowAdmins;
import io.vmm.policy.InternalTopics;
import io.vmm.policy.ReplicationRules;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Topic discovery of a flow (the topic half of MM2's {@code MirrorSourceConnector}): lists source topics, keeps
 * those the {@link ReplicationRules} accept, has {@link RemoteTopics} create or grow their remote topics on the
 * target, makes sure the progress topic {@code mm2-offsets.<source>.internal} exists (compacted), and reads the
 * source log bounds of every replicated partition.
 * <p>
 * Request/reply on {@link Addresses#discover}: any body; the reply is a {@link Discovery}: topics sorted by name,
 * {@code progressStored} (false when the progress topic was just created or all its partitions are empty, so the
 * caller can skip reading it), source topics recreated since the previous look (new topic ID), and the
 * {@link LogBounds} (start = earliest offset, end = latest offset) of every partition of those topics. A failed
 * discovery fails the request with code 1 and the error's message.
 * <p>
 * After the first successful reply, with {@code refresh.topics.enabled}, a refresh runs every
 * {@code refresh.topics.interval.seconds} (first one after one interval; runs never overlap) and publishes a
 * {@link Discovery} locally on {@link Addresses#topicsChanged} when topics or partitions were added or a topic
 * was recreated ({@link TopicChanges}). Never deletes topics nor removes partitions. Topics whose remote topics a
 * staged creation left for later ({@link RemoteTopics#ensure}: thousands of new partitions) are published there as
 * soon as they are writable, refresh enabled or not.
 * <p>
 * Threading: everything runs on this verticle's event loop; admin calls run on the admin clients' own threads
 * and complete on this verticle's context, each bounded by {@code admin.timeout.ms}; source and target are asked
 * in parallel.
 */
public final class TopicDiscoveryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TopicDiscoveryVerticle.class);
  private static final ListTopicsOptions NOT_INTERNAL = new ListTopicsOptions().listInternal(false);
  /** Wait before discovering again after a staged creation or its follow-up failed, ms. */
  static final long FOLLOW_UP_RETRY_MS = 5_000;

  private final FlowSpec flow;
  private final ReplicationRules rules;
  private FlowAdmins admins;
  private RemoteTopics remoteTopics;
  private MessageConsumer<Object> consumer;
  private MessageConsumer<LogBoundsRequest> boundsConsumer;
  private MessageConsumer<RemoteLimitsRequest> limitsConsumer;
  /** Replicated topic to partition count, as last reported; a refresh publishes when this grows. */
  private Map<String, Integer> known = Map.of();
  /** Source topic to topic ID when last seen, to notice a topic deleted and recreated under the same name. */
  private final Map<String, Uuid> topicIds = new HashMap<>();
  private PeriodicTask refresh;
  private boolean stopped;
  /** The heartbeats topic on the source was looked after (first discovery only). */
  private boolean heartbeatsEnsured;

  /** @param flow the flow whose source topics are discovered */
  public TopicDiscoveryVerticle(FlowSpec flow) {
    this.flow = flow;
    this.rules = ReplicationRules.of(flow);
  }

  /**
   * Creates the admin clients and registers the {@link Addresses#discover} consumer and the
   * {@link Addresses#logBounds} consumer (current log bounds for tasks that start after the flow did).
   */
  @Override
  public Future<?> start() {
    return FlowAdmins.create(vertx, flow, "discovery").compose(a -> {
      admins = a;
      remoteTopics = new RemoteTopics(vertx, context, flow, a, rules);
      consumer = vertx.eventBus().localConsumer(Addresses.discover(flow.name()), this::onDiscover);
      boundsConsumer = vertx.eventBus().<LogBoundsRequest>localConsumer(Addresses.logBounds(flow.name()), m ->
          logBounds(m.body().partitions())
              .onSuccess(b -> m.reply(new LogBoundsRequest.Reply(b), Addresses.local()))
              .onFailure(e -> m.fail(1, e.getMessage())));
      limitsConsumer = vertx.eventBus().<RemoteLimitsRequest>localConsumer(Addresses.remoteLimits(flow.name()), m ->
          remoteTopics.limits(m.body().remoteTopics())
              .onSuccess(l -> m.reply(new RemoteLimitsRequest.Reply(l), Addresses.local())));
      return Future.all(consumer.completion(), boundsConsumer.completion(), limitsConsumer.completion());
    });
  }

  private void onDiscover(Message<Object> message) {
    long started = System.currentTimeMillis();
    discover().onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("{} discovery: {} topics to mirror in {} ms", flow.name(), ar.result().topics().size(),
            System.currentTimeMillis() - started);
        known = TopicChanges.partitionCounts(ar.result());
        message.reply(ar.result(), Addresses.local());
        startRefresh();
      } else {
        if (stopped || StopSignal.isStopping(ar.cause())) {
          LOG.debug("{} discovery abandoned: stopping", flow.name());
        } else {
          LOG.warn("{} discovery failed: {}", flow.name(), ar.cause().getMessage());
        }
        message.fail(1, ar.cause().getMessage());
      }
    });
  }

  /**
   * MM2's topic refresh ({@code refresh.topics.enabled}, every {@code refresh.topics.interval.seconds}): once,
   * after the first successful reply. A failed refresh is logged (throttled) and retried next interval.
   */
  private void startRefresh() {
    ConnectorConfig config = flow.sourceConnector().config();
    if (refresh != null || stopped || !config.getBoolean(ConnectorKeys.REFRESH_TOPICS_ENABLED)) {
      return;
    }
    long intervalMs = config.getSeconds(ConnectorKeys.REFRESH_TOPICS_INTERVAL_SECONDS).toMillis();
    refresh = PeriodicTask.start(vertx, flow.name() + " topic refresh", intervalMs, intervalMs, this::refresh, LOG);
  }

  /** One refresh: discovers, and publishes on {@link Addresses#topicsChanged} when that is news. */
  private Future<Discovery> refresh() {
    return discover().onSuccess(result -> {
      if (!result.recreated().isEmpty()) {
        LOG.warn("{} refresh: source topic(s) {} were deleted and recreated (new topic ID)", flow.name(),
            result.recreated());
      }
      if (TopicChanges.isNews(known, result)) {
        known = TopicChanges.partitionCounts(result);
        LOG.info("{} refresh: topics or partitions added, now {} topics", flow.name(), known.size());
        vertx.eventBus().publish(Addresses.topicsChanged(flow.name()), result, Addresses.local());
      }
    });
  }

  /**
   * One discovery pass: lists source and target topics in parallel; describes the replicated source topics;
   * then, in parallel, creates or grows their remote topics (then reads their {@code max.message.bytes}), reads
   * their log bounds, and (as soon as the target topics are listed) makes sure the progress topic exists.
   * Completes on this verticle's context. Topics whose remote topics are still being created (a staged creation,
   * {@link RemoteTopics#ensure}) are left out; they are published on {@link Addresses#topicsChanged} as soon as
   * they are writable ({@link #followUp}).
   */
  Future<Discovery> discover() {
    List<String> recreated = new ArrayList<>();
    Future<Set<String>> targetNames = call(admins.target().listTopics(NOT_INTERNAL).names(), "list target topics");
    Future<Map<String, TopicDescription>> described = ensureHeartbeatsTopic()
        .compose(v -> call(admins.source().listTopics(NOT_INTERNAL).names(), "list source topics"))
        .compose(names -> {
          List<String> selected = names.stream().filter(rules::shouldReplicateTopic).sorted().toList();
          return selected.isEmpty() ? Future.succeededFuture(Map.<String, TopicDescription>of())
              : call(admins.source().describeTopics(selected).allTopicNames(), "describe source topics");
        })
        .map(descriptions -> {
          Map<String, TopicDescription> sorted = new TreeMap<>(descriptions);
          sorted.forEach((name, d) -> {
            Uuid previous = topicIds.put(name, d.topicId());
            if (previous != null && !previous.equals(d.topicId())) {
              recreated.add(name);
            }
          });
          return sorted;
        });
    Future<Map<TopicPartition, LogBounds>> bounds = described.compose(this::logBounds);
    Future<RemoteTopics.Ensured> remote = Future.all(targetNames, described)
        .compose(v -> remoteTopics.ensure(partitionCounts(described.result()), targetNames.result()));
    Future<Boolean> progressStored = targetNames.compose(this::ensureProgressTopic);
    Future<Map<String, Integer>> limits = remote.compose(ensured -> remoteTopics.limits(described.result().keySet()
        .stream().filter(t -> !ensured.pending().contains(t)).map(rules::remoteTopic).toList()));
    return Future.all(limits, progressStored, bounds).map(v -> {
      Set<String> pending = remote.result().pending();
      List<TopicInfo> topics = new ArrayList<>();
      described.result().forEach((topic, d) ->
          topics.add(new TopicInfo(topic, rules.remoteTopic(topic), d.partitions().size())));
      Discovery all = new Discovery(topics, progressStored.result(), recreated, bounds.result(), limits.result());
      if (pending.isEmpty()) {
        return all;
      }
      Map<TopicPartition, LogBounds> ready = new HashMap<>(bounds.result());
      ready.keySet().removeIf(tp -> pending.contains(tp.topic()));
      followUp(remote.result().rest(), all, pending);
      return new Discovery(topics.stream().filter(t -> !pending.contains(t.topic())).toList(),
          progressStored.result(), recreated, ready, limits.result());
    });
  }

  /**
   * The flow's heartbeat connector writes into the source's {@code heartbeats} topic and this flow mirrors it (as
   * {@code A.heartbeats}): created here, before the first listing, so the first discovery already includes it
   * (the heartbeat connector starts after the source connector). Only when the mirror runs a heartbeat connector
   * that emits and heartbeats are replicated; a failure is logged and left to the heartbeat connector, which
   * ensures the topic too. Never fails.
   */
  private Future<Void> ensureHeartbeatsTopic() {
    ConnectorConfig hb = flow.heartbeatConnector().config();
    if (heartbeatsEnsured || !flow.heartbeatConnector().present() || !hb.getBoolean(ConnectorKeys.EMIT_HEARTBEATS_ENABLED)
        || !flow.sourceConnector().config().getBoolean(ConnectorKeys.HEARTBEATS_REPLICATION_ENABLED)) {
      return Future.succeededFuture();
    }
    heartbeatsEnsured = true;
    return CompactedTopics.ensure(context, admins.source(), InternalTopics.HEARTBEATS, 1,
            hb.getShort(ConnectorKeys.HEARTBEATS_TOPIC_REPLICATION_FACTOR), admins.timeout())
        .<Void>mapEmpty()
        .recover(e -> {
          if (!stopped) { // at stop the admins were closed under it: nothing to report
            LOG.warn("{} {} on {} not created yet: {}", flow.name(), InternalTopics.HEARTBEATS, flow.id().source(),
                e.getMessage());
          }
          return Future.succeededFuture();
        });
  }

  /**
   * Once the staged remote topics are writable ({@code rest}), publishes {@code all} (this discovery with them, and
   * their {@code max.message.bytes}) on {@link Addresses#topicsChanged}, whatever {@code refresh.topics.enabled}
   * says: their partitions join the running tasks at the log bounds read by this discovery, as at a start. When the
   * creation failed, discovers again (a refresh creates what is missing) after {@link #FOLLOW_UP_RETRY_MS}, until
   * that succeeds or this verticle stops.
   */
  private void followUp(Future<Void> rest, Discovery all, Set<String> pending) {
    rest.compose(v -> remoteTopics.limits(pending.stream().map(rules::remoteTopic).toList()))
        .onSuccess(pendingLimits -> {
          if (stopped) {
            return;
          }
          Map<String, Integer> limits = new HashMap<>(all.remoteLimits());
          limits.putAll(pendingLimits);
          Discovery published = new Discovery(all.topics(), all.progressStored(), List.of(), all.bounds(), limits);
          Map<String, Integer> counts = new HashMap<>(known);
          TopicChanges.partitionCounts(published).forEach((t, n) -> counts.merge(t, n, Math::max));
          known = counts;
          LOG.info("{} {} more remote topics are writable: mirroring them too, now {} topics", flow.name(),
              pending.size(), all.topics().size());
          vertx.eventBus().publish(Addresses.topicsChanged(flow.name()), published, Addresses.local());
        })
        .onFailure(e -> retryFollowUp(e));
  }

  private void retryFollowUp(Throwable e) {
    if (stopped || StopSignal.isStopping(e)) {
      return;
    }
    LOG.warn("{} remote topics still to create: {}; discovering again in {} ms", flow.name(), e.getMessage(),
        FOLLOW_UP_RETRY_MS);
    vertx.setTimer(FOLLOW_UP_RETRY_MS, id -> {
      if (!stopped) {
        refresh().onFailure(this::retryFollowUp);
      }
    });
  }

  private static Map<String, Integer> partitionCounts(Map<String, TopicDescription> descriptions) {
    Map<String, Integer> counts = new TreeMap<>();
    descriptions.forEach((name, d) -> counts.put(name, d.partitions().size()));
    return counts;
  }

  /** The source log bounds of every partition of {@code topics}. */
  private Future<Map<TopicPartition, LogBounds>> logBounds(Map<String, TopicDescription> topics) {
    List<TopicPartition> tps = new ArrayList<>();
    topics.forEach((name, d) -> d.partitions().forEach(p -> tps.add(new TopicPartition(name, p.partition()))));
    return logBounds(tps);
  }

  /**
   * The current source log bounds of {@code tps}: earliest and latest offsets, asked in parallel (ListOffsets,
   * read-uncommitted: the end is the high watermark). Completes on this verticle's context; fails when either
   * request fails (e.g. a partition unknown to the source).
   */
  Future<Map<TopicPartition, LogBounds>> logBounds(Collection<TopicPartition> tps) {
    if (tps.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    tps.forEach(tp -> {
      earliest.put(tp, OffsetSpec.earliest());
      latest.put(tp, OffsetSpec.latest());
    });
    Future<Map<TopicPartition, ListOffsetsResultInfo>> starts =
        call(admins.source().listOffsets(earliest).all(), "log start offsets of " + earliest.size() + " partitions");
    Future<Map<TopicPartition, ListOffsetsResultInfo>> ends =
        call(admins.source().listOffsets(latest).all(), "log end offsets of " + latest.size() + " partitions");
    return Future.all(starts, ends).map(v -> {
      Map<TopicPartition, LogBounds> bounds = new HashMap<>();
      earliest.keySet().forEach(tp -> bounds.put(tp,
          new LogBounds(starts.result().get(tp).offset(), ends.result().get(tp).offset())));
      return bounds;
    });
  }

  /**
   * Creates {@code mm2-offsets.<source>.internal} (compacted; {@code offset.storage.partitions} and
   * {@code offset.storage.replication.factor} of the target) if missing.
   *
   * @param targetNames the topic names the target cluster has now
   * In legacy MM1 mode (progress = the group's committed offsets on the source) there is no progress topic.
   *
   * @return whether it may hold stored progress: false when it was just created or all its partitions are empty;
   *     true when another process created it meanwhile (read it to be safe)
   */
  private Future<Boolean> ensureProgressTopic(Set<String> targetNames) {
    if (flow.commitsLegacyGroup()) {
      return Future.succeededFuture(false); // legacy MM1 mode: the group's offsets on the source are the progress
    }
    String topic = InternalTopics.progressTopic(flow.id().source());
    if (targetNames.contains(topic)) {
      return call(admins.target().describeTopics(List.of(topic)).allTopicNames(), "describe progress topic " + topic)
          .compose(d -> {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            d.get(topic).partitions().forEach(p -> specs.put(new TopicPartition(topic, p.partition()),
                OffsetSpec.latest()));
            return call(admins.target().listOffsets(specs).all(), "end offsets of " + topic);
          })
          .map(ends -> ends.values().stream().anyMatch(info -> info.offset() > 0));
    }
    Duration timeout = Duration.ofMillis(flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS));
    return CompactedTopics.ensure(context, admins.target(), topic, flow.target().offsetStoragePartitions(),
            flow.target().offsetStorageReplicationFactor(), timeout)
        .map(created -> {
          if (created) {
            LOG.info("{} created progress topic {}", flow.name(), topic);
          }
          return !created;
        });
  }

  private <T> Future<T> call(KafkaFuture<T> future, String what) {
    return admins.call(context, future, what);
  }

  /**
   * Stops the refresh, unregisters the consumer and closes the admin clients; never fails. Closing the admins
   * ({@link FlowAdmins#close}) abandons a discovery in flight: its admin calls fail at once, not after
   * {@code admin.timeout.ms}.
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    if (refresh != null) {
      refresh.cancel();
    }
    Future<?> closed = admins == null ? Future.succeededFuture() : admins.close(vertx); // first: abandons calls
    Future<?> unregistered = consumer == null ? Future.succeededFuture()
        : Future.join(consumer.unregister(), boundsConsumer.unregister(), limitsConsumer.unregister());
    return Future.join(closed, unregistered).otherwiseEmpty();
  }
}
