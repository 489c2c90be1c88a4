package io.vmm.connector;

import io.vertx.core.Future;
import io.vmm.async.Budgets;
import io.vmm.bus.Addresses;
import io.vmm.config.ConnectorKeys;
import io.vmm.bus.Discovery;
import io.vmm.bus.LogBounds;
import io.vmm.bus.LogBoundsRequest;
import io.vmm.bus.PartitionFailure;
import io.vmm.bus.PartitionStart;
import io.vmm.bus.TaskCommand;
import io.vmm.bus.TopicInfo;
import io.vmm.progress.ProgressReader;
import io.vmm.progress.StartPlanner;
import io.vmm.progress.TakeOver;
import io.vmm.source.PartitionAssigner;
import io.vmm.source.SourceVerticle;
import io.vmm.status.TaskStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The source connector's tasks on this member: the partition groups (after MM2 {@code taskConfigs}), and per
 * group it runs a target producer and a source task (task {@code i} sends to producer {@code i}, so a partition's
 * batches never reorder). Starts tasks from a {@link StartPlanner} plan, applies task operations, and keeps the
 * FAILED partitions the tasks report.
 * <p>
 * Invariants: a task is deployed only after its producer; a producer is undeployed only after its task (the task
 * stores its progress through it); a task restarted or released here drains and stores its progress before the
 * next owner starts it. Not thread-safe: runs on the flow runner's context.
 */
public final class TaskSet {

  private static final Logger LOG = LoggerFactory.getLogger(TaskSet.class);

  private final FlowScope scope;
  private final BooleanSupplier connectorPaused;
  private List<List<TopicPartition>> assignment = new ArrayList<>();
  private final Map<Integer, String> tasks = new TreeMap<>();
  private final Map<Integer, String> producers = new TreeMap<>();
  private final Set<Integer> pausedTasks = new HashSet<>();
  private final Map<Integer, Future<Void>> stopping = new HashMap<>();
  private final Map<TopicPartition, PartitionFailure> failures = new LinkedHashMap<>();
  private final Map<String, String> remoteOf = new HashMap<>();
  private Map<TopicPartition, Long> stored = Map.of();
  private final TakeOver takeOver;
  private final TaskClients clients;
  private long sourceResets;

  /** @param connectorPaused whether the source connector's target state is paused (tasks start not fetching) */
  public TaskSet(FlowScope scope, BooleanSupplier connectorPaused) {
    this.scope = scope;
    this.connectorPaused = connectorPaused;
    this.clients = new TaskClients(scope);
    this.takeOver = new TakeOver(scope.name(), scope.flow().id().source(), scope.flow().id().target(),
        scope.flow().target().offsetStorageTopic(), scope.topics().progress());
  }

  // ------------------------------------------------------------------------------------------ assignment

  /** Deals the discovered partitions into groups: {@link PartitionAssigner#stable} in cluster mode, else MM2's. */
  public void assign(Discovery discovery) {
    clients.remoteLimits(discovery.smallestRemoteLimit());
    remember(discovery.topics());
    int tasksMax = scope.flow().sourceConnector().tasksMax();
    List<TopicPartition> partitions = discovery.partitions();
    assignment = new ArrayList<>(scope.clustered() ? PartitionAssigner.stable(partitions, tasksMax)
        : PartitionAssigner.assign(partitions, tasksMax));
    if (assignment.stream().allMatch(List::isEmpty)) {
      LOG.warn("{} no source topic matches the topic filter ({}); nothing to mirror until a refresh finds one",
          scope.name(), scope.flow().topicFilter());
    }
  }

  /** Takes a refresh's remote topic limits for the producers created from now on ({@link TaskClients#refreshLimits}). */
  public void refreshLimits(Discovery discovery) {
    clients.refreshLimits(discovery);
  }

  void remember(List<TopicInfo> topics) {
    topics.forEach(t -> remoteOf.put(t.topic(), t.remote()));
  }

  List<List<TopicPartition>> assignment() {
    return assignment;
  }

  Map<Integer, String> running() {
    return tasks;
  }

  /** The tasks with partitions that this member owns, ascending. */
  public List<Integer> owned() {
    List<Integer> mine = new ArrayList<>();
    for (int t = 0; t < assignment.size(); t++) {
      if (!assignment.get(t).isEmpty() && scope.ownership().owns(Units.task(scope.name(), t))) {
        mine.add(t);
      }
    }
    return mine;
  }

