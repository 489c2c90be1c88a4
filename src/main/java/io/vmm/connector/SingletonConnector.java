package io.vmm.connector;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vmm.async.Budgets;
import io.vmm.async.StopSignal;
import io.vmm.async.OperationQueue;
import io.vmm.config.AutoRestartSpec;
import io.vmm.config.ConnectorKind;
import io.vmm.config.ConnectorState;
import io.vmm.connector.ConnectorLifecycle.State;
import io.vmm.connector.ConnectorLifecycle.Step;
import io.vmm.status.ConnectorStatus;
import io.vmm.status.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * A connector that runs as one verticle (task 0) on the member owning its unit: the flow's
 * MirrorCheckpointConnector and MirrorHeartbeatConnector. Paused and stopped both mean not deployed. When the
 * config turns its work off (e.g. {@code emit.heartbeats.enabled=false}) it reports RUNNING with no task, as MM2's
 * connector does.
 * <p>
 * With Strimzi's {@code autoRestart} enabled, a start that fails while the connector should run (a restart, a
 * resume, a unit gained on a member change) is retried after {@link AutoRestart}'s backoff by an
 * {@link AutoRestartTimer}, through the flow's operation queue. A failure while the whole flow starts is the
 * supervisor's to retry: the flow's stop disarms the timer.
 * <p>
 * Threading: every method runs on the flow runner's context (called through its operation queue) and completes
 * there; nothing here blocks.
 */
public final class SingletonConnector {

  private static final Logger LOG = LoggerFactory.getLogger(SingletonConnector.class);

  /**
   * What differs between the two singletons.
   *
   * @param kind           which connector
   * @param target         its target state from the config
   * @param noTaskReason   why the config leaves it without a task (null: it runs its verticle); evaluated at start
   * @param warnNoTask     log {@code noTaskReason} as a warning (a config that contradicts itself)
   * @param verticle       makes its verticle
   * @param worker         deploy the verticle as a worker (its Kafka calls may block)
   */
  public record Spec(ConnectorKind kind, ConnectorState target, Supplier<String> noTaskReason, boolean warnNoTask,
                     Supplier<Deployable> verticle, boolean worker) {
  }

  private final FlowScope scope;
  private final Spec spec;
  private final String unit;
  private final ConnectorLifecycle lifecycle;
  private final AutoRestartTimer autoRestart;
  private String deployment;
  /** The undeploy in progress (final checkpoints included), or null: a release arriving meanwhile waits for it. */
  private Future<Void> stopping;

  /**
   * A connector whose automatic restarts queue on a queue of their own on the runner's context, so they are
   * not ordered with the flow's other operations.
   *
   * @deprecated pass the flow runner's queue: {@link #SingletonConnector(FlowScope, OperationQueue, Spec)}
   */
  /** @param queue the flow runner's operation queue (automatic restarts run as its operations) */
  public SingletonConnector(FlowScope scope, OperationQueue queue, Spec spec) {
    this.scope = scope;
    this.spec = spec;
    this.unit = Units.connector(scope.name(), spec.kind());
    this.lifecycle = new ConnectorLifecycle(false, spec.target());
    this.autoRestart = new AutoRestartTimer(scope, queue, unit, autoRestartSpec(scope, spec.kind()),
        () -> lifecycle.state() == State.FAILED && lifecycle.target() == ConnectorState.RUNNING
            && scope.ownership().owns(unit),
        () -> {
          LOG.info("{} automatic restart of {}: {}", scope.name(), unit, lifecycle.error());
          return stopWork().compose(v -> start());
        });
  }

  private static AutoRestartSpec autoRestartSpec(FlowScope scope, ConnectorKind kind) {
    return (kind == ConnectorKind.CHECKPOINT ? scope.flow().checkpointConnector() : scope.flow().heartbeatConnector())
        .autoRestart();
  }

  public ConnectorKind kind() {
    return spec.kind();
  }

  /** Deploys its verticle when the target is running, this member owns the unit and the config wants a task. */
  public Future<Void> start() {
    if (lifecycle.target() != ConnectorState.RUNNING) {
      lifecycle.idle();
      return published();
    }
    if (deployment != null) {
      return Future.succeededFuture();
    }
    if (!scope.ownership().owns(unit)) {
      lifecycle.elsewhere();
      return published();
    }
    String reason = spec.noTaskReason().get();
    if (reason != null) {
      if (spec.warnNoTask()) {
        LOG.warn("{} {}", scope.name(), reason);
      }
      lifecycle.started();
      return published();
    }
    lifecycle.starting();
    autoRestart.arm();
    // the flow's stop abandons a hand-over or a verticle start in progress (FlowScope.deploy undoes a late one)
    return scope.stop().guard(scope.ownership().acquire(unit)
            .compose(v -> scope.deploy(spec.verticle().get(), spec.worker())), "start of " + unit)
        .onSuccess(id -> {
          deployment = id;
          lifecycle.started();
          publish();
          if (scope.ownership().isHeld(unit)) {
            stop(); // released to another member while starting
          }
        })
        .onFailure(e -> {
          if (StopSignal.isStopping(e)) {
            lifecycle.stopped();
          } else {
            lifecycle.failed(e.getMessage());
          }
          publish();
        })
        .mapEmpty();
  }

