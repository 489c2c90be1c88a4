package io.vmm.connector;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vmm.async.Budgets;
import io.vmm.async.StopSignal;
import io.vmm.bus.Addresses;
import io.vmm.bus.Discovery;
import io.vmm.bus.PartitionFailure;
import io.vmm.bus.TaskCommand;
import io.vmm.bus.TopicInfo;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.ConnectorKind;
import io.vmm.config.ConnectorState;
import io.vmm.connector.ConnectorLifecycle.State;
import io.vmm.async.OperationQueue;
import io.vmm.metrics.LagMonitorVerticle;
import io.vmm.source.TopicDiscoveryVerticle;
import io.vmm.status.ConnectorStatus;
import io.vmm.sync.AclSyncVerticle;
import io.vmm.sync.OffsetSyncWriterVerticle;
import io.vmm.sync.TopicConfigSyncVerticle;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The flow's MirrorSourceConnector on this member: topic discovery, the {@link TaskSet} (producers and source
 * tasks), the offset-sync writer, topic-config and ACL sync (on the member owning the connector unit), and the lag
 * monitor. Paused = everything deployed, tasks not fetching; stopped = nothing deployed.
 * <p>
 * Start, in order ("plan, then act"): discovery once (topics, remote topics created, log bounds); then, in
 * parallel, the producers, the offset-sync writer and the stored progress; then the {@code StartPlanner} plan and
 * the tasks; last the other roles, so they do not delay the first record. Stop, in the order that loses nothing:
 * the tasks drain and store their progress while their producers still run ({@link Budgets#TASK_MS}); then
 * producers, writer and every other role in parallel ({@link Budgets#ROLE_MS}).
 * <p>
 * With Strimzi's {@code autoRestart} enabled, an {@link AutoRestartTimer} restarts, after {@link AutoRestart}'s
 * backoff and through the queue, the connector when it is FAILED (a restart or resume that failed to start it),
 * else its tasks with a FAILED partition ({@link TaskSet#restartFailed}); one count covers both, as in Strimzi.
 * A failure while the whole flow starts is the supervisor's to retry: the flow's stop disarms the timer.
 * <p>
 * The flow's stop ({@link FlowScope#stop}) abandons a start in progress at whatever step it is: the start fails at
 * once with a {@link StopSignal.Stopping} cause and undoes what it started, so the stop is not queued behind
 * discovery (bounded only by {@code admin.timeout.ms}) or a unit hand-over.
 * <p>
 * Threading: every method runs on the flow runner's context, inside its {@link OperationQueue}.
 */
public final class SourceConnector {

  private static final Logger LOG = LoggerFactory.getLogger(SourceConnector.class);
  /** How often the lag monitor refreshes source log offsets, ms. */
  public static final long LAG_REFRESH_MS = 5_000;

  private final FlowScope scope;
  private final OperationQueue queue;
  private final String unit;
  private final ConnectorLifecycle lifecycle;
  private final TaskSet tasks;
  private final PartitionRefresh refresh;
  private final AutoRestartTimer autoRestart;
  private List<TopicInfo> topics = List.of();
  private MessageConsumer<PartitionFailure> failureListener;
  private MessageConsumer<Discovery> topicsListener;
  private String discovery;
  private String offsetSyncs;
  private String configSync;
  private String aclSync;
  private String lagMonitor;

  public SourceConnector(FlowScope scope, OperationQueue queue, ConnectorState target) {
    this.scope = scope;
    this.queue = queue;
    this.unit = Units.connector(scope.name(), ConnectorKind.SOURCE);
    this.lifecycle = new ConnectorLifecycle(true, target);
    this.tasks = new TaskSet(scope, () -> lifecycle.target() == ConnectorState.PAUSED);
    this.refresh = new PartitionRefresh(scope, tasks);
    this.autoRestart = new AutoRestartTimer(scope, queue, unit, scope.flow().sourceConnector().autoRestart(),
        () -> lifecycle.wantsWork() && (lifecycle.state() == State.FAILED || tasks.failedPartitions() > 0),
        this::restartFailed);
  }

  /** The target state from a flow spec: its {@code state}, or STOPPED with {@code enabled=false}. */
  public static ConnectorState targetOf(io.vmm.config.FlowSpec flow) {
    return flow.sourceConnector().config().getBoolean(ConnectorKeys.ENABLED)
        ? flow.sourceConnector().state() : ConnectorState.STOPPED;
  }

  // ------------------------------------------------------------------------------------------ start, stop

  /** Starts the connector in its target state; a no-op when it is up. Fails (after undoing) when it cannot. */
  public Future<Void> start() {
    if (lifecycle.target() == ConnectorState.STOPPED) {
      lifecycle.idle();
      publish();
      LOG.info("{} source connector is STOPPED{}: not mirroring", scope.name(),
          scope.flow().sourceConnector().config().getBoolean(ConnectorKeys.ENABLED) ? "" : " (enabled=false)");
      return Future.succeededFuture();
    }
    if (lifecycle.isUp()) {
      return Future.succeededFuture();
    }
    lifecycle.starting();
    autoRestart.arm();
    publish();
    long started = System.currentTimeMillis();
    failureListener = scope.vertx().eventBus().localConsumer(Addresses.partitionFailed(scope.name()), m -> {
      tasks.failed(m.body());
      publish();
      if (scope.flow().legacy() != null && scope.flow().legacy().abortOnSendFailure()) { // MM1's default
        io.vmm.async.ExitRequest.request(scope.name() + " " + m.body().tp() + " FAILED at offset " + m.body().offset()
            + " and abortOnSendFailure is true: " + m.body().error());
      }
    });
    topicsListener = scope.vertx().eventBus().localConsumer(Addresses.topicsChanged(scope.name()),
        m -> queue.serialized(() -> onRefresh(m.body())));
    // the flow's stop abandons the start at any step (the cluster-id check, discovery, admin calls, a hand-over)
    // instead of awaiting it
    Future<Void> work = io.vmm.kafka.ClusterIdentity.check(scope.vertx(), scope.context(), scope.flow()) // not onto itself
        .compose(v -> scope.deploy(new TopicDiscoveryVerticle(scope.flow()), false))
        .compose(id -> {
          discovery = id;
          return scope.vertx().eventBus().<Discovery>request(Addresses.discover(scope.name()), null,
              Addresses.local().setSendTimeout(Budgets.discoveryMs(scope.adminTimeoutMs())));
        })
        .compose(reply -> {
          Discovery found = reply.body();
          topics = found.topics();
          tasks.assign(found);
          List<Integer> mine = tasks.owned();
          return Future.join(mine.stream().map(t -> scope.ownership().acquire(Units.task(scope.name(), t))).toList())
              .transform(acquired -> startData(found, mine));
        });
    return scope.stop().guard(work, "start of the source connector")
        .onSuccess(v -> {
          lifecycle.started();
          publish();
          LOG.info("{} source connector {} with {} tasks{} in {} ms", scope.name(), lifecycle.state(),
              tasks.running().size(), scope.clustered() ? " here " + tasks.running().keySet() + " of "
                  + tasks.assignment().size() : "", System.currentTimeMillis() - started);
        })
        .recover(e -> stopWork().transform(ar -> {
          if (!StopSignal.isStopping(e)) {
            lifecycle.failed(e.getMessage());
          }
          publish();
          return Future.failedFuture(e);
        }));
  }

  /**
   * Producers, writer and stored progress in parallel; then the planned tasks; then the other roles. With
   * exactly-once the progress is read after the producers started: their {@code initTransactions()} fenced any
   * earlier owner, so no transaction can commit after the read (the read then sees every committed position).
   * Whether the discovery's {@code progressStored} may skip the read is {@link TaskSet#loadProgress}'s call.
   */
  private Future<Void> startData(Discovery found, List<Integer> mine) {
    Future<Void> fenced = scope.flow().exactlyOnce() ? tasks.deployProducers(mine) : Future.succeededFuture();
    return fenced.compose(x -> Future.all(scope.flow().exactlyOnce() ? Future.succeededFuture()
                : tasks.deployProducers(mine), deployOffsetSyncWriter(),
            tasks.loadProgress(found.progressStored()),
            TransactionFencing.fenceStale(scope)))
        .compose(v -> tasks.deployTasks(mine, found.bounds()))
        .compose(v -> startRoles());
  }

  private Future<Void> deployOffsetSyncWriter() {
    if (!scope.flow().sourceConnector().config().getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED)) {
      return Future.succeededFuture();
    }
    return scope.deploy(new OffsetSyncWriterVerticle(scope.flow()), true).onSuccess(id -> offsetSyncs = id)
        .mapEmpty();
  }

  /** The lag monitor, and the sync roles when this member owns the connector unit. */
  private Future<Void> startRoles() {
    Future<String> lag = scope.deploy(new LagMonitorVerticle(scope.flow(), scope.metrics(), LAG_REFRESH_MS), false)
        .onSuccess(id -> lagMonitor = id);
    Future<Void> syncs = scope.ownership().owns(unit)
        ? scope.ownership().acquire(unit).compose(v -> startSyncRoles()) : Future.succeededFuture();
    return Future.all(lag, syncs).mapEmpty();
  }

  private Future<Void> startSyncRoles() {
    ConnectorConfig c = scope.flow().sourceConnector().config();
    List<Future<String>> roles = new ArrayList<>();
    if (c.getBoolean(ConnectorKeys.SYNC_TOPIC_CONFIGS_ENABLED)) {
      roles.add(scope.deploy(new TopicConfigSyncVerticle(scope.flow(), topics), false)
          .onSuccess(id -> configSync = id));
    }
    if (c.getBoolean(ConnectorKeys.SYNC_TOPIC_ACLS_ENABLED)) {
      roles.add(scope.deploy(new AclSyncVerticle(scope.flow()), false).onSuccess(id -> aclSync = id));
    }
    return Future.all(roles).mapEmpty();
  }

  private boolean syncRolesUp() {
    return configSync != null || aclSync != null;
  }

  private boolean syncRolesWanted() {
    ConnectorConfig c = scope.flow().sourceConnector().config();
    return c.getBoolean(ConnectorKeys.SYNC_TOPIC_CONFIGS_ENABLED) || c.getBoolean(ConnectorKeys.SYNC_TOPIC_ACLS_ENABLED);
  }

  private Future<Void> stopSyncRoles() {
    Future<Void> stopped = Future.join(scope.undeploy(configSync, Budgets.ROLE_MS),
        scope.undeploy(aclSync, Budgets.ROLE_MS)).mapEmpty();
    configSync = null;
    aclSync = null;
    return stopped;
  }

  /** Stops the tasks (drain, store progress), then every other role in parallel; no automatic restart follows. */
  public Future<Void> stop() {
    autoRestart.disarm();
    return stopWork();
  }

  /** Stops the tasks (drain, store progress), then every other role in parallel; never fails. */
  private Future<Void> stopWork() {
    boolean wasUp = !tasks.running().isEmpty() || discovery != null;
    lifecycle.stopped();
    return tasks.stopTasks()
        .transform(ar -> Future.join(List.of(tasks.stopProducers(), scope.undeploy(offsetSyncs, Budgets.ROLE_MS),
            scope.undeploy(discovery, Budgets.ROLE_MS), stopSyncRoles(),
            scope.undeploy(lagMonitor, Budgets.ROLE_MS))))
        .transform(ar -> Future.join(unregister(failureListener), unregister(topicsListener)))
        .transform(ar -> {
          failureListener = null;
          topicsListener = null;
          discovery = null;
          offsetSyncs = null;
          lagMonitor = null;
          lifecycle.stopped();
          publish();
          if (wasUp) {
            LOG.info("{} source connector stopped", scope.name());
          }
          return Future.succeededFuture();
        });
  }

  private static Future<Void> unregister(MessageConsumer<?> consumer) {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private Future<Void> onRefresh(Discovery found) {
    if (!lifecycle.isUp()) {
      return Future.succeededFuture();
    }
    topics = found.topics();
    tasks.refreshLimits(found);
    return refresh.apply(found).onComplete(ar -> publish());
  }

  // ------------------------------------------------------------------------------------------ operations

  /** A new target state: pause, resume, stop (REST or reload). */
  public Future<Void> request(ConnectorState target) {
    return switch (lifecycle.request(target)) {
      case START -> start();
      case STOP -> stop();
      case PAUSE_TASKS -> tasks.commandAll(TaskCommand.PAUSE).onComplete(ar -> {
        lifecycle.paused();
        publish();
        LOG.info("{} source connector paused", scope.name());
      });
      case RESUME_TASKS -> tasks.commandAll(TaskCommand.RESUME).onComplete(ar -> {
        lifecycle.resumed();
        publish();
        LOG.info("{} source connector resumed", scope.name());
      });
      default -> Future.succeededFuture();
    };
  }

  /** Connect's restart: the whole connector, or (onlyFailed) its failed tasks. */
  public Future<Void> restart(boolean includeTasks, boolean onlyFailed) {
    return switch (lifecycle.restart(includeTasks, onlyFailed)) {
      case RESTART -> {
        LOG.info("{} restarting the source connector", scope.name());
        yield stopWork().compose(v -> start());
      }
      case RESTART_FAILED_TASKS -> tasks.restartFailed().onComplete(ar -> publish());
      default -> Future.succeededFuture();
    };
  }

  /** The automatic restart: the connector when FAILED, else its tasks with a FAILED partition. */
  private Future<Void> restartFailed() {
    if (lifecycle.state() == State.FAILED) {
      LOG.info("{} automatic restart of the source connector: {}", scope.name(), lifecycle.error());
      return stopWork().compose(v -> start());
    }
    return tasks.restartFailed().onComplete(ar -> publish());
  }

  /** {@code restart-task}, {@code pause-task}, {@code resume-task}. */
  public Future<Void> taskOp(String op, int task) {
    return tasks.taskOp(op, task).onComplete(ar -> publish());
  }

  // ------------------------------------------------------------------------------------------ cluster mode

  /** After a member change: stops the tasks and sync roles this member lost (tasks store progress first). */
  public Future<Void> stopLost() {
    if (!lifecycle.isUp()) {
      return Future.succeededFuture();
    }
    List<Future<?>> lost = new ArrayList<>();
    for (Integer t : new ArrayList<>(tasks.running().keySet())) {
      if (!scope.ownership().owns(Units.task(scope.name(), t))) {
        lost.add(tasks.stopTask(t).onComplete(ar -> publish()));
      }
    }
    if (syncRolesUp() && !scope.ownership().owns(unit)) {
      lost.add(stopSyncRoles());
    }
    return Future.join(lost).mapEmpty();
  }

  /** After a member change: starts the tasks and sync roles this member gained. */
  public Future<Void> startGained() {
    if (!lifecycle.isUp()) {
      return Future.succeededFuture();
    }
    List<Future<?>> gained = new ArrayList<>();
    List<Integer> list = new ArrayList<>(tasks.owned());
    list.removeAll(tasks.running().keySet());
    if (!list.isEmpty()) {
      gained.add(tasks.startLater(list));
    }
    if (!syncRolesUp() && scope.ownership().owns(unit) && syncRolesWanted()) {
      gained.add(scope.ownership().acquire(unit).compose(v -> startSyncRoles()));
    }
    return Future.join(gained).mapEmpty();
  }

  /** Another member takes {@code unitName} over: stops it here (a task stores its progress first). */
  public Future<Void> release(String unitName) {
    if (unitName.equals(unit)) {
      if (syncRolesUp()) {
        LOG.info("{} releasing {} to a member taking it over", scope.name(), unitName);
      }
      return stopSyncRoles();
    }
    for (Integer t : new ArrayList<>(tasks.running().keySet())) {
      if (unitName.equals(Units.task(scope.name(), t))) {
        LOG.info("{} releasing {} to a member taking it over", scope.name(), unitName);
        return tasks.stopTask(t).onComplete(ar -> publish());
      }
    }
    for (int t = 0; t < tasks.assignment().size(); t++) {
      Future<Void> stopping = tasks.stopping(t);
      if (stopping != null && unitName.equals(Units.task(scope.name(), t))) {
        return stopping; // already stopping: answer once its progress is stored
      }
    }
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------------------------------------ status

  public String readinessProblem() {
    return lifecycle.readinessProblem(unit);
  }

  public State state() {
    return lifecycle.state();
  }

  public ConnectorStatus status(long nowMs) {
    return new ConnectorStatus(unit, lifecycle.state().name(), lifecycle.error(), scope.ownership().owner(unit),
        tasks.statuses(lifecycle.state().name(), nowMs), autoRestart.status(nowMs));
  }

  public List<JsonObject> failures() {
    return tasks.failures();
  }

  public long sourceResets() {
    return tasks.sourceResets();
  }

  /** Unit name to owning member for the connector unit and every task with partitions. */
  public void owners(JsonObject into) {
    tasks.owners(into);
  }

  private void publish() {
    scope.metrics().running(ConnectorKind.SOURCE.mm2Name(), lifecycle.state() == State.RUNNING);
    scope.metrics().flowState(tasks.failedPartitions(), tasks.sourceResets());
    autoRestart.observe();
  }
}
