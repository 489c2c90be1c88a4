package io.vmm.connector;

import io.vertx.core.Future;
import io.vmm.async.Budgets;
import io.vmm.async.OperationQueue;
import io.vmm.config.AutoRestartSpec;
import io.vmm.status.ConnectorStatus.AutoRestartStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs Strimzi's {@code autoRestart} for one connector on this member: when the connector reports (through
 * {@link #observe}) that it or one of its tasks is FAILED, a timer waits out {@link AutoRestart}'s backoff, then the
 * restart runs as an operation of the flow's {@link OperationQueue} (so it never overlaps a start, stop or REST
 * operation), and afterwards the state is observed again. The backoff unit is
 * {@link Budgets#autoRestartUnitMs()}, read once here at construction.
 * <p>
 * Armed only between the connector's {@link #arm start} and a {@link #disarm stop} from outside (the flow stopping,
 * a REST stop, a unit lost to another member): a connector whose flow failed to start is left to the supervisor's
 * start retries, and a connector stopped on purpose stays stopped. A restart found unnecessary when its turn comes
 * (fixed by hand meanwhile, stopped, disarmed) does nothing.
 * <p>
 * Threading: every method runs on the flow runner's context (timers set there fire there); not thread-safe.
 */
final class AutoRestartTimer {

  private static final Logger LOG = LoggerFactory.getLogger(AutoRestartTimer.class);

  private final FlowScope scope;
  private final OperationQueue queue;
  private final String connector;
  private final AutoRestartSpec spec;
  private final AutoRestart state;
  private final BooleanSupplier failing;
  private final Supplier<Future<Void>> restart;
  private boolean armed;
  private boolean restarting;
  private long timer = -1;
  private long dueAt = -1;
  private boolean gaveUpLogged;

  /**
   * @param connector the connector's name, {@code A->B.MirrorSourceConnector}
   * @param spec      its {@code autoRestart}; when not enabled every method is a no-op and the status is null
   * @param failing   whether the connector or a task of it is FAILED while its target state wants it running
   * @param restart   restarts what is FAILED (the connector, else its failed tasks); runs inside the queue
   */
  AutoRestartTimer(FlowScope scope, OperationQueue queue, String connector, AutoRestartSpec spec,
                   BooleanSupplier failing, Supplier<Future<Void>> restart) {
    this.scope = scope;
    this.queue = queue;
    this.connector = connector;
    this.spec = spec;
    this.state = new AutoRestart(spec, Budgets.autoRestartUnitMs());
    this.failing = failing;
    this.restart = restart;
  }

  /** The connector starts: failures from now on are restarted automatically. */
  void arm() {
    armed = spec.enabled();
  }

  /** Stopped from outside: no automatic restart until the next {@link #arm}; a pending one is dropped. */
  void disarm() {
    armed = false;
    cancel();
  }

  /**
   * Observes the connector's state (call it after every state change): updates the count (a successful run resets
   * it) and, when it is failing and armed, schedules the next restart unless one is scheduled or running.
   */
  void observe() {
    if (!spec.enabled()) {
      return;
    }
    long now = System.currentTimeMillis();
    boolean failingNow = failing.getAsBoolean();
    state.observe(now, restarting || failingNow);
    if (!state.exhausted()) {
      gaveUpLogged = false;
    }
    if (!failingNow) {
      cancel(); // fixed meanwhile (e.g. restarted by hand)
    }
    if (!armed || restarting || timer >= 0 || !failingNow) {
      return;
    }
    long due = state.nextRestartAt(now);
    if (due < 0) {
      if (!gaveUpLogged) {
        gaveUpLogged = true;
        LOG.warn("{} autoRestart gave up after {} restarts (maxRestarts {}); it stays FAILED until restarted by "
            + "hand", connector, state.count(), spec.maxRestarts());
      }
      return;
    }
    dueAt = due;
    timer = scope.vertx().setTimer(Math.max(1, due - now), id -> {
      timer = -1;
      queue.serialized(this::restartNow);
    });
  }

  private void cancel() {
    if (timer >= 0) {
      scope.vertx().cancelTimer(timer);
      timer = -1;
    }
    dueAt = -1;
  }

  private Future<Void> restartNow() {
    dueAt = -1;
    if (!armed || !failing.getAsBoolean()) {
      observe();
      return Future.succeededFuture();
    }
    long now = System.currentTimeMillis();
    long waited = state.count() == 0 ? 0 : now - state.lastRestartMs();
    state.restarted(now);
    restarting = true;
    LOG.info("{} autoRestart: restart {}{} after {} ms", connector, state.count(),
        spec.maxRestarts() == null ? "" : " of " + spec.maxRestarts(), waited);
    Future<Void> run;
    try {
      run = restart.get();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    return run.transform(ar -> {
      restarting = false;
      if (ar.failed()) {
        LOG.warn("{} autoRestart: restart {} failed: {}", connector, state.count(), ar.cause().toString());
      }
      observe();
      return Future.succeededFuture();
    });
  }

  /** Strimzi's {@code autoRestart} status at {@code nowMs}, or null when {@code autoRestart} is off. */
  AutoRestartStatus status(long nowMs) {
    if (!spec.enabled()) {
      return null;
    }
    state.observe(nowMs, restarting || failing.getAsBoolean());
    return new AutoRestartStatus(state.count(), connector, state.lastRestartMs(), timer >= 0 ? dueAt : -1);
  }
}
