package io.vmm.sync;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vmm.async.PeriodicTask;
import io.vmm.config.FlowSpec;
import io.vmm.kafka.FlowAdmins;
import org.apache.kafka.common.KafkaFuture;
import org.slf4j.LoggerFactory;

/**
 * The common frame of a flow's periodic admin-client syncs (topic configs, topic ACLs), after MM2's
 * {@code MirrorSourceConnector} scheduled syncs: at start creates the flow's source and target admins
 * ({@link FlowAdmins}, client ids {@code <flow>|<role>|source-admin} / {@code ...|target-admin}), then runs
 * {@link #runOnce()} 1 ms later and again {@link #intervalMs()} after each run ends ({@link PeriodicTask}: runs
 * never overlap; a failed run is logged, throttled, as "{@code <flow> <what> failed, will retry}" and retried
 * next interval). At stop cancels the schedule and closes both admins ({@link FlowAdmins#close}): a run's admin
 * calls in flight fail at once and are abandoned, not awaited, and the abandoned run logs nothing.
 * <p>
 * Threading: event-loop verticle; admin calls made through {@link #call} complete on this verticle's context,
 * bounded by the flow's {@code admin.timeout.ms}.
 */
abstract class PeriodicAdminRole extends VerticleBase {

  /** The flow this role serves. */
  protected final FlowSpec flow;
  private final String role;
  private final String what;
  /** Set once started. */
  protected FlowAdmins admins;
  private PeriodicTask task;

  /**
   * @param flow the flow
   * @param role the role in client ids, e.g. {@code config-sync}
   * @param what what a run is, for log lines, e.g. {@code topic config sync}
   */
  protected PeriodicAdminRole(FlowSpec flow, String role, String what) {
    this.flow = flow;
    this.role = role;
    this.what = what;
  }

  /** Time between the end of a run and the start of the next, ms. */
  protected abstract long intervalMs();

  /** One run; a failure is logged (throttled) and the run retried after {@link #intervalMs()}. */
  protected abstract Future<?> runOnce();

  /** Called on start once the admins exist, before the first run (e.g. to register listeners). */
  protected Future<?> started() {
    return Future.succeededFuture();
  }

  @Override
  public final Future<?> start() {
    return FlowAdmins.create(vertx, flow, role).compose(a -> {
      admins = a;
      return started().recover(e -> a.close(vertx).transform(x -> Future.failedFuture(e)));
    }).onSuccess(v -> task = PeriodicTask.start(vertx, flow.name() + " " + what, 1, intervalMs(), this::runOnce,
        LoggerFactory.getLogger(getClass())));
  }

  /** Stops scheduling runs (for a sync that cannot work against these clusters); the admins stay until stop. */
  protected final void stopRuns() {
    if (task != null) {
      task.cancel();
    }
  }

  /** {@code future} as a Vert.x future on this verticle's context, failed after {@code admin.timeout.ms}. */
  protected final <T> Future<T> call(KafkaFuture<T> future, String description) {
    return admins.call(context, future, description);
  }

  @Override
  public final Future<?> stop() {
    stopRuns();
    return admins == null ? Future.succeededFuture() : admins.close(vertx);
  }
}
