package io.vmm.source;

import io.vmm.policy.ReplicationRules;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.bus.Addresses;
import io.vmm.kafka.FlowAdmins;
import io.vmm.kafka.KafkaFutures;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;

import io.vmm.policy.TopicConfigRules;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Topic discovery of a flow (the topic half of MM2's MirrorSourceConnector): lists source topics, keeps those
 * the {@link ReplicationRules} accept, creates each missing remote topic on the target with the source
 * partition count and {@code replication.factor}, adds partitions to a remote topic that has fewer (never
 * removes any), and makes sure the progress topic {@code mm2-offsets.<source>.internal} exists (compacted).
 * <p>
 * Request/reply on {@link Addresses#discover}: any body; the reply is
 * {@code {"topics":[{"topic":"t","remote":"A.t","partitions":6}, ...], "progressStored":true}} sorted by topic. Admin calls run on
 * the admin clients' own threads and complete on this verticle's context, each bounded by
 * {@code admin.timeout.ms}.
 */
public final class TopicDiscoveryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TopicDiscoveryVerticle.class);

  private final FlowSpec flow;
  private final ReplicationRules rules;
  private final TopicConfigRules configRules;
  private FlowAdmins admins;
  private Admin sourceAdmin;
  private Admin targetAdmin;
  private MessageConsumer<Object> consumer;
  private MessageConsumer<JsonArray> checkConsumer;
  /** Replicated topic to partition count, as last reported; a refresh publishes when this grows. */
  private Map<String, Integer> known = Map.of();
  /** Source topic → topic ID when last seen, to notice a topic deleted and recreated under the same name. */
  private final Map<String, org.apache.kafka.common.Uuid> topicIds = new HashMap<>();
  private long refreshTimer = -1;
  private boolean stopped;

  public TopicDiscoveryVerticle(FlowSpec flow) {
    this.flow = flow;
    this.rules = ReplicationRules.of(flow);
    this.configRules = TopicConfigRules.of(flow.sourceConnector().config());
  }

  @Override
  public Future<?> start() {
    return FlowAdmins.create(vertx, flow, "discovery").compose(a -> {
      admins = a;
      sourceAdmin = a.source();
      targetAdmin = a.target();
      consumer = vertx.eventBus().localConsumer(Addresses.discover(flow.name()), this::onDiscover);
      checkConsumer = vertx.eventBus().localConsumer(Addresses.checkProgress(flow.name()), this::onCheckProgress);
      return Future.all(consumer.completion(), checkConsumer.completion());
    });
  }

  /**
   * MM2's topic refresh ({@code refresh.topics.enabled}, every {@code refresh.topics.interval.seconds}): creates
   * remote topics for newly matching source topics, grows remote topics whose source gained partitions, and
   * publishes the new topic set on {@link Addresses#topicsChanged} so the flow starts mirroring them without a
   * restart. Never deletes topics nor removes partitions. A failed refresh is logged and retried next interval.
   * Re-armed with setTimer after each run, so slow admin calls never overlap.
   */
  private void scheduleRefresh() {
    if (stopped || !flow.sourceConnector().config().getBoolean(ConnectorKeys.REFRESH_TOPICS_ENABLED)) {
      return;
    }
    long intervalMs = flow.sourceConnector().config().getSeconds(ConnectorKeys.REFRESH_TOPICS_INTERVAL_SECONDS)
        .toMillis();
    refreshTimer = vertx.setTimer(intervalMs, id -> discover()
        .onSuccess(result -> {
          Map<String, Integer> now = partitionCounts(result);
          boolean recreated = !result.getJsonArray("recreated").isEmpty();
          if (recreated) {
            LOG.warn("{} refresh: source topic(s) {} were deleted and recreated (new topic ID)", flow.name(),
                result.getJsonArray("recreated").encode());
          }
          if (recreated || (!now.equals(known) && grew(known, now))) {
            LOG.info("{} refresh: topics or partitions added, now {} topics", flow.name(), now.size());
            known = now;
            vertx.eventBus().publish(Addresses.topicsChanged(flow.name()), result, Addresses.local());
          }
        })
        .onFailure(e -> LOG.warn("{} topic refresh failed, will retry: {}", flow.name(), e.getMessage()))
        .onComplete(ar -> scheduleRefresh()));
  }

  private static Map<String, Integer> partitionCounts(JsonObject discovery) {
    Map<String, Integer> counts = new HashMap<>();
    JsonArray topics = discovery.getJsonArray("topics");
    for (int i = 0; i < topics.size(); i++) {
      counts.put(topics.getJsonObject(i).getString("topic"), topics.getJsonObject(i).getInteger("partitions"));
    }
    return counts;
  }

  /** True if {@code now} has a topic or partitions that {@code before} lacks. */
  private static boolean grew(Map<String, Integer> before, Map<String, Integer> now) {
    return now.entrySet().stream().anyMatch(e -> e.getValue() > before.getOrDefault(e.getKey(), 0));
  }

  private void onDiscover(Message<Object> message) {
    long started = System.currentTimeMillis();
    discover().onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("{} discovery: {} topics to mirror in {} ms", flow.name(), ar.result().getJsonArray("topics").size(),
            System.currentTimeMillis() - started);
        known = partitionCounts(ar.result());
        message.reply(ar.result());
        if (refreshTimer < 0) {
          scheduleRefresh();
        }
      } else {
        LOG.warn("{} discovery failed: {}", flow.name(), ar.cause().getMessage());
        message.fail(1, ar.cause().getMessage());
      }
    });
  }

  /**
   * Lists, filters, creates or grows remote topics and makes sure the progress topic exists; the reply body
   * described above, plus {@code "progressStored"}: false when the progress topic is new or empty, so the caller
   * can skip reading it. Source and target are asked in parallel.
   */
  Future<JsonObject> discover() {
    Map<String, Integer> sourcePartitions = new TreeMap<>();
    List<String> recreated = new ArrayList<>();
    Future<Set<String>> targetNames = call(targetAdmin.listTopics(new ListTopicsOptions().listInternal(false))
        .names(), "list target topics");
    Future<Void> sourceDescribed = call(sourceAdmin.listTopics(new ListTopicsOptions().listInternal(false)).names(),
        "list source topics")
        .compose(names -> {
          List<String> selected = names.stream().filter(rules::shouldReplicateTopic).sorted().toList();
          if (selected.isEmpty()) {
            return Future.succeededFuture(Map.<String, TopicDescription>of());
          }
          return call(sourceAdmin.describeTopics(selected).allTopicNames(), "describe source topics");
        })
        .map(descriptions -> {
          descriptions.forEach((name, d) -> {
            sourcePartitions.put(name, d.partitions().size());
            org.apache.kafka.common.Uuid previous = topicIds.put(name, d.topicId());
            if (previous != null && !previous.equals(d.topicId())) {
              recreated.add(name);
            }
          });
          return null;
        });
    return Future.all(targetNames, sourceDescribed)
        .compose(v -> Future.all(ensureRemoteTopics(sourcePartitions, targetNames.result()),
            ensureProgressTopic(targetNames.result())))
        .map(all -> {
          JsonArray topics = new JsonArray();
          sourcePartitions.forEach((topic, partitions) -> topics.add(new JsonObject().put("topic", topic)
              .put("remote", rules.remoteTopic(topic)).put("partitions", partitions)));
          return new JsonObject().put("topics", topics).put("progressStored", all.<Boolean>resultAt(1))
              .put("recreated", new JsonArray(recreated));
        });
  }

  private Future<Void> ensureRemoteTopics(Map<String, Integer> sourcePartitions, Set<String> targetNames) {
    int rf = flow.sourceConnector().config().getInt(ConnectorKeys.REPLICATION_FACTOR);
    Map<String, NewTopic> toCreate = new TreeMap<>(); // by source topic
    List<String> existing = new ArrayList<>();
    List<TopicPartition> newPartitions = new ArrayList<>();
    sourcePartitions.forEach((topic, partitions) -> {
      String remote = rules.remoteTopic(topic);
      if (targetNames.contains(remote)) {
        existing.add(remote);
      } else {
        toCreate.put(topic, new NewTopic(remote, Optional.of(partitions),
            rf < 0 ? Optional.empty() : Optional.of((short) rf)));
        partitions(remote, 0, partitions).forEach(newPartitions::add);
      }
    });
    Future<Void> created = toCreate.isEmpty() ? Future.succeededFuture()
        : withSourceConfigs(toCreate).compose(this::createTopics).compose(v -> awaitWritable(newPartitions));
    if (existing.isEmpty()) {
      return created;
    }
    return created.compose(v -> call(targetAdmin.describeTopics(existing).allTopicNames(), "describe remote topics"))
        .compose(remoteDescriptions -> {
          Map<String, NewPartitions> grow = new HashMap<>();
          List<TopicPartition> added = new ArrayList<>();
          sourcePartitions.forEach((topic, partitions) -> {
            TopicDescription d = remoteDescriptions.get(rules.remoteTopic(topic));
            if (d != null && d.partitions().size() < partitions) {
              LOG.info("{} remote topic {} has {} partitions, source {} has {}: adding partitions", flow.name(),
                  d.name(), d.partitions().size(), topic, partitions);
              grow.put(d.name(), NewPartitions.increaseTo(partitions));
              partitions(d.name(), d.partitions().size(), partitions).forEach(added::add);
            }
          });
          return grow.isEmpty() ? Future.succeededFuture()
              : call(targetAdmin.createPartitions(grow).all(), "add partitions to remote topics")
                  // another replica (cluster mode) grew it first
                  .recover(e -> KafkaFutures.causedBy(e, org.apache.kafka.common.errors.InvalidPartitionsException.class)
                      ? Future.succeededFuture() : Future.failedFuture(e))
                  .compose(v -> awaitWritable(added));
        });
  }

  private static java.util.stream.Stream<TopicPartition> partitions(String topic, int from, int to) {
    return java.util.stream.IntStream.range(from, to).mapToObj(p -> new TopicPartition(topic, p));
  }

  /**
   * Waits until every new partition is hosted by its leader: a ListOffsets request reaches the leader's log and
   * is retried by the admin client until it is there. Producing earlier races the broker applying the new
   * topic, and an idempotent producer can then write a later batch before an earlier one, which fails with
   * OutOfOrderSequence (KAFKA-15591, fixed after Kafka 4.1).
   */
  private Future<Void> awaitWritable(List<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
    long deadline = System.currentTimeMillis()
        + flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS);
    List<String> topics = partitions.stream().map(TopicPartition::topic).distinct().toList();
    // first until the broker's metadata knows the topics (quietly), then until each leader hosts its log
    return awaitKnown(topics, deadline).compose(v -> awaitWritable(specs, deadline));
  }

  private Future<Void> awaitKnown(List<String> topics, long deadline) {
    return retryWhileMetadataLags(() -> call(targetAdmin.describeTopics(topics).allTopicNames(),
        "describe new topics").mapEmpty(), deadline);
  }

  private Future<Void> awaitWritable(Map<TopicPartition, OffsetSpec> specs, long deadline) {
    return retryWhileMetadataLags(() -> call(targetAdmin.listOffsets(specs).all(),
        "wait for " + specs.size() + " new partitions").mapEmpty(), deadline);
  }

  /**
   * Runs {@code attempt}, again every 20 ms while it fails because the broker's metadata does not know a new
   * topic yet (right after creation; the admin client does not retry that itself), until {@code deadline}.
   */
  private Future<Void> retryWhileMetadataLags(java.util.function.Supplier<Future<Void>> attempt, long deadline) {
    return attempt.get().recover(e -> {
      if (!KafkaFutures.causedBy(e, org.apache.kafka.common.errors.InvalidMetadataException.class)
          || System.currentTimeMillis() > deadline) {
        return Future.failedFuture(e);
      }
      Promise<Void> retry = Promise.promise();
      vertx.setTimer(20, id -> retryWhileMetadataLags(attempt, deadline).onComplete(retry));
      return retry.future();
    });
  }


  /**
   * Checks stored progress against the source log. A stored position beyond the log end (the topic was deleted
   * and recreated, or truncated) or before the log start (records removed by retention before they were
   * mirrored) is never followed silently: each is logged as a warning with topic, partition, stored and actual
   * offsets, and the reply lists them so the flow resumes them at the current log start (documented policy).
   */
  private void onCheckProgress(Message<JsonArray> message) {
    Map<TopicPartition, Long> stored = new HashMap<>();
    for (int i = 0; i < message.body().size(); i++) {
      JsonObject e = message.body().getJsonObject(i);
      stored.put(new TopicPartition(e.getString("topic"), e.getInteger("partition")), e.getLong("lastWritten"));
    }
    if (stored.isEmpty()) {
      message.reply(new JsonArray());
      return;
    }
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    stored.keySet().forEach(tp -> {
      earliest.put(tp, OffsetSpec.earliest());
      latest.put(tp, OffsetSpec.latest());
    });
    Future<Map<TopicPartition, org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo>> starts =
        call(sourceAdmin.listOffsets(earliest).all(), "log start offsets");
    Future<Map<TopicPartition, org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo>> ends =
        call(sourceAdmin.listOffsets(latest).all(), "log end offsets");
    Future.all(starts, ends).onComplete(ar -> {
      if (ar.failed()) {
        message.fail(1, ar.cause().getMessage());
        return;
      }
      JsonArray resets = new JsonArray();
      stored.forEach((tp, lastWritten) -> {
        long logStart = starts.result().get(tp).offset();
        long logEnd = ends.result().get(tp).offset();
        long next = lastWritten + 1;
        String reason = next > logEnd ? "beyond the log end (topic recreated or truncated)"
            : next < logStart ? "before the log start (records removed by retention before they were mirrored)"
            : null;
        if (reason != null) {
          LOG.warn("{} {}: stored progress (next offset {}) is {}; source log is [{}, {}); resuming at the log "
              + "start {}", flow.name(), tp, next, reason, logStart, logEnd, logStart);
          resets.add(new JsonObject().put("topic", tp.topic()).put("partition", tp.partition())
              .put("stored", lastWritten).put("logStart", logStart).put("logEnd", logEnd).put("reason", reason));
        }
      });
      message.reply(resets);
    });
  }

  /** Gives each new remote topic the source topic's non-default syncable config entries, as MM2 does. */
  private Future<List<NewTopic>> withSourceConfigs(Map<String, NewTopic> bySourceTopic) {
    List<ConfigResource> resources = new ArrayList<>();
    bySourceTopic.keySet().forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
    return call(sourceAdmin.describeConfigs(resources).all(), "describe source topic configs")
        .map(configs -> {
          List<NewTopic> out = new ArrayList<>();
          bySourceTopic.forEach((topic, newTopic) -> {
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
            out.add(config == null ? newTopic : newTopic.configs(configRules.creationConfigs(config)));
          });
          return out;
        });
  }

  private Future<Void> createTopics(List<NewTopic> topics) {
    Map<String, KafkaFuture<Void>> results = targetAdmin.createTopics(topics).values();
    List<Future<Void>> each = new ArrayList<>();
    results.forEach((name, kf) -> each.add(call(kf, "create remote topic " + name)
        .onSuccess(v -> LOG.info("{} created remote topic {}", flow.name(), name))
        .recover(e -> KafkaFutures.causedBy(e, TopicExistsException.class)
            ? Future.succeededFuture() : Future.failedFuture(e))));
    return Future.all(each).mapEmpty();
  }

  /**
   * Creates {@code mm2-offsets.<source>.internal} (compacted) if missing.
   *
   * @return whether it may hold stored progress: false when it was just created or all its partitions are empty
   */
  private Future<Boolean> ensureProgressTopic(Set<String> targetNames) {
    String topic = io.vmm.policy.InternalTopics.progressTopic(flow.id().source());
    if (targetNames.contains(topic)) {
      return call(targetAdmin.describeTopics(List.of(topic)).allTopicNames(), "describe progress topic " + topic)
          .compose(d -> {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            d.get(topic).partitions().forEach(p -> specs.put(new TopicPartition(topic, p.partition()),
                OffsetSpec.latest()));
            return call(targetAdmin.listOffsets(specs).all(), "end offsets of " + topic);
          })
          .map(ends -> ends.values().stream().anyMatch(info -> info.offset() > 0));
    }
    int partitions = flow.target().offsetStoragePartitions();
    short rf = flow.target().offsetStorageReplicationFactor();
    NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), rf < 0 ? Optional.empty() : Optional.of(rf))
        .configs(Map.of("cleanup.policy", "compact"));
    return call(targetAdmin.createTopics(List.of(newTopic)).all(), "create progress topic " + topic)
        .onSuccess(v -> LOG.info("{} created progress topic {}", flow.name(), topic))
        .map(false)
        // created meanwhile by another process: read it to be safe
        .recover(e -> KafkaFutures.causedBy(e, TopicExistsException.class)
            ? Future.succeededFuture(true) : Future.failedFuture(e));
  }

  private <T> Future<T> call(KafkaFuture<T> future, String what) {
    return admins.call(context, future, what);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    Future<?> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered.compose(v -> admins == null ? Future.succeededFuture() : admins.close(vertx));
  }
}
