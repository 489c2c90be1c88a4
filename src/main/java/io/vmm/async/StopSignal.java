package io.vmm.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * "Stop now" for one owner (a flow runner, an admin-client pair): once {@link #fire fired}, work that watches it
 * stops waiting. {@link #guard} fails a pending future at once with a {@link Stopping} cause; {@link RetryPolicy}
 * cancels its backoff timer and starts no further attempt; {@code KafkaFutures.on} abandons an in-flight admin
 * call (the Kafka future is cancelled and its late result ignored). The work itself is not interrupted: what it
 * completes later is dropped by whoever guarded it. This is how a stop is acted on within
 * {@link Budgets#STOP_REACTION_MS} in every phase (start-up, discovery, admin calls, retries, backoff) instead of
 * waiting for {@code admin.timeout.ms} or a retry delay.
 * <p>
 * Fired once, never reset. Thread-safe: {@link #fire} may be called from any thread; a guarded future fails on
 * the thread that fires (use it from the owner's context, or hop back as the callers here do).
 */
public final class StopSignal {

  /** A signal that never fires, for callers without a stop of their own. */
  public static final StopSignal NEVER = new StopSignal("never");

  private final String owner;
  private final Promise<Void> fired = Promise.promise();
  /** What to do when fired, for work still pending; each entry leaves the set when its work completes. */
  private final java.util.Set<Runnable> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** @param owner what stops, for the {@link Stopping} message, e.g. {@code "A->B"} */
  public StopSignal(String owner) {
    this.owner = owner;
  }

  /** Fires the signal; idempotent. {@link #NEVER} ignores it. */
  public void fire() {
    if (this != NEVER && fired.tryComplete()) {
      for (Runnable action : new java.util.ArrayList<>(pending)) {
        if (pending.remove(action)) { // each action runs once, also when onFire races with this
          action.run();
        }
      }
    }
  }

  /** Whether {@link #fire} was called. */
  public boolean fired() {
    return fired.future().isComplete();
  }

  /** Completes (succeeds) when fired. */
  public Future<Void> future() {
    return fired.future();
  }

  /** A {@link Stopping} failure for {@code what}, to fail work that was abandoned. */
  public Stopping stopping(String what) {
    return new Stopping(owner + " " + what + " abandoned: stopping");
  }

  /**
   * {@code work}'s outcome, or, as soon as the signal fires first, a failure with {@link #stopping}{@code (what)}
   * (already failed when fired before the call). {@code work} continues; its late outcome is ignored here.
   */
  public <T> Future<T> guard(Future<T> work, String what) {
    if (fired()) {
      return Future.failedFuture(stopping(what));
    }
    if (this == NEVER || work.isComplete()) {
      return work;
    }
    Promise<T> first = Promise.promise();
    Runnable abandon = () -> first.tryFail(stopping(what));
    onFire(abandon);
    work.onComplete(ar -> {
      pending.remove(abandon);
      if (ar.succeeded()) {
        first.tryComplete(ar.result());
      } else {
        first.tryFail(ar.cause());
      }
    });
    return first.future();
  }

  /**
   * Runs {@code action} when the signal fires (at once, on this thread, if it has fired already), unless it is
   * removed with {@link #forget} first. For work that is not a future, e.g. a timer to cancel.
   */
  public void onFire(Runnable action) {
    if (this == NEVER) {
      return;
    }
    pending.add(action);
    if (fired() && pending.remove(action)) {
      action.run();
    }
  }

  /** {@code action} is no longer needed (its work ended); it will not run. */
  public void forget(Runnable action) {
    pending.remove(action);
  }

  /** True if {@code e} (or a cause) is a {@link Stopping}: work abandoned by a stop, not a fault to report. */
  public static boolean isStopping(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Stopping) {
        return true;
      }
    }
    return false;
  }

  /** Work abandoned because its owner stops; a message without a stack trace. */
  public static final class Stopping extends RuntimeException {
    public Stopping(String message) {
      super(message, null, false, false);
    }
  }
}