  // ------------------------------------------------------------------------------------------ start

  /** Deploys the target producers of {@code list} (worker verticles), in parallel. */
  public Future<Void> deployProducers(List<Integer> list) {
    return Future.all(list.stream().map(this::deployProducer).toList()).mapEmpty();
  }

  Future<Void> deployProducer(int t) {
    io.vertx.core.Deployable producer;
    try {
      producer = clients.producerVerticle(t);
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    return scope.deploy(producer, true).onSuccess(id -> producers.put(t, id)).mapEmpty();
  }

  /**
   * Reads the stored progress back from the target (off the event loop). Skipped only when {@code anyStored} is
   * false (the discovery found the progress topic just created or empty) on a single at-least-once replica: in
   * cluster mode that snapshot precedes the wait for units held by another member, which may have stored
   * progress in between (ExactlyOnceLongIT: a handed-over task re-copied from the earliest offset), and with
   * exactly-once a zombie of an earlier process may commit its first transaction before the producers fenced it.
   * The reader is Connect's offset store, not a connector client: the target cluster's settings only, no override.
   * Where our own progress has no entry, a Connect-mode MM2's (Strimzi) stored progress is taken over
   * ({@link TakeOver}: the target's {@code offset.storage.topic}, read once). Legacy MirrorMaker mode reads the
   * MM1 group's committed offsets on the source instead ({@link io.vmm.progress.GroupProgress#read}).
   */
  public Future<Void> loadProgress(boolean anyStored) {
    java.time.Duration timeout = java.time.Duration.ofMillis(scope.adminTimeoutMs());
    if (scope.flow().commitsLegacyGroup()) { // legacy MirrorMaker: the group's committed offsets on the source
      return io.vmm.progress.GroupProgress.read(scope.vertx(), scope.context(), scope.name(),
          scope.flow().legacy().groupId(), scope.flow().source().adminConfig(scope.name() + "|legacy-reader"),
          timeout).onSuccess(m -> stored = m).mapEmpty();
    }
    boolean skip = !anyStored && !scope.clustered() && !scope.flow().exactlyOnce();
    Future<Map<TopicPartition, Long>> own = skip ? Future.succeededFuture(Map.of())
        : scope.vertx().executeBlocking(() -> ProgressReader.load(
            scope.flow().target().consumerConfig(scope.name() + "|progress-reader"), scope.topics().progress(),
            scope.flow().id().source(), scope.flow().id().target(), timeout), false);
    Future<Map<TopicPartition, Long>> connect = takeOver.connectProgress(scope.vertx(),
        () -> scope.flow().target().consumerConfig(scope.name() + "|takeover-reader"), timeout);
    return Future.all(own, connect)
        .onSuccess(all -> stored = takeOver.apply(all.resultAt(0), all.resultAt(1))).mapEmpty();
  }

  /** Plans the start of {@code list} against {@code bounds} and deploys those tasks, in parallel. */
  public Future<Void> deployTasks(List<Integer> list, Map<TopicPartition, LogBounds> bounds) {
    List<Future<String>> deployed = new ArrayList<>();
    for (int t : list) {
      StartPlanner.Plan plan = plan(assignment.get(t), bounds);
      deployed.add(deployTask(t, new ArrayList<>(plan.starts().values())));
    }
    return Future.all(deployed).mapEmpty();
  }

  /** The start plan of {@code tps}; resets are logged and counted. */
  StartPlanner.Plan plan(Collection<TopicPartition> tps, Map<TopicPartition, LogBounds> bounds) {
    StartPlanner.Plan plan = StartPlanner.plan(tps, remoteOf::get, stored, bounds);
    plan.resets().forEach(r -> LOG.warn("{} {}", scope.name(), r.describe()));
    sourceResets += plan.resets().size();
    return plan;
  }

  /**
   * Starts tasks {@code list} of this member after the flow started (cluster mode: gained on a member change, or a
   * refresh gave a task of this member its first partitions): asks their previous owners to release them, starts
   * their producers, reads the stored progress and fresh log bounds, and deploys the tasks there.
   */
  public Future<Void> startLater(List<Integer> list) {
    List<TopicPartition> tps = new ArrayList<>();
    list.forEach(t -> tps.addAll(assignment.get(t)));
    return Future.join(list.stream().map(t -> scope.ownership().acquire(Units.task(scope.name(), t))).toList())
        .transform(acquired -> deployProducers(list))
        .compose(v -> Future.all(loadProgress(true), logBounds(tps)))
        .compose(all -> deployTasks(list, all.resultAt(1)))
        .onSuccess(v -> LOG.info("{} started source tasks {} here", scope.name(), list));
  }

  /** The current source log bounds of {@code tps}, from the flow's discovery. */
  Future<Map<TopicPartition, LogBounds>> logBounds(List<TopicPartition> tps) {
    if (tps.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return scope.vertx().eventBus().<LogBoundsRequest.Reply>request(Addresses.logBounds(scope.name()),
        new LogBoundsRequest(tps), Addresses.local()).map(m -> m.body().bounds());
  }

  /** Deploys source task {@code t} over {@code starts}. */
  Future<String> deployTask(int t, List<PartitionStart> starts) {
    SourceVerticle.Limits limits = clients.limits(t);
    Map<String, Object> consumerConfig = clients.consumer(t);
    boolean paused = connectorPaused.getAsBoolean() || pausedTasks.contains(t);
    return scope.deploy(new SourceVerticle(scope.flow().id(), t, consumerConfig, starts, limits, scope.metrics(),
            paused, scope.flow().replicationPolicy()::isHeartbeatsTopic), false)
        .onSuccess(id -> {
          tasks.put(t, id);
          if (scope.ownership().isHeld(Units.task(scope.name(), t))) {
            stopTask(t); // released to another member while starting
          }
        });
  }

  // ------------------------------------------------------------------------------------------ stop

  /** Stops task {@code t} here (it drains and stores its progress), then its producer; never fails. */
  public Future<Void> stopTask(int t) {
    String deployment = tasks.remove(t);
    Future<Void> stopped = scope.undeploy(deployment, Budgets.TASK_MS)
        .transform(ar -> scope.undeploy(producers.remove(t), Budgets.ROLE_MS))
        .onComplete(ar -> {
          clearFailures(t);
          scope.metrics().release(t, t < assignment.size() ? assignment.get(t) : List.of());
          LOG.info("{} stopped source task {} here", scope.name(), t);
        });
    stopping.put(t, stopped);
    stopped.onComplete(ar -> stopping.remove(t, stopped));
    return stopped;
  }

  /** A task stopping here (draining, storing progress), or null. */
  Future<Void> stopping(int t) {
    return stopping.get(t);
  }

  /** Stops every task in parallel (each drains and stores its progress); never fails. */
  public Future<Void> stopTasks() {
    List<Future<Void>> all = new ArrayList<>();
    tasks.values().forEach(id -> all.add(scope.undeploy(id, Budgets.TASK_MS)));
    tasks.clear();
    return Future.join(all).transform(ar -> Future.succeededFuture());
  }

  /** Stops every producer in parallel (after the tasks); never fails. */
  public Future<Void> stopProducers() {
    List<Future<Void>> all = new ArrayList<>();
    producers.values().forEach(id -> all.add(scope.undeploy(id, Budgets.ROLE_MS)));
    producers.clear();
    failures.clear();
    return Future.join(all).transform(ar -> Future.succeededFuture());
  }

  // ------------------------------------------------------------------------------------------ task operations

  /** Sends {@code command} to every running task. */
  public Future<Void> commandAll(TaskCommand command) {
    if (command == TaskCommand.RESUME) {
      pausedTasks.clear();
    }
    return Future.join(tasks.keySet().stream().map(t -> command(t, command)).toList()).mapEmpty();
  }

  private Future<String> command(int t, TaskCommand command) {
    return scope.vertx().eventBus().<String>request(Addresses.taskControl(scope.name(), t), command,
        Addresses.local()).map(m -> m.body());
  }

  /** {@code restart-task}, {@code pause-task} or {@code resume-task} of running task {@code t}. */
  public Future<Void> taskOp(String op, int t) {
    if (!tasks.containsKey(t)) {
      return Future.failedFuture(new ControlException(404, "unknown task " + t + " of "
          + Units.connector(scope.name(), io.vmm.config.ConnectorKind.SOURCE) + "; running tasks: " + tasks.keySet()));
    }
    return switch (op) {
      case "restart-task" -> restartTask(t);
      case "pause-task" -> {
        pausedTasks.add(t);
        yield command(t, TaskCommand.PAUSE).mapEmpty();
      }
      default -> {
        pausedTasks.remove(t);
        yield connectorPaused.getAsBoolean() ? Future.succeededFuture() : command(t, TaskCommand.RESUME).mapEmpty();
      }
    };
  }

  /**
   * Restarts task {@code t}: it drains and stores its progress, its producer is replaced (a failed partition's
   * producer state goes with it), progress and log bounds are read again, and it starts over the same partitions.
   * Its FAILED partitions are retried from the last stored offset.
   */
  public Future<Void> restartTask(int t) {
    LOG.info("{} restarting source task {}", scope.name(), t);
    return scope.undeploy(tasks.remove(t), Budgets.TASK_MS)
        .compose(v -> scope.undeploy(producers.remove(t), Budgets.ROLE_MS))
        .compose(v -> clients.readRemoteLimits(remoteOf.values()))
        .compose(v -> deployProducer(t))
        .compose(v -> Future.all(loadProgress(true), logBounds(assignment.get(t))))
        .compose(all -> {
          clearFailures(t);
          return deployTasks(List.of(t), all.resultAt(1));
        });
  }

  /**
   * Restarts, one after another, the tasks with a FAILED partition (also one whose last restart failed to deploy
   * it); fails with the first failed restart after trying them all.
   */
  public Future<Void> restartFailed() {
    Future<Void> chain = Future.succeededFuture();
    Throwable[] first = new Throwable[1];
    for (int t = 0; t < assignment.size(); t++) {
      if (taskError(t) != null) {
        int task = t;
        chain = chain.transform(ar -> restartTask(task)).onFailure(e -> first[0] = first[0] == null ? e : first[0]);
      }
    }
    return chain.transform(ar -> first[0] == null ? Future.succeededFuture() : Future.failedFuture(first[0]));
  }

  // ------------------------------------------------------------------------------------------ failures, status

  /** A task reported a FAILED partition. */
  public void failed(PartitionFailure failure) {
    failures.put(failure.tp(), failure);
  }

  private void clearFailures(int t) {
    String taskId = scope.name() + "#" + t;
    failures.values().removeIf(f -> taskId.equals(f.task()));
  }

  public int failedPartitions() {
    return failures.size();
  }

  public long sourceResets() {
    return sourceResets;
  }

  void resetCounted(int n) {
    sourceResets += n;
  }

  public List<JsonObject> failures() {
    return failures.values().stream().map(PartitionFailure::toJson).toList();
  }

  /** The error of task {@code t} (its FAILED partitions), or null. */
  String taskError(int t) {
    String taskId = scope.name() + "#" + t;
    StringBuilder sb = new StringBuilder();
    for (PartitionFailure f : failures.values()) {
      if (taskId.equals(f.task())) {
        sb.append(sb.isEmpty() ? "" : "; ").append(f.tp()).append(" FAILED at offset ").append(f.offset())
            .append(": ").append(f.error());
      }
    }
    return sb.isEmpty() ? null : sb.toString();
  }

  /** The running tasks' statuses; {@code connectorState} is the source connector's state name. */
  public List<TaskStatus> statuses(String connectorState, long nowMs) {
    List<TaskStatus> out = new ArrayList<>();
    for (int t : tasks.keySet()) {
      String error = taskError(t);
      JsonArray partitions = new JsonArray();
      if (t < assignment.size()) {
        for (TopicPartition tp : assignment.get(t)) {
          var pm = scope.metrics().partitionOrNull(tp);
          partitions.add(pm != null ? pm.toJson(nowMs) : new JsonObject().put("topic", tp.topic())
              .put("partition", tp.partition()).put("remoteTopic", remoteOf.get(tp.topic())));
        }
      }
      String state = error != null ? "FAILED" : "PAUSED".equals(connectorState) || pausedTasks.contains(t)
          ? "PAUSED" : connectorState;
      out.add(new TaskStatus(t, state, error, scope.ownership().self(), partitions));
    }
    return out;
  }

  /** Unit name to owning member, for every task with partitions. */
  void owners(JsonObject into) {
    for (int t = 0; t < assignment.size(); t++) {
      if (!assignment.get(t).isEmpty()) {
        into.put(Units.task(scope.name(), t), scope.ownership().owner(Units.task(scope.name(), t)));
      }
    }
  }
}
