package io.vmm;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.bus.Addresses;
import io.vmm.replica.MemberView;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.ConnectorState;
import io.vmm.config.FlowSpec;
import io.vmm.heartbeat.HeartbeatVerticle;
import io.vmm.metrics.FlowMetrics;
import io.vmm.metrics.LagMonitorVerticle;
import io.vmm.metrics.PartitionMetrics;
import io.vmm.source.PartitionAssigner;
import io.vmm.source.SourceVerticle;
import io.vmm.source.TopicDiscoveryVerticle;
import io.vmm.sync.AclSyncVerticle;
import io.vmm.sync.TopicConfigSyncVerticle;

import io.vmm.target.TargetProducerVerticle;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs one flow {@code A->B}: its three connectors, each with a requested state (running, paused, stopped) that
 * the config sets at start and the REST API or a config reload changes at run time.
 * <ul>
 *   <li><b>MirrorSourceConnector</b>: topic discovery, then one target producer and one source task per partition
 *       group, the offset-sync writer, topic-config and ACL sync, and the lag monitor. Stopped in the order that
 *       loses nothing: sources drain and store progress while their producers still run, then the producers,
 *       then the rest. Paused = everything deployed, tasks not fetching. Stopped = nothing deployed.</li>
 *   <li><b>MirrorCheckpointConnector</b> and <b>MirrorHeartbeatConnector</b>: one verticle each (task 0);
 *       paused and stopped both mean not deployed.</li>
 * </ul>
 * Reported states follow Kafka Connect: UNASSIGNED (starting), RUNNING, PAUSED, STOPPED, FAILED (with the
 * error). A source task is FAILED while one of its partitions is (a record the target refused for good); a
 * restart of the task clears that.
 * <p>
 * <b>Cluster mode.</b> The flow's work is split into units, each run by the member that owns it in the current
 * {@link MemberView} (rendezvous hashing): {@code A->B.MirrorSourceConnector} (topic-config and ACL sync),
 * {@code A->B.MirrorSourceConnector/N} (source task N: a partition group of the {@link PartitionAssigner#stable}
 * assignment, with its producer), {@code A->B.MirrorCheckpointConnector} and {@code A->B.MirrorHeartbeatConnector}.
 * Every member runs topic discovery (creating remote topics is idempotent), the offset-sync writer and the lag
 * monitor for its own partitions. On a member change ({@link #reassign}) a unit this member lost is stopped first
 * (a task drains and stores its progress), then a unit it gained is started, after asking its previous owner to
 * release it ({@link Handover}), from the progress stored in the target. Alone (no cluster mode) the member owns
 * every unit. The previous owner is asked even when it may already have stopped; a member that cannot be reached
 * counts as released, so a brief overlap is possible only when a member is unreachable but alive (at-least-once:
 * records may then be mirrored twice, never lost).
 * <p>
 * Verticles are deployed as top-level deployments from this runner's own event-loop context (not as children of
 * a verticle), so the stop order is this runner's to choose. All state is confined to that context; operations
 * are serialized (one at a time, in call order); public methods may be called from any thread and complete on
 * this runner's context.
 */
public final class FlowRunner {

  private static final Logger LOG = LoggerFactory.getLogger(FlowRunner.class);
  /** How often the lag monitor refreshes source log offsets, ms. */
  static final long LAG_REFRESH_MS = 5_000;

  /** A connector of the flow, by its Kafka Connect class name. */
  public enum Connector {
    SOURCE("MirrorSourceConnector"), CHECKPOINT("MirrorCheckpointConnector"), HEARTBEAT("MirrorHeartbeatConnector");

    final String className;

    Connector(String className) {
      this.className = className;
    }

    /** The connector of a flow by Strimzi's name {@code A->B.MirrorSourceConnector}, or null. */
    static Connector byName(String flowName, String connectorName) {
      for (Connector c : values()) {
        if ((flowName + "." + c.className).equals(connectorName)) {
          return c;
        }
      }
      return null;
    }
  }

  /** Asks another member to stop running a unit (storing its progress) before this member starts it. */
  @FunctionalInterface
  public interface Handover {
    /** No other members: nothing to ask. */
    Handover NONE = (member, flow, unit) -> Future.succeededFuture();

    /**
     * Completes when {@code member} no longer runs {@code unit} of {@code flow}, or could not be asked (left,
     * unreachable, timed out: logged); never fails.
     */
    Future<Void> release(String member, String flow, String unit);
  }

  /** How long a unit released to a member this replica does not see yet is held back from starting here, ms. */
  static final long RELEASE_HOLD_MS = 30_000;

  private record Released(String member, long atMs) {
  }

  /** A request that cannot be applied: carries the HTTP status to answer with. */
  public static final class ControlException extends RuntimeException {
    final int status;

    ControlException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Vertx vertx;
  private final FlowSpec flow;
  private final Context context;
  private final FlowMetrics metrics;
  private final boolean clustered;
  private final Handover handover;
  private Future<?> ops = Future.succeededFuture();
  /** The members as this replica last saw them; decides which units run here. */
  private MemberView view;
  /** Units this replica released to a member not yet in its view: not started here until it appears or expiry. */
  private final Map<String, Released> releasedTo = new HashMap<>();
  /** Source tasks being stopped here (draining, storing progress): a release waits for them. */
  private final Map<Integer, Future<Void>> stoppingTasks = new HashMap<>();
  /** The topics of the last discovery or refresh (for topic-config sync when its unit moves here). */
  private JsonArray lastTopics = new JsonArray();

  // requested and actual states
  private ConnectorState wantSource;
  private ConnectorState wantCheckpoint;
  private ConnectorState wantHeartbeat;
  private String sourceState = "UNASSIGNED";
  private String sourceError;
  private String checkpointState = "UNASSIGNED";
  private String checkpointError;
  private String heartbeatState = "UNASSIGNED";
  private String heartbeatError;

  // the source connector's deployments and data
  private final Map<Integer, String> taskDeployments = new TreeMap<>();
  private final Map<Integer, String> producerDeployments = new TreeMap<>();
  private final Set<Integer> pausedTasks = new HashSet<>();
  private final Map<String, JsonObject> failedPartitions = new LinkedHashMap<>();
  private final Map<String, String> remoteOf = new HashMap<>();
  private Map<TopicPartition, Long> storedProgress = Map.of();
  /** Partitions whose stored progress lies outside the source log: resume here (the log start) instead. */
  private final Map<TopicPartition, Long> resumeOverrides = new HashMap<>();
  /** Partitions restarted at the log start because the source log no longer held their position. */
  private long sourceResets;
  private MessageConsumer<io.vmm.bus.Discovery> topicsListener;
  private MessageConsumer<io.vmm.bus.PartitionFailure> failureListener;
  private String progressTopic;
  private String discoveryDeployment;
  private String configSyncDeployment;
  private String aclSyncDeployment;
  private String offsetSyncDeployment;
  private String lagDeployment;
  private List<List<TopicPartition>> assignment = new ArrayList<>();
  private String checkpointDeployment;
  private String heartbeatDeployment;

  /** A runner alone: it owns every unit. */
  public FlowRunner(Vertx vertx, FlowSpec flow, Context context, FlowMetrics metrics) {
    this(vertx, flow, context, metrics, MemberView.single("local"), false, Handover.NONE);
  }

  /**
   * @param vertx     the Vert.x instance
   * @param flow      the flow; its connectors' {@code state} fields are the requested states at start
   * @param context   this runner's own event-loop context
   * @param metrics   the flow's metrics (closed by whoever created them)
   * @param view      the members at start
   * @param clustered cluster mode: tasks use the {@link PartitionAssigner#stable} assignment
   * @param handover  how to ask a previous owner to release a unit
   */
  public FlowRunner(Vertx vertx, FlowSpec flow, Context context, FlowMetrics metrics, MemberView view,
                    boolean clustered, Handover handover) {
    this.vertx = vertx;
    this.flow = flow;
    this.context = context;
    this.metrics = metrics;
    this.view = view;
    this.clustered = clustered;
    this.handover = handover;
    this.wantSource = flow.sourceConnector().config().getBoolean(ConnectorKeys.ENABLED)
        ? flow.sourceConnector().state() : ConnectorState.STOPPED;
    this.wantCheckpoint = flow.checkpointConnector().state();
    this.wantHeartbeat = flow.heartbeatConnector().state();
  }

  public FlowSpec flow() {
    return flow;
  }

  public FlowMetrics metrics() {
    return metrics;
  }

  /** The unit name of connector {@code c}: {@code A->B.MirrorSourceConnector} etc. */
  public String unit(Connector c) {
    return flow.name() + "." + c.className;
  }

  /** The unit name of source task {@code task}: {@code A->B.MirrorSourceConnector/3}. */
  public String taskUnit(int task) {
    return unit(Connector.SOURCE) + "/" + task;
  }

  /** True when this replica runs {@code unit}: it owns it in its view and has not released it to a newcomer. */
  private boolean owns(String unit) {
    return view.owns(unit) && !releasedTo.containsKey(unit);
  }

  /** The tasks with partitions that this replica owns, ascending. */
  private List<Integer> ownedTasks() {
    List<Integer> mine = new ArrayList<>();
    for (int t = 0; t < assignment.size(); t++) {
      if (!assignment.get(t).isEmpty() && owns(taskUnit(t))) {
        mine.add(t);
      }
    }
    return mine;
  }

  /** Asks the member that ran {@code unit} before this one joined to release it; never fails. */
  private Future<Void> acquire(String unit) {
    String previous = view.ownerWithoutSelf(unit);
    return previous == null ? Future.succeededFuture() : handover.release(previous, flow.name(), unit);
  }

  /** Runs {@code op} on this runner's context after every earlier operation has completed. */
  private <T> Future<T> serialized(Supplier<Future<T>> op) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      Future<T> f = ops.transform(ar -> {
        try {
          return op.get();
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      });
      ops = f;
      f.onComplete(promise);
    });
    return promise.future();
  }

  /** Sets the member view before {@link #start()} (cluster mode: known once this replica has joined). */
  public Future<Void> useView(MemberView first) {
    return serialized(() -> {
      view = first;
      return Future.succeededFuture();
    });
  }

  /** Runs {@code read} on this runner's context now, without waiting for operations in progress (state reads). */
  private <T> Future<T> onContext(Supplier<Future<T>> read) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> read.get().onComplete(promise));
    return promise.future();
  }

  // ------------------------------------------------------------------------------------------ whole flow

  /**
   * Starts every connector in its requested state. A no-op for connectors already up. Fails (after undoing
   * what it started) if a cluster cannot be reached within {@code admin.timeout.ms}; the caller retries.
   */
  public Future<Void> start() {
    return serialized(this::doStart);
  }

  private Future<Void> doStart() {
    long started = System.currentTimeMillis();
    return startSourceIfWanted()
        .compose(v -> startCheckpointIfWanted())
        .compose(v -> startHeartbeatIfWanted())
        .onSuccess(v -> LOG.info("{} started in {} ms: source connector {} ({} tasks), checkpoints {}, heartbeats {}",
            flow.name(), System.currentTimeMillis() - started, sourceState, taskDeployments.size(), checkpointState,
            heartbeatState))
        .recover(e -> {
          LOG.error("{} failed to start: {}", flow.name(), e.getMessage());
          String failed = sourceState;
          return doStop().transform(ar -> {
            sourceState = "FAILED".equals(failed) ? "FAILED" : sourceState;
            return Future.failedFuture(e);
          });
        });
  }

  /** Stops every connector (the source side drains and stores its progress first); never fails. */
  public Future<Void> stop() {
    return serialized(this::doStop);
  }

  private Future<Void> doStop() {
    long started = System.currentTimeMillis();
    return stopSource()
        .transform(ar -> stopCheckpoint())
        .transform(ar -> stopHeartbeat())
        .transform(ar -> {
          LOG.info("{} stopped in {} ms", flow.name(), System.currentTimeMillis() - started);
          return Future.succeededFuture();
        });
  }

  /** True when every connector requested running (or paused) has started: the flow's readiness. */
  public Future<JsonObject> readiness() {
    return onContext(() -> {
      List<String> notReady = new ArrayList<>();
      check(notReady, Connector.SOURCE, wantSource, sourceState, sourceError);
      check(notReady, Connector.CHECKPOINT, wantCheckpoint, checkpointState, checkpointError);
      check(notReady, Connector.HEARTBEAT, wantHeartbeat, heartbeatState, heartbeatError);
      return Future.succeededFuture(new JsonObject().put("flow", flow.name()).put("ready", notReady.isEmpty())
          .put("reasons", new JsonArray(notReady)));
    });
  }

  private void check(List<String> notReady, Connector c, ConnectorState want, String state, String error) {
    if (c != Connector.SOURCE && !owns(unit(c))) {
      return; // another member runs it
    }
    String expected = want == ConnectorState.RUNNING ? "RUNNING" : want == ConnectorState.PAUSED
        && c == Connector.SOURCE ? "PAUSED" : null;
    if (expected != null && !expected.equals(state)) {
      notReady.add(flow.name() + "." + c.className + " is " + state + (expected.equals("RUNNING") ? "" : ", wanted "
          + expected) + (error == null ? "" : ": " + error));
    }
  }

  // ------------------------------------------------------------------------------------------ control

  /**
   * Applies a control operation to a connector ({@code pause}, {@code resume}, {@code stop}, {@code restart})
   * or to a task ({@code restart-task}, {@code pause-task}, {@code resume-task}). Completes with the
   * connector's status when applied; fails with a {@link ControlException} for an unknown connector or task.
   *
   * @param connectorName Strimzi's connector name, {@code A->B.MirrorSourceConnector}
   * @param op            the operation
   * @param task          the task id for task operations
   * @param includeTasks  restart: restart the tasks as well (ours always restart with the connector)
   * @param onlyFailed    restart: only what is FAILED
   */
  public Future<JsonObject> control(String connectorName, String op, int task, boolean includeTasks,
                                    boolean onlyFailed) {
    Connector c = Connector.byName(flow.name(), connectorName);
    if (c == null) {
      return Future.failedFuture(new ControlException(404, "unknown connector " + connectorName));
    }
    return serialized(() -> (switch (op) {
      case "pause" -> pause(c);
      case "resume" -> resume(c);
      case "stop" -> stopConnector(c);
      case "restart" -> restart(c, includeTasks, onlyFailed);
      case "restart-task", "pause-task", "resume-task" -> taskOp(c, op, task);
      default -> Future.<Void>failedFuture(new ControlException(400, "unknown operation " + op));
    }).map(v -> connectorStatus(c, System.currentTimeMillis())));
  }

  /**
   * Sets the requested states from a new config (a reload that changed only connector {@code state} fields)
   * and applies them.
   */
  public Future<Void> applyStates(FlowSpec newSpec) {
    return serialized(() -> {
      ConnectorState src = newSpec.sourceConnector().config().getBoolean(ConnectorKeys.ENABLED)
          ? newSpec.sourceConnector().state() : ConnectorState.STOPPED;
      return toState(Connector.SOURCE, src)
          .compose(v -> toState(Connector.CHECKPOINT, newSpec.checkpointConnector().state()))
          .compose(v -> toState(Connector.HEARTBEAT, newSpec.heartbeatConnector().state()))
          .mapEmpty();
    });
  }

  private Future<Void> toState(Connector c, ConnectorState target) {
    return switch (target) {
      case RUNNING -> resume(c);
      case PAUSED -> pause(c);
      case STOPPED -> stopConnector(c);
    };
  }

  private Future<Void> pause(Connector c) {
    switch (c) {
      case SOURCE -> {
        ConnectorState before = wantSource;
        wantSource = ConnectorState.PAUSED;
        if (before == ConnectorState.STOPPED || "FAILED".equals(sourceState)) {
          return startSourceIfWanted(); // starts positioned but not fetching
        }
        List<Future<?>> pauses = new ArrayList<>();
        taskDeployments.keySet().forEach(t -> pauses.add(taskControl(t, "pause")));
        return Future.join(pauses).onComplete(ar -> {
          if ("RUNNING".equals(sourceState)) {
            sourceState = "PAUSED";
          }
          publishState();
          LOG.info("{} source connector paused", flow.name());
        }).mapEmpty();
      }
      case CHECKPOINT -> {
        wantCheckpoint = ConnectorState.PAUSED;
        return stopCheckpoint();
      }
      default -> {
        wantHeartbeat = ConnectorState.PAUSED;
        return stopHeartbeat();
      }
    }
  }

  private Future<Void> resume(Connector c) {
    switch (c) {
      case SOURCE -> {
        ConnectorState before = wantSource;
        wantSource = ConnectorState.RUNNING;
        if (before == ConnectorState.STOPPED || "FAILED".equals(sourceState) || "STOPPED".equals(sourceState)) {
          return startSourceIfWanted();
        }
        pausedTasks.clear();
        List<Future<?>> resumes = new ArrayList<>();
        taskDeployments.keySet().forEach(t -> resumes.add(taskControl(t, "resume")));
        return Future.join(resumes).onComplete(ar -> {
          if ("PAUSED".equals(sourceState)) {
            sourceState = "RUNNING";
          }
          publishState();
          LOG.info("{} source connector resumed", flow.name());
        }).mapEmpty();
      }
      case CHECKPOINT -> {
        wantCheckpoint = ConnectorState.RUNNING;
        return startCheckpointIfWanted();
      }
      default -> {
        wantHeartbeat = ConnectorState.RUNNING;
        return startHeartbeatIfWanted();
      }
    }
  }

  private Future<Void> stopConnector(Connector c) {
    switch (c) {
      case SOURCE -> {
        wantSource = ConnectorState.STOPPED;
        return stopSource();
      }
      case CHECKPOINT -> {
        wantCheckpoint = ConnectorState.STOPPED;
        return stopCheckpoint();
      }
      default -> {
        wantHeartbeat = ConnectorState.STOPPED;
        return stopHeartbeat();
      }
    }
  }

  private Future<Void> restart(Connector c, boolean includeTasks, boolean onlyFailed) {
    switch (c) {
      case SOURCE -> {
        if (onlyFailed && !"FAILED".equals(sourceState)) {
          if (!includeTasks) {
            return Future.succeededFuture();
          }
          List<Integer> failedTasks = new ArrayList<>();
          for (Integer t : taskDeployments.keySet()) {
            if (taskError(t) != null) {
              failedTasks.add(t);
            }
          }
          Future<Void> chain = Future.succeededFuture();
          for (Integer t : failedTasks) {
            chain = chain.compose(v -> restartTask(t));
          }
          return chain;
        }
        LOG.info("{} restarting the source connector", flow.name());
        return stopSource().compose(v -> startSourceIfWanted());
      }
      case CHECKPOINT -> {
        if (onlyFailed && !"FAILED".equals(checkpointState)) {
          return Future.succeededFuture();
        }
        return stopCheckpoint().compose(v -> startCheckpointIfWanted());
      }
      default -> {
        if (onlyFailed && !"FAILED".equals(heartbeatState)) {
          return Future.succeededFuture();
        }
        return stopHeartbeat().compose(v -> startHeartbeatIfWanted());
      }
    }
  }

  private Future<Void> taskOp(Connector c, String op, int task) {
    if (c != Connector.SOURCE) {
      if (task != 0) {
        return Future.failedFuture(new ControlException(404, "unknown task " + task + " of " + flow.name() + "."
            + c.className + " (it has task 0 only)"));
      }
      return switch (op) {
        case "restart-task" -> restart(c, true, false);
        case "pause-task" -> pause(c);
        default -> resume(c);
      };
    }
    if (!taskDeployments.containsKey(task)) {
      return Future.failedFuture(new ControlException(404, "unknown task " + task + " of " + flow.name()
          + ".MirrorSourceConnector; running tasks: " + taskDeployments.keySet()));
    }
    return switch (op) {
      case "restart-task" -> restartTask(task);
      case "pause-task" -> {
        pausedTasks.add(task);
        yield taskControl(task, "pause").mapEmpty();
      }
      default -> {
        pausedTasks.remove(task);
        yield wantSource == ConnectorState.PAUSED ? Future.succeededFuture()
            : taskControl(task, "resume").mapEmpty();
      }
    };
  }

  private Future<String> taskControl(int task, String op) {
    io.vmm.bus.TaskCommand command = "pause".equals(op) ? io.vmm.bus.TaskCommand.PAUSE : io.vmm.bus.TaskCommand.RESUME;
    return vertx.eventBus().<String>request(Addresses.taskControl(flow.name(), task), command, Addresses.local())
        .map(m -> m.body());
  }

  /**
   * Restarts source task {@code task}: the task drains and stores its progress, its producer is replaced (a
   * failed partition's producer state goes with it), progress is read back from the target, and the task starts
   * again over the same partitions. Its FAILED partitions are retried from the last stored offset.
   */
  private Future<Void> restartTask(int task) {
    LOG.info("{} restarting source task {}", flow.name(), task);
    String taskId = flow.name() + "#" + task;
    String deployment = taskDeployments.remove(task);
    return undeploy(deployment, 9_000)
        .compose(v -> {
          String producer = producerDeployments.remove(task);
          return producer == null ? Future.<Void>succeededFuture() : undeploy(producer, 4_000);
        })
        .compose(v -> deployProducer(task))
        .compose(v -> loadProgress())
        .compose(stored -> {
          storedProgress = stored;
          failedPartitions.values().removeIf(f -> taskId.equals(f.getString("task")));
          publishState();
          return deployTask(task, assignment.get(task)).mapEmpty();
        });
  }

  // ------------------------------------------------------------------------------------------ source connector

  private Future<Void> startSourceIfWanted() {
    if (wantSource == ConnectorState.STOPPED) {
      sourceState = "STOPPED";
      publishState();
      LOG.info("{} source connector is STOPPED{}: not mirroring", flow.name(),
          flow.sourceConnector().config().getBoolean(ConnectorKeys.ENABLED) ? "" : " (enabled=false)");
      return Future.succeededFuture();
    }
    if ("RUNNING".equals(sourceState) || "PAUSED".equals(sourceState)) {
      return Future.succeededFuture();
    }
    sourceState = "UNASSIGNED";
    sourceError = null;
    publishState();
    ConnectorConfig sourceConfig = flow.sourceConnector().config();
    long started = System.currentTimeMillis();
    Duration adminTimeout = Duration.ofMillis(sourceConfig.getLong(ConnectorKeys.ADMIN_TIMEOUT_MS));
    failureListener = vertx.eventBus().localConsumer(Addresses.partitionFailed(flow.name()), m -> {
      failedPartitions.put(m.body().tp().topic() + "-" + m.body().tp().partition(),
          m.body().toJson().put("flow", flow.name()));
      publishState();
    });
    progressTopic = io.vmm.policy.InternalTopics.progressTopic(flow.id().source());
    topicsListener = vertx.eventBus().localConsumer(Addresses.topicsChanged(flow.name()),
        m -> serialized(() -> addPartitions(legacyJson(m.body()))));
    return vertx.deployVerticle(new TopicDiscoveryVerticle(flow))
        .compose(id -> {
          discoveryDeployment = id;
          return vertx.eventBus().<io.vmm.bus.Discovery>request(Addresses.discover(flow.name()), null,
              Addresses.local().setSendTimeout(adminTimeout.toMillis() * 3));
        })
        .compose(reply -> {
          JsonObject discovery = legacyJson(reply.body());
          lastTopics = discovery.getJsonArray("topics");
          List<TopicPartition> partitions = partitionsOf(discovery.getJsonArray("topics"));
          int tasksMax = flow.sourceConnector().tasksMax();
          assignment = new ArrayList<>(clustered ? PartitionAssigner.stable(partitions, tasksMax)
              : PartitionAssigner.assign(partitions, tasksMax));
          List<Integer> mine = ownedTasks();
          return Future.join(mine.stream().map(t -> acquire(taskUnit(t))).toList())
              .transform(acquired -> startSourceData(discovery, mine));
        })
        .onSuccess(v -> {
          sourceState = wantSource == ConnectorState.PAUSED ? "PAUSED" : "RUNNING";
          publishState();
          LOG.info("{} source connector {} with {} tasks{} in {} ms", flow.name(), sourceState,
              taskDeployments.size(), clustered ? " here " + taskDeployments.keySet() + " of " + assignment.size() : "",
              System.currentTimeMillis() - started);
        })
        .recover(e -> {
          sourceError = e.getMessage();
          return stopSource().transform(ar -> {
            sourceState = "FAILED";
            publishState();
            return Future.failedFuture(e);
          });
        });
  }

  /**
   * The source side's data path over the discovered topics: the producers of tasks {@code mine} and the
   * offset-sync writer (in parallel with reading and checking the stored progress), all before any task can
   * send to them; then the tasks; then the other roles.
   */
  private Future<Void> startSourceData(JsonObject discovery, List<Integer> mine) {
    List<Future<?>> ready = new ArrayList<>();
    mine.forEach(t -> ready.add(deployProducer(t)));
    ready.add(deployOffsetSyncWriter());
    Future<Map<TopicPartition, Long>> stored = !discovery.getBoolean("progressStored", true)
        ? Future.succeededFuture(Map.of()) : loadProgress();
    Future<Map<TopicPartition, Long>> checked = stored.compose(s -> checkStoredProgress(s, mine));
    ready.add(checked);
    return Future.all(ready).compose(v -> {
      storedProgress = checked.result();
      rememberRemoteNames(discovery.getJsonArray("topics"));
      if (assignment.stream().allMatch(List::isEmpty)) {
        LOG.warn("{} no source topic matches the topic filter ({}); nothing to mirror until a refresh finds one",
            flow.name(), flow.topicFilter());
      }
      List<Future<String>> tasks = new ArrayList<>();
      mine.forEach(task -> tasks.add(deployTask(task, assignment.get(task))));
      // the other roles start once records flow, so their start-up does not delay the first record
      return Future.all(tasks).compose(deployed -> startSourceRoles(discovery.getJsonArray("topics")));
    });
  }

  private Future<Map<TopicPartition, Long>> loadProgress() {
    Duration adminTimeout = Duration.ofMillis(flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS));
    return vertx.executeBlocking(() -> io.vmm.progress.ProgressReader.load(
        flow.target().consumerConfig(flow.name() + "|progress-reader"), progressTopic,
        flow.id().source(), adminTimeout), false);
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

  /** Deploys target producer {@code i} (a worker verticle), which serves source task {@code i}. */
  private Future<Void> deployProducer(int i) {
    return vertx.deployVerticle(new TargetProducerVerticle(flow.name(), i,
            flow.target().producerConfig(flow.name() + "|producer-" + i), progressTopic),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .onSuccess(id -> producerDeployments.put(i, id))
        .mapEmpty();
  }

  /** The lag monitor, and topic-config sync and ACL sync when enabled and this member owns the connector unit. */
  private Future<Void> startSourceRoles(JsonArray topics) {
    Future<String> lag = vertx.deployVerticle(new LagMonitorVerticle(flow, metrics, LAG_REFRESH_MS))
        .onSuccess(id -> lagDeployment = id);
    return Future.all(lag, owns(unit(Connector.SOURCE)) ? acquire(unit(Connector.SOURCE))
        .compose(v -> startSyncRoles(topics)) : Future.succeededFuture()).mapEmpty();
  }

  /** Topic-config sync and ACL sync, each when enabled; in parallel. */
  private Future<Void> startSyncRoles(JsonArray topics) {
    ConnectorConfig sourceConfig = flow.sourceConnector().config();
    List<Future<String>> roles = new ArrayList<>();
    if (sourceConfig.getBoolean(ConnectorKeys.SYNC_TOPIC_CONFIGS_ENABLED)) {
      roles.add(vertx.deployVerticle(new TopicConfigSyncVerticle(flow, topics))
          .onSuccess(id -> configSyncDeployment = id));
    }
    if (sourceConfig.getBoolean(ConnectorKeys.SYNC_TOPIC_ACLS_ENABLED)) {
      roles.add(vertx.deployVerticle(new AclSyncVerticle(flow)).onSuccess(id -> aclSyncDeployment = id));
    }
    return Future.all(roles).mapEmpty();
  }

  private boolean syncRolesUp() {
    return configSyncDeployment != null || aclSyncDeployment != null;
  }

  private Future<Void> stopSyncRoles() {
    String config = configSyncDeployment;
    String acl = aclSyncDeployment;
    configSyncDeployment = null;
    aclSyncDeployment = null;
    return Future.join(undeploy(config, 4_000), undeploy(acl, 4_000)).mapEmpty();
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
   * TEMPORARY (until the new FlowRunner and its start planner, which compares stored progress with
   * {@code Discovery.bounds}): stored progress is used as is.
   */
  private Future<Map<TopicPartition, Long>> checkStoredProgress(Map<TopicPartition, Long> stored,
                                                                List<Integer> tasks) {
    return Future.succeededFuture(stored);
  }

  /** TEMPORARY (until the new FlowRunner): a {@link io.vmm.bus.Discovery} in the JSON shape this class reads. */
  private static JsonObject legacyJson(io.vmm.bus.Discovery d) {
    JsonArray topics = new JsonArray();
    d.topics().forEach(t -> topics.add(new JsonObject().put("topic", t.topic()).put("remote", t.remote())
        .put("partitions", t.partitions())));
    return new JsonObject().put("topics", topics).put("progressStored", d.progressStored())
        .put("recreated", new JsonArray(new ArrayList<>(d.recreated())));
  }

  private void rememberRemoteNames(JsonArray topics) {
    for (int i = 0; i < topics.size(); i++) {
      remoteOf.put(topics.getJsonObject(i).getString("topic"), topics.getJsonObject(i).getString("remote"));
    }
  }

  private io.vmm.bus.PartitionStart assignmentOf(TopicPartition tp) {
    Long resumeAt = resumeOverrides.remove(tp); // a log-start override applies once, to the first start
    return resumeAt != null ? new io.vmm.bus.PartitionStart(tp, remoteOf.get(tp.topic()), resumeAt - 1, resumeAt)
        : io.vmm.bus.PartitionStart.fromStored(tp, remoteOf.get(tp.topic()), storedProgress.getOrDefault(tp, -1L));
  }

  /**
   * Starts mirroring partitions a topic refresh found (new topics, or partitions added to a source topic),
   * without restarting anything: new tasks are started while fewer than {@code tasksMax} run, the rest go to
   * the tasks with the fewest partitions.
   */
  private Future<Void> addPartitions(JsonObject discovery) {
    if (!"RUNNING".equals(sourceState) && !"PAUSED".equals(sourceState)) {
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
    for (int task : taskDeployments.keySet()) {
      List<TopicPartition> body = new ArrayList<>();
      for (TopicPartition tp : assignment.get(task)) {
        if (recreated.contains(tp.topic())) {
          body.add(tp);
        }
      }
      if (!body.isEmpty()) {
        resets.add(vertx.eventBus().<Integer>request(Addresses.taskReset(flow.name(), task),
                new io.vmm.bus.TaskReset(body), Addresses.local())
            .onSuccess(m -> {
              sourceResets += m.body();
              publishState();
            }));
      }
    }
    return Future.join(resets).mapEmpty();
  }

  private Future<Void> addNew(JsonObject discovery) {
    JsonArray topics = discovery.getJsonArray("topics");
    lastTopics = topics;
    rememberRemoteNames(topics);
    Set<TopicPartition> assigned = new HashSet<>();
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
    if (clustered) {
      return addStable(added);
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
    Map<Integer, List<TopicPartition>> byTask = new TreeMap<>();
    for (int i = 0; i < added.size(); i++) {
      byTask.computeIfAbsent(slots.get(i % slots.size()), t -> new ArrayList<>()).add(added.get(i));
    }
    LOG.info("{} refresh: mirroring {} new partitions ({} new tasks)", flow.name(), added.size(), newTasks);
    List<Future<?>> steps = new ArrayList<>();
    byTask.forEach((task, tps) -> {
      if (task >= existing) {
        assignment.get(task).addAll(tps);
        steps.add(deployProducer(task).compose(v -> deployTask(task, tps)));
      } else {
        steps.add(assignToTask(task, tps));
      }
    });
    return Future.all(steps).<Void>mapEmpty()
        .onFailure(e -> LOG.error("{} adding partitions failed: {}", flow.name(), e.toString()));
  }

  /**
   * Cluster mode: puts each new partition in its {@link PartitionAssigner#stable} group; a running task here
   * takes it at once, a task of this member that had no partitions starts, other members' tasks are left to
   * them (their own discovery finds the partitions).
   */
  private Future<Void> addStable(List<TopicPartition> added) {
    Map<Integer, List<TopicPartition>> byTask = new TreeMap<>();
    added.forEach(tp -> byTask.computeIfAbsent(PartitionAssigner.taskOf(tp, assignment.size()),
        t -> new ArrayList<>()).add(tp));
    LOG.info("{} refresh: {} new partitions", flow.name(), added.size());
    List<Future<?>> steps = new ArrayList<>();
    byTask.forEach((task, tps) -> {
      if (taskDeployments.containsKey(task)) {
        steps.add(assignToTask(task, tps));
      } else {
        assignment.get(task).addAll(tps);
        if (owns(taskUnit(task))) {
          steps.add(startTasks(List.of(task)));
        }
      }
    });
    return Future.all(steps).<Void>mapEmpty()
        .onFailure(e -> LOG.error("{} adding partitions failed: {}", flow.name(), e.toString()));
  }

  /** Adds {@code tps} to running task {@code task}. */
  private Future<Void> assignToTask(int task, List<TopicPartition> tps) {
    List<io.vmm.bus.PartitionStart> body = new ArrayList<>();
    tps.forEach(tp -> body.add(assignmentOf(tp)));
    return vertx.eventBus().request(Addresses.taskAssign(flow.name(), task), new io.vmm.bus.TaskAssign(body),
            Addresses.local())
        .onSuccess(m -> assignment.get(task).addAll(tps)).mapEmpty();
  }

  /**
   * Starts source tasks {@code tasks} of this member (each with partitions): asks their previous owners to
   * release them, starts their producers, reads the progress stored in the target, and starts the tasks there.
   */
  private Future<Void> startTasks(List<Integer> tasks) {
    return Future.join(tasks.stream().map(t -> acquire(taskUnit(t))).toList())
        .transform(acquired -> Future.all(tasks.stream().map(this::deployProducer).toList()))
        .compose(v -> loadProgress())
        .compose(stored -> checkStoredProgress(stored, tasks))
        .compose(stored -> {
          storedProgress = stored;
          return Future.all(tasks.stream().map(t -> deployTask(t, assignment.get(t))).toList());
        })
        .<Void>mapEmpty()
        .onSuccess(v -> LOG.info("{} started source tasks {} here", flow.name(), tasks));
  }

  /** Stops source task {@code task} here (it drains and stores its progress), then its producer; never fails. */
  private Future<Void> stopTask(int task) {
    String deployment = taskDeployments.remove(task);
    String taskId = flow.name() + "#" + task;
    Future<Void> stopped = undeploy(deployment, 9_000)
        .transform(ar -> undeploy(producerDeployments.remove(task), 4_000))
        .onComplete(ar -> {
          failedPartitions.values().removeIf(f -> taskId.equals(f.getString("task")));
          metrics.release(task, task < assignment.size() ? assignment.get(task) : List.of());
          publishState();
          LOG.info("{} stopped source task {} here; progress stored", flow.name(), task);
        });
    stoppingTasks.put(task, stopped);
    stopped.onComplete(ar -> stoppingTasks.remove(task, stopped));
    return stopped;
  }

  /** Deploys source task {@code task} over {@code tps}, resuming each at its stored progress. */
  private Future<String> deployTask(int task, List<TopicPartition> tps) {
    ConnectorConfig c = flow.sourceConnector().config();
    SourceVerticle.Limits limits = new SourceVerticle.Limits(
        c.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_RECORDS), c.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_BYTES),
        c.getInt(ConnectorKeys.INFLIGHT_TASK_MAX_BYTES), c.getLong(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS),
        c.getLong(ConnectorKeys.CONSUMER_POLL_TIMEOUT_MS), flow.target().deliveryTimeoutMs() + 30_000,
        c.getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED) ? c.getLong(ConnectorKeys.OFFSET_LAG_MAX) : -1);
    List<io.vmm.bus.PartitionStart> group = new ArrayList<>();
    tps.forEach(tp -> group.add(assignmentOf(tp)));
    Map<String, Object> consumerConfig = flow.source().consumerConfig(
        flow.name() + "|MirrorSourceConnector-" + task + "|replication-consumer");
    boolean paused = wantSource == ConnectorState.PAUSED || pausedTasks.contains(task);
    return vertx.deployVerticle(new SourceVerticle(flow.id(), task, consumerConfig, group, limits, metrics, paused))
        .onSuccess(id -> {
          taskDeployments.put(task, id);
          if (releasedTo.containsKey(taskUnit(task))) {
            stopTask(task); // released to another member while starting
          }
        });
  }

  /** Stops source tasks (drain, store progress), then producers, then the other source roles; never fails. */
  private Future<Void> stopSource() {
    boolean wasUp = !taskDeployments.isEmpty() || discoveryDeployment != null;
    if (!"FAILED".equals(sourceState)) {
      sourceState = wantSource == ConnectorState.STOPPED ? "STOPPED" : "UNASSIGNED";
    }
    List<Future<Void>> sources = new ArrayList<>();
    for (String id : taskDeployments.values()) {
      sources.add(undeploy(id, 9_000));
    }
    taskDeployments.clear();
    return Future.join(sources)
        .transform(ar -> Future.join(producerDeployments.values().stream().map(id -> undeploy(id, 4_000)).toList()))
        .transform(ar -> undeploy(offsetSyncDeployment, 4_000))
        .transform(ar -> undeploy(discoveryDeployment, 4_000))
        .transform(ar -> undeploy(configSyncDeployment, 4_000))
        .transform(ar -> undeploy(aclSyncDeployment, 4_000))
        .transform(ar -> undeploy(lagDeployment, 4_000))
        .transform(ar -> failureListener == null ? Future.<Void>succeededFuture() : failureListener.unregister())
        .transform(ar -> topicsListener == null ? Future.<Void>succeededFuture() : topicsListener.unregister())
        .transform(ar -> {
          producerDeployments.clear();
          failureListener = null;
          topicsListener = null;
          discoveryDeployment = null;
          configSyncDeployment = null;
          aclSyncDeployment = null;
          offsetSyncDeployment = null;
          lagDeployment = null;
          failedPartitions.clear();
          if (!"FAILED".equals(sourceState)) {
            sourceState = wantSource == ConnectorState.STOPPED ? "STOPPED" : "UNASSIGNED";
          }
          publishState();
          if (wasUp) {
            LOG.info("{} source connector stopped; progress stored", flow.name());
          }
          return Future.succeededFuture();
        });
  }

  // ------------------------------------------------------------------------------------------ checkpoints, heartbeats

  /**
   * Starts the flow's MirrorCheckpointConnector (worker verticle) when it is requested running and
   * {@code emit.checkpoints.enabled}; it needs offset syncs, as in MM2. Without them it runs with no task.
   */
  private Future<Void> startCheckpointIfWanted() {
    if (wantCheckpoint != ConnectorState.RUNNING) {
      checkpointState = wantCheckpoint.name();
      publishState();
      return Future.succeededFuture();
    }
    if (checkpointDeployment != null) {
      return Future.succeededFuture();
    }
    if (!owns(unit(Connector.CHECKPOINT))) {
      checkpointState = "UNASSIGNED"; // another member runs it
      publishState();
      return Future.succeededFuture();
    }
    ConnectorConfig c = flow.checkpointConnector().config();
    if (!c.getBoolean(ConnectorKeys.EMIT_CHECKPOINTS_ENABLED) || !c.getBoolean(ConnectorKeys.ENABLED)) {
      checkpointState = "RUNNING";
      publishState();
      return Future.succeededFuture();
    }
    if (!flow.sourceConnector().config().getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED)) {
      LOG.warn("{} checkpoints need offset syncs: emit.offset-syncs.enabled is false, so no checkpoints",
          flow.name());
      checkpointState = "RUNNING";
      publishState();
      return Future.succeededFuture();
    }
    checkpointState = "UNASSIGNED";
    return acquire(unit(Connector.CHECKPOINT)).compose(v -> vertx.deployVerticle(
            new io.vmm.checkpoint.CheckpointVerticle(flow, metrics),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
        .onSuccess(id -> {
          checkpointDeployment = id;
          checkpointState = "RUNNING";
          checkpointError = null;
          publishState();
          if (releasedTo.containsKey(unit(Connector.CHECKPOINT))) {
            stopCheckpoint(); // released to another member while starting
          }
        })
        .onFailure(e -> {
          checkpointState = "FAILED";
          checkpointError = e.getMessage();
          publishState();
        })
        .mapEmpty();
  }

  private Future<Void> stopCheckpoint() {
    String id = checkpointDeployment;
    checkpointDeployment = null;
    return undeploy(id, 4_000).onComplete(ar -> {
      checkpointState = wantCheckpoint == ConnectorState.RUNNING ? "UNASSIGNED" : wantCheckpoint.name();
      publishState();
    });
  }

  /**
   * Starts the flow's MirrorHeartbeatConnector unless its state is not running or {@code emit.heartbeats.enabled}
   * is false (MM2 ignores {@code enabled} for heartbeats). Independent of the source connector's state.
   */
  private Future<Void> startHeartbeatIfWanted() {
    if (wantHeartbeat != ConnectorState.RUNNING) {
      heartbeatState = wantHeartbeat.name();
      publishState();
      return Future.succeededFuture();
    }
    if (heartbeatDeployment != null) {
      return Future.succeededFuture();
    }
    if (!owns(unit(Connector.HEARTBEAT))) {
      heartbeatState = "UNASSIGNED"; // another member runs it
      publishState();
      return Future.succeededFuture();
    }
    if (!flow.heartbeatConnector().config().getBoolean(ConnectorKeys.EMIT_HEARTBEATS_ENABLED)) {
      heartbeatState = "RUNNING";
      publishState();
      return Future.succeededFuture();
    }
    heartbeatState = "UNASSIGNED";
    return acquire(unit(Connector.HEARTBEAT)).compose(v -> vertx.deployVerticle(new HeartbeatVerticle(flow, metrics),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
        .onSuccess(id -> {
          heartbeatDeployment = id;
          heartbeatState = "RUNNING";
          heartbeatError = null;
          publishState();
          if (releasedTo.containsKey(unit(Connector.HEARTBEAT))) {
            stopHeartbeat(); // released to another member while starting
          }
        })
        .onFailure(e -> {
          heartbeatState = "FAILED";
          heartbeatError = e.getMessage();
          publishState();
        })
        .mapEmpty();
  }

  private Future<Void> stopHeartbeat() {
    String id = heartbeatDeployment;
    heartbeatDeployment = null;
    return undeploy(id, 4_000).onComplete(ar -> {
      heartbeatState = wantHeartbeat == ConnectorState.RUNNING ? "UNASSIGNED" : wantHeartbeat.name();
      publishState();
    });
  }

  // ------------------------------------------------------------------------------------------ cluster mode

  /**
   * Applies a new member view: stops the units this member lost (tasks drain and store their progress first),
   * then starts the units it gained, each after asking its previous owner to release it. Connectors not up
   * (stopped, failed, starting) are left to their own start. Completes on this runner's context; never fails.
   */
  public Future<Void> reassign(MemberView next) {
    return serialized(() -> {
      view = next;
      long now = System.currentTimeMillis();
      releasedTo.values().removeIf(r -> next.members().contains(r.member()) || now - r.atMs() >= RELEASE_HOLD_MS);
      return rebalance();
    });
  }

  /**
   * Another member (not necessarily in this member's view yet) is taking over {@code unit}: stops it here if it
   * runs (a task stores its progress first) and keeps it from starting here until that member appears in the
   * view or {@link #RELEASE_HOLD_MS} passes. Completes once stopped; never fails.
   */
  public Future<Void> release(String unit, String toMember) {
    // not queued behind an operation in progress: that one may itself wait for a release from the asker
    return onContext(() -> {
      if (toMember.equals(view.self())) {
        return Future.succeededFuture();
      }
      if (!view.members().contains(toMember)) {
        releasedTo.put(unit, new Released(toMember, System.currentTimeMillis()));
        vertx.setTimer(RELEASE_HOLD_MS + 100, id -> reassign(view));
      }
      return stopUnit(unit);
    });
  }

  /** Stops {@code unit} here if it runs and this member does not own it (any more). */
  private Future<Void> stopUnit(String unit) {
    if (owns(unit) && !releasedTo.containsKey(unit)) {
      return Future.succeededFuture(); // still ours by our view: the asker's view is stale; the view will settle
    }
    boolean runs = unit.equals(unit(Connector.CHECKPOINT)) ? checkpointDeployment != null
        : unit.equals(unit(Connector.HEARTBEAT)) ? heartbeatDeployment != null
        : unit.equals(unit(Connector.SOURCE)) ? syncRolesUp()
        : taskDeployments.keySet().stream().anyMatch(t -> unit.equals(taskUnit(t)));
    if (runs) {
      LOG.info("{} releasing {} to a member taking it over", flow.name(), unit);
    }
    if (unit.equals(unit(Connector.CHECKPOINT))) {
      return checkpointDeployment == null ? Future.succeededFuture() : stopCheckpoint();
    }
    if (unit.equals(unit(Connector.HEARTBEAT))) {
      return heartbeatDeployment == null ? Future.succeededFuture() : stopHeartbeat();
    }
    if (unit.equals(unit(Connector.SOURCE))) {
      return stopSyncRoles();
    }
    for (Integer t : new ArrayList<>(taskDeployments.keySet())) {
      if (unit.equals(taskUnit(t))) {
        return stopTask(t);
      }
    }
    for (Map.Entry<Integer, Future<Void>> e : stoppingTasks.entrySet()) {
      if (unit.equals(taskUnit(e.getKey()))) {
        return e.getValue(); // already stopping: answer once its progress is stored
      }
    }
    return Future.succeededFuture();
  }

  private Future<Void> rebalance() {
    boolean sourceUp = "RUNNING".equals(sourceState) || "PAUSED".equals(sourceState);
    List<Future<?>> lost = new ArrayList<>();
    if (sourceUp) {
      for (Integer t : new ArrayList<>(taskDeployments.keySet())) {
        if (!owns(taskUnit(t))) {
          lost.add(stopTask(t));
        }
      }
      if (syncRolesUp() && !owns(unit(Connector.SOURCE))) {
        lost.add(stopSyncRoles());
      }
    }
    if (checkpointDeployment != null && !owns(unit(Connector.CHECKPOINT))) {
      lost.add(stopCheckpoint());
    }
    if (heartbeatDeployment != null && !owns(unit(Connector.HEARTBEAT))) {
      lost.add(stopHeartbeat());
    }
    return Future.join(lost).transform(stopped -> {
      List<Future<?>> gained = new ArrayList<>();
      if (sourceUp) {
        List<Integer> tasks = new ArrayList<>(ownedTasks());
        tasks.removeAll(taskDeployments.keySet());
        if (!tasks.isEmpty()) {
          gained.add(startTasks(tasks));
        }
        ConnectorConfig c = flow.sourceConnector().config();
        if (!syncRolesUp() && owns(unit(Connector.SOURCE)) && (c.getBoolean(ConnectorKeys.SYNC_TOPIC_CONFIGS_ENABLED)
            || c.getBoolean(ConnectorKeys.SYNC_TOPIC_ACLS_ENABLED))) {
          gained.add(acquire(unit(Connector.SOURCE)).compose(v -> startSyncRoles(lastTopics)));
        }
      }
      gained.add(startCheckpointIfWanted());
      gained.add(startHeartbeatIfWanted());
      return Future.join(gained).transform(ar -> {
        if (ar.failed()) {
          LOG.error("{} starting units gained on a member change failed: {}", flow.name(), ar.cause().toString());
        }
        return Future.<Void>succeededFuture();
      });
    });
  }

  /** Unit name → member that owns it in this member's view, for every unit of this flow with work. */
  private JsonObject owners() {
    JsonObject owners = new JsonObject();
    for (Connector c : Connector.values()) {
      owners.put(unit(c), view.owner(unit(c)));
    }
    for (int t = 0; t < assignment.size(); t++) {
      if (!assignment.get(t).isEmpty()) {
        owners.put(taskUnit(t), view.owner(taskUnit(t)));
      }
    }
    return owners;
  }

  private Future<Void> undeploy(String id, long timeoutMs) {
    if (id == null) {
      return Future.succeededFuture();
    }
    return vertx.undeploy(id).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("{} undeploy of {} failed: {}", flow.name(), id, e.toString());
          return Future.succeededFuture();
        });
  }

  /** Copies connector states and failure counts into the flow's gauges. */
  private void publishState() {
    metrics.running(Connector.SOURCE.className, "RUNNING".equals(sourceState));
    metrics.running(Connector.CHECKPOINT.className, "RUNNING".equals(checkpointState));
    metrics.running(Connector.HEARTBEAT.className, "RUNNING".equals(heartbeatState));
    metrics.flowState(failedPartitions.size(), sourceResets);
  }

  // ------------------------------------------------------------------------------------------ status

  /** The error of source task {@code task} (its FAILED partitions), or null. */
  private String taskError(int task) {
    String taskId = flow.name() + "#" + task;
    StringBuilder sb = new StringBuilder();
    for (JsonObject f : failedPartitions.values()) {
      if (taskId.equals(f.getString("task"))) {
        sb.append(sb.isEmpty() ? "" : "; ").append(f.getString("topic")).append('-').append(f.getInteger("partition"))
            .append(" FAILED at offset ").append(f.getLong("offset")).append(": ").append(f.getString("error"));
      }
    }
    return sb.isEmpty() ? null : sb.toString();
  }

  private JsonObject connectorStatus(Connector c, long now) {
    JsonArray tasks = new JsonArray();
    String state;
    String error;
    switch (c) {
      case SOURCE -> {
        state = sourceState;
        error = sourceError;
        for (Map.Entry<Integer, String> e : taskDeployments.entrySet()) {
          int t = e.getKey();
          String taskError = taskError(t);
          JsonArray partitions = new JsonArray();
          if (t < assignment.size()) {
            for (TopicPartition tp : assignment.get(t)) {
              PartitionMetrics pm = metrics.partitionOrNull(tp);
              partitions.add(pm != null ? pm.toJson(now) : new JsonObject().put("topic", tp.topic())
                  .put("partition", tp.partition()).put("remoteTopic", remoteOf.get(tp.topic())));
            }
          }
          String taskState = taskError != null ? "FAILED" : "PAUSED".equals(sourceState) || pausedTasks.contains(t)
              ? "PAUSED" : sourceState;
          tasks.add(new JsonObject().put("id", t).put("state", taskState).put("error", taskError)
              .put("worker_id", view.self()).put("partitions", partitions));
        }
      }
      case CHECKPOINT -> {
        state = checkpointState;
        error = checkpointError;
        if (checkpointDeployment != null) {
          tasks.add(new JsonObject().put("id", 0).put("state", state).put("error", null)
              .put("worker_id", view.self()));
        }
      }
      default -> {
        state = heartbeatState;
        error = heartbeatError;
        if (heartbeatDeployment != null) {
          tasks.add(new JsonObject().put("id", 0).put("state", state).put("error", null)
              .put("worker_id", view.self()));
        }
      }
    }
    return new JsonObject().put("name", flow.name() + "." + c.className).put("type", "source")
        .put("state", state).put("error", error).put("worker_id", view.owner(unit(c))).put("tasks", tasks);
  }

  /**
   * Status snapshot (completed on this runner's context):
   * {@code {"flow","source","target","recordCount","byteCount","lagRecords","lagMs","heartbeatAgeMs",
   * "failedPartitions","sourceResets","connectors":{"source":{name,state,error,tasks:[{id,state,error,
   * partitions:[...]}]},"checkpoint":{...},"heartbeat":{...}},"failures":[...]}}; lag is summed (records) and
   * the largest (ms) over this flow's partitions; unknown numbers are null. Answers at once, also while an
   * operation (start, restart, ...) is in progress: states then show it (UNASSIGNED while starting).
   */
  public Future<JsonObject> status() {
    return onContext(() -> {
      long now = System.currentTimeMillis();
      long records = 0;
      long bytes = 0;
      long lagRecords = 0;
      boolean lagKnown = false;
      double lagMs = -1;
      for (PartitionMetrics pm : metrics.partitions()) {
        records += pm.recordCount();
        bytes += pm.byteCount();
        long lag = pm.lagRecords();
        if (lag >= 0) {
          lagKnown = true;
          lagRecords += lag;
        }
        double ms = pm.lagMs(now);
        if (!Double.isNaN(ms)) {
          lagMs = Math.max(lagMs, ms);
        }
      }
      long heartbeatAge = metrics.heartbeatAgeMs();
      JsonObject status = new JsonObject().put("flow", flow.name()).put("source", flow.id().source())
          .put("target", flow.id().target()).put("state", sourceState)
          .put("recordCount", records).put("byteCount", bytes)
          .put("lagRecords", lagKnown ? lagRecords : null).put("lagMs", lagMs < 0 ? null : (long) lagMs)
          .put("heartbeatAgeMs", heartbeatAge < 0 ? null : heartbeatAge)
          .put("failedPartitions", failedPartitions.size()).put("sourceResets", sourceResets)
          .put("connectors", new JsonObject()
              .put("source", connectorStatus(Connector.SOURCE, now))
              .put("checkpoint", connectorStatus(Connector.CHECKPOINT, now))
              .put("heartbeat", connectorStatus(Connector.HEARTBEAT, now)))
          .put("failures", new JsonArray(new ArrayList<>(failedPartitions.values())))
          .put("member", view.self()).put("owners", owners());
      return Future.succeededFuture(status);
    });
  }
}
