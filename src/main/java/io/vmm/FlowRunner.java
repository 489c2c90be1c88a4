package io.vmm;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.bus.Addresses;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.FlowSpec;
import io.vmm.heartbeat.HeartbeatVerticle;
import io.vmm.source.PartitionAssigner;
import io.vmm.source.SourceVerticle;
import io.vmm.source.TopicDiscoveryVerticle;
import io.vmm.sync.AclSyncVerticle;
import io.vmm.sync.TopicConfigSyncVerticle;
import io.vmm.target.ProgressStore;
import io.vmm.target.TargetProducerVerticle;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one flow {@code A->B}: deploys its topic discovery, then one target producer and one source task per
 * partition group, and stops them in the order that loses nothing (sources drain and store progress while their
 * producers still run, then the producers, then discovery).
 * <p>
 * The verticles are deployed as top-level deployments from this runner's own event-loop context (not as
 * children of a verticle), so that the stop order is this runner's to choose. All state here is confined to
 * that context; {@link #start()} and {@link #stop()} may be called from any thread and complete on it.
 */
public final class FlowRunner {

  private static final Logger LOG = LoggerFactory.getLogger(FlowRunner.class);

  private final Vertx vertx;
  private final FlowSpec flow;
  private final Context context;
  private final List<String> sourceDeployments = new ArrayList<>();
  private final Map<String, JsonObject> failedPartitions = new LinkedHashMap<>();
  private final List<String> producerDeployments = new ArrayList<>();
  private final Map<String, String> remoteOf = new HashMap<>();
  private Map<TopicPartition, Long> storedProgress = Map.of();
  /** Partitions whose stored progress lies outside the source log: resume here (the log start) instead. */
  private final Map<TopicPartition, Long> resumeOverrides = new HashMap<>();
  /** Partitions restarted at the log start because the source log no longer held their position (metric-ready). */
  private long sourceResets;
  private Future<Void> pendingChange = Future.succeededFuture();
  private MessageConsumer<JsonObject> topicsListener;
  private String progressTopic;
  private String discoveryDeployment;
  private String configSyncDeployment;
  private String aclSyncDeployment;
  private String heartbeatDeployment;
  private String offsetSyncDeployment;
  private String checkpointDeployment;
  private MessageConsumer<JsonObject> failureListener;
  private List<List<TopicPartition>> assignment = List.of();
  private String state = "STOPPED";

  public FlowRunner(Vertx vertx, FlowSpec flow, Context context) {
    this.vertx = vertx;
    this.flow = flow;
    this.context = context;
  }

  public FlowSpec flow() {
    return flow;
  }

  /**
   * Discovers topics, creates remote topics, reads stored progress and starts the source tasks.
   * Fails (after undoing what it started) if a cluster cannot be reached within {@code admin.timeout.ms}.
   */
  public Future<Void> start() {
    Promise<Void> promise = Promise.promise();
    context.runOnContext(v -> doStart().onComplete(promise));
    return promise.future();
  }

  private Future<Void> doStart() {
    ConnectorConfig sourceConfig = flow.sourceConnector().config();
    if (!flow.sourceConnector().isRunning()) {
      state = flow.sourceConnector().state().name();
      LOG.info("{} source connector is {}: not mirroring", flow.name(),
          sourceConfig.getBoolean(ConnectorKeys.ENABLED) ? state : "disabled (enabled=false)");
      return startHeartbeats();
    }
    state = "STARTING";
    long started = System.currentTimeMillis();
    Duration adminTimeout = Duration.ofMillis(sourceConfig.getLong(ConnectorKeys.ADMIN_TIMEOUT_MS));
    failureListener = vertx.eventBus().localConsumer(Addresses.partitionFailed(flow.name()),
        m -> failedPartitions.put(m.body().getString("topic") + "-" + m.body().getInteger("partition"), m.body()));
    progressTopic = ProgressStore.topic(flow.id().source());
    topicsListener = vertx.eventBus().localConsumer(Addresses.topicsChanged(flow.name()),
        m -> pendingChange = pendingChange.transform(ar -> addPartitions(m.body())));
    return vertx.deployVerticle(new TopicDiscoveryVerticle(flow))
        .compose(id -> {
          discoveryDeployment = id;
          return vertx.eventBus().<JsonObject>request(Addresses.discover(flow.name()), null,
              new DeliveryOptions().setSendTimeout(adminTimeout.toMillis() * 3));
        })
        .compose(reply -> {
          JsonObject discovery = reply.body();
          List<TopicPartition> partitions = partitionsOf(discovery.getJsonArray("topics"));
          assignment = PartitionAssigner.assign(partitions, flow.sourceConnector().tasksMax());
          // one producer per task, started while stored progress is read
          // producers and the offset-sync writer start in parallel, all before any task can send to them
          Future<Void> producers = Future.all(deployProducers(0, assignment.size()), deployOffsetSyncWriter())
              .mapEmpty();
          Future<Map<TopicPartition, Long>> stored = !discovery.getBoolean("progressStored", true)
              ? Future.succeededFuture(Map.of())
              : vertx.executeBlocking(() -> ProgressStore.load(
                  flow.target().consumerConfig(flow.name() + "|progress-reader"), progressTopic,
                  flow.id().source(), adminTimeout), false);
          Future<Map<TopicPartition, Long>> checked = stored.compose(this::checkStoredProgress);
          return Future.all(producers, checked).compose(v -> {
            storedProgress = checked.result();
            rememberRemoteNames(discovery.getJsonArray("topics"));
            if (assignment.isEmpty()) {
              LOG.warn("{} no source topic matches the topic filter ({}); nothing to mirror until a refresh finds one",
                  flow.name(), flow.topicFilter());
            }
            List<Future<String>> tasks = new ArrayList<>();
            for (int task = 0; task < assignment.size(); task++) {
              tasks.add(deployTask(task, assignment.get(task)));
            }
            // the other roles start once records flow, so their start-up does not delay the first record
            return Future.all(tasks).compose(deployed -> startOtherRoles(discovery.getJsonArray("topics")));
          });
        })
        .compose(v -> startHeartbeats())
        .onSuccess(v -> {
          state = "RUNNING";
          LOG.info("{} running with {} source tasks in {} ms", flow.name(), sourceDeployments.size(),
              System.currentTimeMillis() - started);
        })
        .recover(e -> {
          state = "FAILED";
          LOG.error("{} failed to start: {}", flow.name(), e.getMessage());
          return doStop().transform(ar -> Future.failedFuture(e));
        });
  }

  private static List<TopicPartition> partitionsOf(JsonArray topics) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (int i = 0; i < topics.size(); i++) {
      JsonObject t = topics.getJsonObject(i);
      for (int p = 0; p < t.getInteger("partitions"); p++) {
        partitions.add(new TopicPartition(t.getString("topic"), p));
      }
    }
    return partitions;
  }

  /**
   * Deploys target producers {@code from .. from+count-1} (worker verticles) as one deployment; producer i
   * serves source task i.
   */
  private Future<Void> deployProducers(int from, int count) {
    if (count == 0) {
      return Future.succeededFuture();
    }
    AtomicInteger next = new AtomicInteger(from);
    return vertx.deployVerticle(() -> {
          int i = next.getAndIncrement();
          return new TargetProducerVerticle(flow.name(), i,
              flow.target().producerConfig(flow.name() + "|producer-" + i), progressTopic);
        }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setInstances(count))
        .onSuccess(producerDeployments::add)
        .mapEmpty();
  }

  /** Topic-config sync, ACL sync and checkpoints, each when enabled; in parallel. */
  private Future<Void> startOtherRoles(JsonArray topics) {
    ConnectorConfig sourceConfig = flow.sourceConnector().config();
    List<Future<String>> roles = new ArrayList<>();
    if (sourceConfig.getBoolean(ConnectorKeys.SYNC_TOPIC_CONFIGS_ENABLED)) {
      roles.add(vertx.deployVerticle(new TopicConfigSyncVerticle(flow, topics))
          .onSuccess(id -> configSyncDeployment = id));
    }
    roles.add(startCheckpoints());
    if (sourceConfig.getBoolean(ConnectorKeys.SYNC_TOPIC_ACLS_ENABLED)) {
      roles.add(vertx.deployVerticle(new AclSyncVerticle(flow)).onSuccess(id -> aclSyncDeployment = id));
    }
    return Future.all(roles).mapEmpty();
  }

  /**
   * Starts the flow's MirrorCheckpointConnector (worker verticle) when it is running and
   * {@code emit.checkpoints.enabled}; it needs offset syncs, as in MM2.
   */
  private Future<String> startCheckpoints() {
    ConnectorConfig c = flow.checkpointConnector().config();
    if (!flow.checkpointConnector().isRunning() || !c.getBoolean(ConnectorKeys.EMIT_CHECKPOINTS_ENABLED)) {
      return Future.succeededFuture();
    }
    if (!flow.sourceConnector().config().getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED)) {
      LOG.warn("{} checkpoints need offset syncs: emit.offset-syncs.enabled is false, so no checkpoints",
          flow.name());
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new io.vmm.checkpoint.CheckpointVerticle(flow),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .onSuccess(id -> checkpointDeployment = id);
  }

  /** The offset-sync writer (worker), before any task can send syncs; none with emit.offset-syncs.enabled=false. */
  private Future<Void> deployOffsetSyncWriter() {
    if (!flow.sourceConnector().config().getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED)) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new io.vmm.sync.OffsetSyncWriterVerticle(flow),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .onSuccess(id -> offsetSyncDeployment = id)
        .mapEmpty();
  }

  /**
   * Starts the flow's MirrorHeartbeatConnector unless its state is not running or {@code emit.heartbeats.enabled}
   * is false (MM2 ignores {@code enabled} for heartbeats). Independent of the source connector's state.
   */
  private Future<Void> startHeartbeats() {
    if (flow.heartbeatConnector().state() != io.vmm.config.ConnectorState.RUNNING
        || !flow.heartbeatConnector().config().getBoolean(ConnectorKeys.EMIT_HEARTBEATS_ENABLED)) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new HeartbeatVerticle(flow),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .onSuccess(id -> heartbeatDeployment = id)
        .mapEmpty();
  }

  /**
   * Asks discovery which stored positions of assigned partitions lie outside the source log, and resumes those
   * at the log start (counted in {@code sourceResets}).
   */
  private Future<Map<TopicPartition, Long>> checkStoredProgress(Map<TopicPartition, Long> stored) {
    java.util.Set<TopicPartition> assigned = new java.util.HashSet<>();
    assignment.forEach(assigned::addAll);
    JsonArray body = new JsonArray();
    stored.forEach((tp, offset) -> {
      if (assigned.contains(tp)) {
        body.add(new JsonObject().put("topic", tp.topic()).put("partition", tp.partition()).put("lastWritten", offset));
      }
    });
    if (body.isEmpty()) {
      return Future.succeededFuture(stored);
    }
    return vertx.eventBus().<JsonArray>request(Addresses.checkProgress(flow.name()), body)
        .map(reply -> {
          for (int i = 0; i < reply.body().size(); i++) {
            JsonObject r = reply.body().getJsonObject(i);
            resumeOverrides.put(new TopicPartition(r.getString("topic"), r.getInteger("partition")),
                r.getLong("logStart"));
            sourceResets++;
          }
          return stored;
        });
  }

  private void rememberRemoteNames(JsonArray topics) {
    for (int i = 0; i < topics.size(); i++) {
      remoteOf.put(topics.getJsonObject(i).getString("topic"), topics.getJsonObject(i).getString("remote"));
    }
  }

  private SourceVerticle.Assignment assignmentOf(TopicPartition tp) {
    long resumeAt = resumeOverrides.getOrDefault(tp, -1L);
    return resumeAt >= 0 ? new SourceVerticle.Assignment(tp, remoteOf.get(tp.topic()), resumeAt - 1, resumeAt)
        : SourceVerticle.Assignment.fromStored(tp, remoteOf.get(tp.topic()), storedProgress.getOrDefault(tp, -1L));
  }

  /**
   * Starts mirroring partitions a topic refresh found (new topics, or partitions added to a source topic),
   * without restarting anything: new tasks are started while fewer than {@code tasksMax} run, the rest go to
   * the tasks with the fewest partitions. Runs one change at a time on this runner's context.
   */
  private Future<Void> addPartitions(JsonObject discovery) {
    if (!"RUNNING".equals(state)) {
      return Future.succeededFuture();
    }
    return resetRecreated(discovery.getJsonArray("recreated", new JsonArray())).transform(ar -> addNew(discovery));
  }

  /**
   * Restarts, at the new log start, the assigned partitions of source topics that were deleted and recreated
   * (counted in {@code sourceResets}); records of the new topic are appended to the same remote topic, as MM2 does.
   */
  private Future<Void> resetRecreated(JsonArray recreated) {
    if (recreated.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<?>> resets = new ArrayList<>();
    for (int task = 0; task < assignment.size(); task++) {
      JsonArray body = new JsonArray();
      for (TopicPartition tp : assignment.get(task)) {
        if (recreated.contains(tp.topic())) {
          body.add(new JsonObject().put("topic", tp.topic()).put("partition", tp.partition()));
        }
      }
      if (!body.isEmpty()) {
        resets.add(vertx.eventBus().<Integer>request(Addresses.taskReset(flow.name(), task), body)
            .onSuccess(m -> sourceResets += m.body()));
      }
    }
    return Future.join(resets).mapEmpty();
  }

  private Future<Void> addNew(JsonObject discovery) {
    JsonArray topics = discovery.getJsonArray("topics");
    rememberRemoteNames(topics);
    java.util.Set<TopicPartition> assigned = new java.util.HashSet<>();
    assignment.forEach(assigned::addAll);
    List<TopicPartition> added = new ArrayList<>();
    for (TopicPartition tp : partitionsOf(topics)) {
      if (!assigned.contains(tp)) {
        added.add(tp);
      }
    }
    if (added.isEmpty()) {
      return Future.succeededFuture();
    }
    int existing = assignment.size();
    int newTasks = Math.min(flow.sourceConnector().tasksMax() - existing, added.size());
    List<Integer> slots = new ArrayList<>();
    for (int t = existing; t < existing + newTasks; t++) {
      slots.add(t);
      assignment.add(new ArrayList<>());
    }
    List<Integer> byLoad = new ArrayList<>();
    for (int t = 0; t < existing; t++) {
      byLoad.add(t);
    }
    byLoad.sort(java.util.Comparator.comparingInt(t -> assignment.get(t).size()));
    slots.addAll(byLoad);
    Map<Integer, List<TopicPartition>> byTask = new java.util.TreeMap<>();
    for (int i = 0; i < added.size(); i++) {
      byTask.computeIfAbsent(slots.get(i % slots.size()), t -> new ArrayList<>()).add(added.get(i));
    }
    LOG.info("{} refresh: mirroring {} new partitions ({} new tasks)", flow.name(), added.size(), newTasks);
    List<Future<?>> steps = new ArrayList<>();
    Future<Void> newProducers = deployProducers(existing, newTasks);
    byTask.forEach((task, tps) -> {
      if (task >= existing) {
        assignment.get(task).addAll(tps);
        steps.add(newProducers.compose(v -> deployTask(task, tps)));
      } else {
        JsonArray body = new JsonArray();
        tps.forEach(tp -> {
          SourceVerticle.Assignment a = assignmentOf(tp);
          body.add(new JsonObject().put("topic", tp.topic()).put("partition", tp.partition())
              .put("remote", a.targetTopic()).put("lastWritten", a.lastWritten()).put("resumeAt", a.resumeAt()));
        });
        steps.add(vertx.eventBus().request(Addresses.taskAssign(flow.name(), task), body)
            .onSuccess(m -> assignment.get(task).addAll(tps)));
      }
    });
    return Future.all(steps).<Void>mapEmpty()
        .onFailure(e -> LOG.error("{} adding partitions failed: {}", flow.name(), e.toString()));
  }

  /** Deploys source task {@code task} over {@code tps}, resuming each at its stored progress. */
  private Future<String> deployTask(int task, List<TopicPartition> tps) {
    ConnectorConfig c = flow.sourceConnector().config();
    SourceVerticle.Limits limits = new SourceVerticle.Limits(
        c.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_RECORDS), c.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_BYTES),
        c.getInt(ConnectorKeys.INFLIGHT_TASK_MAX_BYTES), c.getLong(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS),
        c.getLong(ConnectorKeys.CONSUMER_POLL_TIMEOUT_MS), flow.target().deliveryTimeoutMs() + 30_000,
        c.getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED) ? c.getLong(ConnectorKeys.OFFSET_LAG_MAX) : -1);
    List<SourceVerticle.Assignment> group = new ArrayList<>();
    tps.forEach(tp -> group.add(assignmentOf(tp)));
    Map<String, Object> consumerConfig = flow.source().consumerConfig(
        flow.name() + "|MirrorSourceConnector-" + task + "|replication-consumer");
    return vertx.deployVerticle(new SourceVerticle(flow.id(), task, consumerConfig, group, limits))
        .onSuccess(sourceDeployments::add);
  }

  /** Stops source tasks (drain, store progress), then the producer, then discovery; never fails. */
  public Future<Void> stop() {
    Promise<Void> promise = Promise.promise();
    context.runOnContext(v -> doStop().onComplete(promise));
    return promise.future();
  }

  private Future<Void> doStop() {
    long started = System.currentTimeMillis();
    if (!"FAILED".equals(state)) {
      state = "STOPPING"; // a refresh arriving now adds nothing
    }
    List<Future<Void>> sources = new ArrayList<>();
    for (String id : sourceDeployments) {
      sources.add(undeploy(id, 9_000));
    }
    sourceDeployments.clear();
    return Future.join(sources)
        .transform(ar -> Future.join(producerDeployments.stream().map(id -> undeploy(id, 4_000)).toList()))
        .transform(ar -> offsetSyncDeployment == null ? Future.succeededFuture() : undeploy(offsetSyncDeployment, 4_000))
        .transform(ar -> discoveryDeployment == null ? Future.succeededFuture() : undeploy(discoveryDeployment, 4_000))
        .transform(ar -> configSyncDeployment == null ? Future.succeededFuture()
            : undeploy(configSyncDeployment, 4_000))
        .transform(ar -> aclSyncDeployment == null ? Future.succeededFuture() : undeploy(aclSyncDeployment, 4_000))
        .transform(ar -> heartbeatDeployment == null ? Future.succeededFuture() : undeploy(heartbeatDeployment, 4_000))
        .transform(ar -> checkpointDeployment == null ? Future.succeededFuture()
            : undeploy(checkpointDeployment, 4_000))
        .transform(ar -> failureListener == null ? Future.<Void>succeededFuture() : failureListener.unregister())
        .transform(ar -> topicsListener == null ? Future.<Void>succeededFuture() : topicsListener.unregister())
        .transform(ar -> {
          producerDeployments.clear();
          discoveryDeployment = null;
          configSyncDeployment = null;
          aclSyncDeployment = null;
          heartbeatDeployment = null;
          offsetSyncDeployment = null;
          checkpointDeployment = null;
          if (!"FAILED".equals(state)) {
            state = "STOPPED";
          }
          LOG.info("{} stopped in {} ms", flow.name(), System.currentTimeMillis() - started);
          return Future.succeededFuture();
        });
  }

  private Future<Void> undeploy(String id, long timeoutMs) {
    return vertx.undeploy(id).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("{} undeploy of {} failed: {}", flow.name(), id, e.toString());
          return Future.succeededFuture();
        });
  }

  /** Status snapshot: state, tasks with their partitions, FAILED partitions with their errors. */
  public Future<JsonObject> status() {
    Promise<JsonObject> promise = Promise.promise();
    context.runOnContext(v -> {
      JsonArray tasks = new JsonArray();
      for (int i = 0; i < assignment.size(); i++) {
        tasks.add(new JsonObject().put("id", i).put("partitions",
            new JsonArray(assignment.get(i).stream().map(TopicPartition::toString).toList())));
      }
      promise.complete(new JsonObject().put("flow", flow.name()).put("state", state).put("tasks", tasks)
          .put("failedPartitions", new JsonArray(new ArrayList<>(failedPartitions.values())))
          .put("sourceResets", sourceResets));
    });
    return promise.future();
  }
}
