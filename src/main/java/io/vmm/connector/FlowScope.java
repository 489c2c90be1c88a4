package io.vmm.connector;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vmm.async.Budgets;
import io.vmm.async.StopSignal;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.metrics.FlowMetrics;
import io.vmm.policy.InternalTopics;
import io.vmm.replica.UnitOwnership;
import io.vmm.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * What a flow's connectors share: Vert.x, the flow's spec, metrics, internal topic names, unit ownership and the
 * flow runner's context (where every connector's state lives). Deployments are top-level (not children of a
 * verticle), so the stop order is the connectors' to choose.
 * <p>
 * {@code stop} is the flow's {@link StopSignal}, fired by the flow runner's stop before its stop is queued: the
 * connectors' starts watch it ({@link StopSignal#guard}), so a stop never waits behind discovery, admin calls or a
 * unit hand-over. {@link #deploy} deploys nothing once it fired, and undeploys at once a verticle whose start ends
 * after it fired (its start could not be abandoned, its deployment must not outlive the flow).
 *
 * @param context   the flow runner's event-loop context
 * @param clustered  cluster mode: tasks use the stable partition assignment
 * @param clientRack {@code client.rack} of the replication consumers (Strimzi's {@code rack}), or null
 * @param tracing    the process's tracing of mirrored records ({@link Tracing#disabled()} when off)
 * @param stop       the flow's stop signal
 */
public record FlowScope(Vertx vertx, Context context, FlowSpec flow, FlowMetrics metrics, InternalTopics topics,
                        UnitOwnership ownership, boolean clustered, String clientRack, Tracing tracing,
                        StopSignal stop) {

  /** A scope whose flow never signals a stop (tests). */
  public FlowScope(Vertx vertx, Context context, FlowSpec flow, FlowMetrics metrics, InternalTopics topics,
                   UnitOwnership ownership, boolean clustered, String clientRack, Tracing tracing) {
    this(vertx, context, flow, metrics, topics, ownership, clustered, clientRack, tracing, StopSignal.NEVER);
  }

  private static final Logger LOG = LoggerFactory.getLogger(FlowScope.class);

  public String name() {
    return flow.name();
  }

  /** The flow's {@code admin.timeout.ms}. */
  public long adminTimeoutMs() {
    return flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS);
  }

  /**
   * Deploys {@code verticle} (a worker verticle when {@code worker}); completes on the runner's context. Once the
   * flow's {@link #stop} fired: fails at once with a {@link StopSignal.Stopping} cause without deploying, and a
   * deployment that completes after it fired is undeployed (within {@link Budgets#ROLE_MS}) and reported failed.
   */
  public Future<String> deploy(Deployable verticle, boolean worker) {
    String what = "start of " + verticle.getClass().getSimpleName();
    if (stop.fired()) {
      return Future.failedFuture(stop.stopping(what));
    }
    return vertx.deployVerticle(verticle, worker ? new DeploymentOptions().setThreadingModel(
        io.vertx.core.ThreadingModel.WORKER) : new DeploymentOptions())
        .compose(id -> !stop.fired() ? Future.succeededFuture(id)
            : undeploy(id, Budgets.ROLE_MS).transform(ar -> Future.failedFuture(stop.stopping(what))));
  }

  /** Undeploys {@code id} (null: nothing) within {@code budgetMs}; failures are logged; never fails. */
  public Future<Void> undeploy(String id, long budgetMs) {
    if (id == null) {
      return Future.succeededFuture();
    }
    long started = System.currentTimeMillis();
    return vertx.undeploy(id).timeout(budgetMs, TimeUnit.MILLISECONDS).recover(e -> {
      if (e instanceof IllegalStateException) {
        // "Unknown deployment" / "Already undeployed": undeployed by another path first (an expected race)
        LOG.debug("{} undeploy of {}: {}", flow.name(), id, e.getMessage());
      } else if (e instanceof java.util.concurrent.TimeoutException) {
        LOG.warn("{} undeploy of {} did not finish within {} ms", flow.name(), id, budgetMs);
      } else {
        LOG.warn("{} undeploy of {} failed after {} ms: {}", flow.name(), id, System.currentTimeMillis() - started,
            e.toString());
      }
      return Future.succeededFuture();
    });
  }
}
