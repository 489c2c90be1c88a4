package io.vmm.async;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import org.slf4j.Logger;

import java.util.function.Supplier;

/**
 * Slow periodic work on a Vert.x context (the twin of MM2's {@code Scheduler}): runs {@code work} after
 * {@code firstDelayMs}, then {@code intervalMs} after each run <em>ends</em>, so runs never overlap. A run that
 * fails is logged through a {@link ThrottledLog} ("... failed, will retry"); a run that takes longer than the
 * interval is logged once per occurrence as an overrun. {@link #cancel()} stops scheduling at once (the pending
 * timer is cancelled); a run in progress is not awaited by anyone: its outcome is dropped, unlogged, as is a run
 * that failed with a {@link StopSignal.Stopping} cause (its admin calls abandoned by the owner's stop).
 * <p>
 * Threading: create and cancel on the owning context; {@code setTimer} fires there, so {@code work} runs there.
 */
public final class PeriodicTask {

  private final Vertx vertx;
  /** The owning context: runs start and are re-armed there, whichever thread completes a run's future. */
  private final ContextInternal context;
  private final String name;
  private final long intervalMs;
  private final Supplier<Future<?>> work;
  private final Logger log;
  private final ThrottledLog failures;
  private long timer = -1;
  private boolean cancelled;

  private PeriodicTask(Vertx vertx, String name, long intervalMs, Supplier<Future<?>> work, Logger log) {
    this.vertx = vertx;
    this.context = (ContextInternal) vertx.getOrCreateContext();
    this.name = name;
    this.intervalMs = intervalMs;
    this.work = work;
    this.log = log;
    this.failures = new ThrottledLog(log);
  }

  /**
   * Starts {@code work} every {@code intervalMs} (ms between the end of a run and the start of the next).
   *
   * @param name         what the work is, for log lines, e.g. {@code "A->B topic config sync"}
   * @param firstDelayMs delay before the first run, ms (at least 1)
   */
  public static PeriodicTask start(Vertx vertx, String name, long firstDelayMs, long intervalMs,
                                   Supplier<Future<?>> work, Logger log) {
    PeriodicTask task = new PeriodicTask(vertx, name, intervalMs, work, log);
    task.schedule(Math.max(1, firstDelayMs));
    return task;
  }

  private void schedule(long delayMs) {
    if (!cancelled) {
      timer = context.setTimer(delayMs, id -> run());
    }
  }

  private void run() {
    if (cancelled) {
      return;
    }
    long started = System.currentTimeMillis();
    PromiseInternal<Object> run = context.promise();
    try {
      work.get().onComplete(ar -> {
        if (ar.succeeded()) {
          run.complete(ar.result());
        } else {
          run.fail(ar.cause());
        }
      });
    } catch (RuntimeException e) {
      run.fail(e);
    }
    run.future().onComplete(ar -> {
      long took = System.currentTimeMillis() - started;
      if (cancelled || ar.failed() && StopSignal.isStopping(ar.cause())) {
        return; // abandoned by a stop: no failure to report, no next run
      }
      if (ar.failed()) {
        failures.warn("{} failed, will retry: {}", name, String.valueOf(ar.cause().getMessage()));
      } else if (took > intervalMs) {
        log.info("{} took {} ms, longer than its interval of {} ms", name, took, intervalMs);
      }
      schedule(intervalMs);
    });
  }

  /** Stops scheduling runs. Idempotent. */
  public void cancel() {
    cancelled = true;
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
    }
  }
}