  /** Undeploys its verticle (if any), and no automatic restart follows; never fails. */
  public Future<Void> stop() {
    autoRestart.disarm();
    return stopWork();
  }

  /**
   * Undeploys its verticle (if any) and completes once it is undeployed or its budget passed: the checkpoint
   * connector's verticle writes its final checkpoints first ({@link Budgets#CHECKPOINT_STOP_MS}), the heartbeat
   * connector's only closes ({@link Budgets#ROLE_MS}). A release to another member therefore answers after the
   * final checkpoints. Never fails.
   */
  private Future<Void> stopWork() {
    String id = deployment;
    deployment = null;
    long budgetMs = spec.kind() == ConnectorKind.CHECKPOINT ? Budgets.CHECKPOINT_STOP_MS : Budgets.ROLE_MS;
    Future<Void> undeployed = scope.undeploy(id, budgetMs).onComplete(ar -> {
      lifecycle.stopped();
      publish();
    });
    if (id != null) {
      stopping = undeployed;
      undeployed.onComplete(ar -> {
        if (stopping == undeployed) {
          stopping = null;
        }
      });
    }
    return undeployed;
  }

  /** A new target state (pause, resume, stop; or a reload). */
  public Future<Void> request(ConnectorState target) {
    return apply(lifecycle.request(target));
  }

  /** Connect's restart; {@code onlyFailed}: only when FAILED. */
  public Future<Void> restart(boolean includeTasks, boolean onlyFailed) {
    return apply(lifecycle.restart(includeTasks, onlyFailed));
  }

  private Future<Void> apply(Step step) {
    return switch (step) {
      case START -> start();
      case STOP -> stop();
      case RESTART -> stopWork().compose(v -> start());
      default -> Future.succeededFuture();
    };
  }

  /** A task operation ({@code restart-task}, {@code pause-task}, {@code resume-task}): only task 0 exists. */
  public Future<Void> taskOp(String op, int task) {
    if (task != 0) {
      return Future.failedFuture(new ControlException(404, "unknown task " + task + " of " + unit
          + " (it has task 0 only)"));
    }
    return switch (op) {
      case "restart-task" -> restart(true, false);
      case "pause-task" -> request(ConnectorState.PAUSED);
      default -> request(ConnectorState.RUNNING);
    };
  }

  /** Cluster mode, after a member change: stops it if this member lost the unit, starts it if it gained it. */
  public Future<Void> stopIfLost() {
    return deployment != null && !scope.ownership().owns(unit) ? stop() : Future.succeededFuture();
  }

  /**
   * Another member takes {@code unitName} over: stops it here if it is this connector's unit and runs (the
   * checkpoint connector writes its final checkpoints first); if it is stopping already, e.g. after this member's
   * own view change, waits for that stop. Completes once stopped; never fails.
   */
  public Future<Void> release(String unitName) {
    if (!unit.equals(unitName)) {
      return Future.succeededFuture();
    }
    if (deployment == null) {
      // already stopping (e.g. this member's own view change): answer once stopped, final checkpoints included
      return stopping == null ? Future.succeededFuture() : stopping;
    }
    LOG.info("{} releasing {} to a member taking it over", scope.name(), unit);
    return stop();
  }

  /** Why the flow is not ready because of this connector, or null (another member's unit counts as ready). */
  public String readinessProblem() {
    return scope.ownership().owns(unit) ? lifecycle.readinessProblem(unit) : null;
  }

  public ConnectorStatus status() {
    List<TaskStatus> tasks = deployment == null ? List.of()
        : List.of(new TaskStatus(0, lifecycle.state().name(), null, scope.ownership().self(), null));
    return new ConnectorStatus(unit, lifecycle.state().name(), lifecycle.error(), scope.ownership().owner(unit), tasks,
        autoRestart.status(System.currentTimeMillis()));
  }

  private Future<Void> published() {
    publish();
    return Future.succeededFuture();
  }

  private void publish() {
    scope.metrics().running(spec.kind().mm2Name(), lifecycle.state() == State.RUNNING);
    autoRestart.observe();
  }
}
