package io.vmm.flow;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.async.OperationQueue;
import io.vmm.async.StopSignal;
import io.vmm.checkpoint.CheckpointVerticle;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.ConnectorKind;
import io.vmm.config.ConnectorState;
import io.vmm.config.FlowSpec;
import io.vmm.connector.ControlException;
import io.vmm.connector.FlowScope;
import io.vmm.connector.SingletonConnector;
import io.vmm.connector.SourceConnector;
import io.vmm.connector.Units;
import io.vmm.heartbeat.HeartbeatVerticle;
import io.vmm.metrics.FlowMetrics;
import io.vmm.policy.InternalTopics;
import io.vmm.replica.MemberView;
import io.vmm.replica.UnitOwnership;
import io.vmm.status.ConnectorStatus;
import io.vmm.status.FlowStatus;
import io.vmm.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs one flow {@code A->B}: the connectors its mirror names (MirrorSourceConnector, MirrorCheckpointConnector,
 * MirrorHeartbeatConnector), each with a target state that the config sets at start and the REST API or a config
 * reload changes at run time. A connector the mirror leaves out ({@code ConnectorSpec.present} false) is not run,
 * as in Strimzi: no verticle, no internal topic, not in the status, readiness does not wait for it, and control
 * operations naming it fail with 404. This class only orders and dispatches: start is source, then checkpoints,
 * then heartbeats; stop stops the source side first (it drains, stores its progress and writes its last offset
 * syncs), then the checkpoint connector (its final run) and the heartbeat connector in parallel; control
 * operations go to the connector they name. Reported states follow Kafka Connect (UNASSIGNED, RUNNING, PAUSED,
 * STOPPED, FAILED with the error).
 * <p>
 * <b>Cluster mode.</b> The flow's work is split into units ({@link Units}), each run by the member owning it in
 * the current {@link MemberView} ({@link UnitOwnership}). Every member runs topic discovery, the offset-sync
 * writer and the lag monitor for its own partitions. On a member change ({@link #reassign}) units this member lost
 * stop first (source tasks drain and store their progress, then a lost checkpoint connector writes its final
 * checkpoints from their last offset syncs), then units it gained start, after asking their previous
 * owner to release them. A member that cannot be reached counts as released, so a brief overlap is possible only
 * when a member is unreachable but alive (at-least-once: records may be mirrored twice, never lost).
 * <p>
 * Threading: all state is confined to this runner's own event-loop context; operations run one at a time in call
 * order ({@link OperationQueue}); status and readiness answer at once. Public methods may be called from any
 * thread and complete on that context.
 */
public final class FlowRunner {

  private static final Logger LOG = LoggerFactory.getLogger(FlowRunner.class);

  private final Vertx vertx;
  private final FlowSpec flow;
  private final FlowMetrics metrics;
  private final OperationQueue queue;
  private final UnitOwnership ownership;
  /** Null when the mirror leaves {@code sourceConnector} out; likewise the other two. */
  private final SourceConnector source;
  private final SingletonConnector checkpoint;
  private final SingletonConnector heartbeat;
  /** Fired by {@link #stop()}: a start in progress is abandoned instead of awaited. */
  private final StopSignal stopSignal;

  /** A runner alone: it owns every unit. */
  public FlowRunner(Vertx vertx, FlowSpec flow, Context context, FlowMetrics metrics) {
    this(vertx, flow, context, metrics, MemberView.single("local"), false, UnitOwnership.Handover.NONE, null,
        Tracing.disabled());
  }

  /**
   * @param context   this runner's own event-loop context
   * @param metrics   the flow's metrics (closed by whoever created them)
   * @param view      the members at start
   * @param clustered cluster mode: tasks use the stable partition assignment
   * @param handover  how to ask a previous owner to release a unit
   * @param clientRack {@code client.rack} of the replication consumers (Strimzi's {@code rack}), or null
   * @param tracing   the process's tracing of mirrored records ({@link Tracing#disabled()} when off)
   */
  public FlowRunner(Vertx vertx, FlowSpec flow, Context context, FlowMetrics metrics, MemberView view,
                    boolean clustered, UnitOwnership.Handover handover, String clientRack, Tracing tracing) {
    this.vertx = vertx;
    this.flow = flow;
    this.metrics = metrics;
    this.queue = new OperationQueue(context);
    this.ownership = new UnitOwnership(flow.name(), view, handover);
    this.stopSignal = new StopSignal(flow.name());
    FlowScope scope = new FlowScope(vertx, context, flow, metrics, InternalTopics.of(flow), ownership, clustered,
        clientRack, tracing, stopSignal);
    this.source = flow.sourceConnector().present()
        ? new SourceConnector(scope, queue, SourceConnector.targetOf(flow)) : null;
    this.checkpoint = flow.checkpointConnector().present()
        ? new SingletonConnector(scope, queue, checkpointSpec(flow, metrics)) : null;
    this.heartbeat = flow.heartbeatConnector().present()
        ? new SingletonConnector(scope, queue, heartbeatSpec(flow)) : null;
    if (source == null && checkpoint != null) {
      LOG.info("{} has no sourceConnector: checkpoints translate with the offset syncs that a source connector "
          + "elsewhere writes to {}", flow.name(), scope.topics().offsetSyncs());
    }
  }

  /** The checkpoint connector: needs offset syncs, as in MM2; without them it runs with no task. */
  private static SingletonConnector.Spec checkpointSpec(FlowSpec flow, FlowMetrics metrics) {
    ConnectorConfig c = flow.checkpointConnector().config();
    boolean syncs = flow.sourceConnector().config().getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED);
    boolean off = !c.getBoolean(ConnectorKeys.EMIT_CHECKPOINTS_ENABLED) || !c.getBoolean(ConnectorKeys.ENABLED);
    return new SingletonConnector.Spec(ConnectorKind.CHECKPOINT, flow.checkpointConnector().state(),
        () -> off ? "checkpoints are off (emit.checkpoints.enabled or enabled is false)" : !syncs
            ? "checkpoints need offset syncs: emit.offset-syncs.enabled is false, so no checkpoints" : null,
        !off && !syncs, () -> new CheckpointVerticle(flow, metrics), false);
  }

  /**
   * The heartbeat connector, connected to the source cluster (heartbeats go to the source's {@code heartbeats} and
   * reach the target through the source connector); {@code emit.heartbeats.enabled=false} runs it with no task
   * (MM2 ignores enabled).
   */
  private static SingletonConnector.Spec heartbeatSpec(FlowSpec flow) {
    boolean on = flow.heartbeatConnector().config().getBoolean(ConnectorKeys.EMIT_HEARTBEATS_ENABLED);
    return new SingletonConnector.Spec(ConnectorKind.HEARTBEAT, flow.heartbeatConnector().state(),
        () -> on ? null : "heartbeats are off (emit.heartbeats.enabled=false)", false,
        () -> new HeartbeatVerticle(flow), true);
  }

  public FlowSpec flow() {
    return flow;
  }

  public FlowMetrics metrics() {
    return metrics;
  }

  /** The checkpoint and heartbeat connectors the mirror names, in that order. */
  private List<SingletonConnector> singletons() {
    List<SingletonConnector> list = new ArrayList<>(2);
    if (checkpoint != null) {
      list.add(checkpoint);
    }
    if (heartbeat != null) {
      list.add(heartbeat);
    }
    return list;
  }

  private boolean present(ConnectorKind kind) {
    return switch (kind) {
      case SOURCE -> source != null;
      case CHECKPOINT -> checkpoint != null;
      case HEARTBEAT -> heartbeat != null;
    };
  }

  /** A singleton connector's state for the start log line, or "omitted". */
  private static String describe(SingletonConnector c) {
    return c == null ? "omitted" : c.status().state();
  }

  // ------------------------------------------------------------------------------------------ whole flow

  /** Sets the member view before {@link #start()} (cluster mode: known once this replica has joined). */
  public Future<Void> useView(MemberView first) {
    return queue.serialized(() -> {
      ownership.view(first, System.currentTimeMillis());
      return Future.succeededFuture();
    });
  }

  /**
   * Starts every connector in its target state; a no-op for connectors already up. Fails (after undoing what it
   * started) if a cluster cannot be reached within {@code admin.timeout.ms}; the caller retries. Succeeds with the
   * source connector FAILED when both aliases reach one cluster (same cluster id: a config error, not retried).
   * After {@link #stop()} was called (also while this start waits in the queue or runs) it fails at once with a
   * {@link StopSignal.Stopping} cause: a runner does not start again once stopped.
   */
  public Future<Void> start() {
    return queue.serialized(() -> {
      if (stopSignal.fired()) {
        return Future.failedFuture(stopSignal.stopping("start"));
      }
      long started = System.currentTimeMillis();
      Future<Void> chain = source == null ? Future.succeededFuture() : source.start();
      for (SingletonConnector c : singletons()) {
        chain = chain.compose(v -> c.start());
      }
      return chain
          .onSuccess(v -> LOG.info("{} started in {} ms: source connector {}, checkpoints {}, heartbeats {}",
              flow.name(), System.currentTimeMillis() - started, source == null ? "omitted" : source.state(),
              describe(checkpoint), describe(heartbeat)))
          .recover(e -> {
            if (StopSignal.isStopping(e)) {
              LOG.info("{} start abandoned after {} ms: stopping", flow.name(), System.currentTimeMillis() - started);
            } else {
              LOG.error("{} failed to start: {}", flow.name(), e.getMessage());
              if (e instanceof io.vmm.kafka.ClusterIdentity.SameClusterException) { // a config error: FAILED, no retry
                return stopAll();
              }
            }
            return stopAll().transform(ar -> Future.failedFuture(e));
          });
    });
  }

  /**
   * Stops every connector (the source side drains and stores its progress first); never fails. Fires the flow's
   * {@link StopSignal} first, so a start in progress (discovery, admin calls, a unit hand-over) is abandoned at
   * once rather than awaited; the stop then runs next in the queue. Final: the runner does not start again.
   */
  public Future<Void> stop() {
    stopSignal.fire();
    return queue.serialized(this::stopAll);
  }

  private Future<Void> stopAll() {
    long started = System.currentTimeMillis();
    Future<Void> sourceStopped = source == null ? Future.succeededFuture() : source.stop();
    // after the source side (its final offset syncs are written), the checkpoint connector's final run and the
    // heartbeat connector's close run in parallel
    return sourceStopped
        .transform(ar -> Future.join(singletons().stream().map(SingletonConnector::stop).toList()))
        .transform(ar -> {
          LOG.info("{} stopped in {} ms", flow.name(), System.currentTimeMillis() - started);
          return Future.succeededFuture();
        });
  }

  /**
   * {@code {"flow","ready","reasons":[...]}}: ready when every connector the mirror names is in the state its
   * target asks for.
   */
  public Future<JsonObject> readiness() {
    return queue.now(() -> {
      List<String> problems = new ArrayList<>();
      problems.add(source == null ? null : source.readinessProblem());
      singletons().forEach(c -> problems.add(c.readinessProblem()));
      List<String> notReady = new ArrayList<>(problems.stream().filter(java.util.Objects::nonNull).toList());
      return Future.succeededFuture(new JsonObject().put("flow", flow.name()).put("ready", notReady.isEmpty())
          .put("reasons", new JsonArray(notReady)));
    });
  }

  // ------------------------------------------------------------------------------------------ control

  /**
   * Applies a control operation to a connector ({@code pause}, {@code resume}, {@code stop}, {@code restart}) or
   * to a task ({@code restart-task}, {@code pause-task}, {@code resume-task}). Completes with the connector's
   * status JSON once applied; fails with a {@link ControlException} (404 unknown connector or task, or a
   * connector the mirror leaves out; 400 unknown operation).
   *
   * @param connectorName Strimzi's connector name, {@code A->B.MirrorSourceConnector}
   * @param includeTasks  restart: restart the tasks as well (ours always restart with the connector)
   * @param onlyFailed    restart: only what is FAILED
   */
  public Future<JsonObject> control(String connectorName, String op, int task, boolean includeTasks,
                                    boolean onlyFailed) {
    ConnectorKind kind = Units.kindOf(flow.name(), connectorName);
    if (kind == null) {
      return Future.failedFuture(new ControlException(404, "unknown connector " + connectorName));
    }
    if (!present(kind)) {
      return Future.failedFuture(new ControlException(404, "unknown connector " + connectorName + ": mirror "
          + flow.name() + " has no " + kind.field() + " (write " + kind.field() + ": {} to run it)"));
    }
    return queue.serialized(() -> dispatch(kind, op, task, includeTasks, onlyFailed)
        .map(v -> status(kind).toJson()));
  }

  private Future<Void> dispatch(ConnectorKind kind, String op, int task, boolean includeTasks, boolean onlyFailed) {
    ConnectorState target = switch (op) {
      case "pause" -> ConnectorState.PAUSED;
      case "resume" -> ConnectorState.RUNNING;
      case "stop" -> ConnectorState.STOPPED;
      default -> null;
    };
    boolean taskOp = op.equals("restart-task") || op.equals("pause-task") || op.equals("resume-task");
    if (target == null && !taskOp && !op.equals("restart")) {
      return Future.failedFuture(new ControlException(400, "unknown operation " + op));
    }
    if (kind == ConnectorKind.SOURCE) {
      return target != null ? source.request(target) : taskOp ? source.taskOp(op, task)
          : source.restart(includeTasks, onlyFailed);
    }
    SingletonConnector c = kind == ConnectorKind.CHECKPOINT ? checkpoint : heartbeat;
    return target != null ? c.request(target) : taskOp ? c.taskOp(op, task) : c.restart(includeTasks, onlyFailed);
  }

  /** A reload that changed only connector {@code state} fields: applies the new target states. */
  public Future<Void> applyStates(FlowSpec next) {
    return queue.serialized(() -> (source == null ? Future.<Void>succeededFuture()
        : source.request(SourceConnector.targetOf(next)))
        .compose(v -> checkpoint == null ? Future.succeededFuture()
            : checkpoint.request(next.checkpointConnector().state()))
        .compose(v -> heartbeat == null ? Future.succeededFuture()
            : heartbeat.request(next.heartbeatConnector().state())));
  }

  // ------------------------------------------------------------------------------------------ cluster mode

  /**
   * Applies a new member view: stops the units this member lost (tasks store their progress first), then starts
   * the units it gained, each after asking its previous owner to release it. Connectors not up are left to their
   * own start. Never fails.
   */
  public Future<Void> reassign(MemberView next) {
    return queue.serialized(() -> {
      ownership.view(next, System.currentTimeMillis());
      // lost source tasks first (their final offset syncs), then a lost checkpoint connector's final run
      Future<Void> sourceLost = source == null ? Future.succeededFuture() : source.stopLost();
      return sourceLost.transform(ar -> Future.join(singletons().stream().map(SingletonConnector::stopIfLost)
              .toList()))
          .transform(stopped -> {
            List<Future<Void>> gained = new ArrayList<>();
            if (source != null) {
              gained.add(source.startGained());
            }
            singletons().forEach(c -> gained.add(c.start()));
            return Future.join(gained);
          })
          .transform(ar -> {
            if (ar.failed()) {
              LOG.error("{} starting units gained on a member change failed: {}", flow.name(), ar.cause().toString());
            }
            return Future.<Void>succeededFuture();
          });
    });
  }

  /**
   * Another member (not necessarily in this member's view yet) takes {@code unit} over: stops it here if it runs
   * (a task stores its progress first) and holds it back from starting here ({@link UnitOwnership#hold}).
   * Not queued behind an operation in progress (that one may itself wait for a release from the asker).
   * Completes once stopped; never fails.
   */
  public Future<Void> release(String unit, String toMember) {
    return queue.now(() -> {
      if (ownership.hold(unit, toMember, System.currentTimeMillis())) {
        vertx.setTimer(UnitOwnership.HOLD_MS + 100, id -> reassign(ownership.view()));
      }
      if (toMember.equals(ownership.self()) || ownership.owns(unit)) {
        return Future.succeededFuture(); // still ours by our view: the asker's view is stale and will settle
      }
      Future<Void> chain = source == null ? Future.succeededFuture() : source.release(unit);
      for (SingletonConnector c : singletons()) {
        chain = chain.transform(ar -> c.release(unit));
      }
      return chain;
    });
  }

  // ------------------------------------------------------------------------------------------ status

  private ConnectorStatus status(ConnectorKind kind) {
    return switch (kind) {
      case SOURCE -> source.status(System.currentTimeMillis());
      case CHECKPOINT -> checkpoint.status();
      case HEARTBEAT -> heartbeat.status();
    };
  }

  /**
   * This member's status of the flow ({@link FlowStatus#toJson}) with the connectors the mirror names; answers at
   * once, also while an operation (start, restart, ...) is in progress: states then show it (UNASSIGNED while
   * starting). The flow's state is the source connector's, or without one the first named connector's. Adds
   * {@code "delivery"}: {@code "exactly-once"} (the target sets {@code exactly.once.source.support=enabled}) or
   * {@code "at-least-once"}.
   */
  public Future<JsonObject> status() {
    return queue.now(() -> {
      long now = System.currentTimeMillis();
      JsonObject owners = new JsonObject();
      for (ConnectorKind k : ConnectorKind.values()) {
        if (present(k)) {
          owners.put(Units.connector(flow.name(), k), ownership.owner(Units.connector(flow.name(), k)));
        }
      }
      List<ConnectorStatus> connectors = new ArrayList<>();
      if (source != null) {
        source.owners(owners);
        connectors.add(source.status(now));
      }
      singletons().forEach(c -> connectors.add(c.status()));
      String state = connectors.isEmpty() ? "UNASSIGNED" : connectors.get(0).state();
      FlowStatus status = new FlowStatus(flow.name(), flow.id().source(), flow.id().target(), state, connectors,
          source == null ? List.of() : source.failures(), source == null ? 0 : source.sourceResets(),
          ownership.self(), owners);
      return Future.succeededFuture(status.toJson(metrics, now)
          .put("delivery", flow.exactlyOnce() ? "exactly-once" : "at-least-once"));
    });
  }
}
