package io.vmm.async;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one retry policy with exponential backoff: an attempt that fails with a retryable error is tried again
 * after {@code initialMs}, then after twice as long each time up to {@code maxMs}, until it succeeds, the error
 * is not retryable, or the deadline (if any) has passed; the last failure is then returned. Immutable.
 * <p>
 * Threading: call from a Vert.x context; retries are timers on that context, the returned future completes there.
 * <p>
 * Stopping: with a {@link StopSignal}, a fired signal cancels the pending backoff timer and fails the returned
 * future at once with a {@link StopSignal.Stopping} cause (an attempt in flight is abandoned: its late outcome is
 * ignored); no attempt starts after the signal fired.
 *
 * @param initialMs first delay, ms
 * @param maxMs     largest delay, ms
 */
public record RetryPolicy(long initialMs, long maxMs) {

  /** A flow that could not start (a cluster unreachable): 5 s, doubling up to 60 s. */
  public static final RetryPolicy FLOW_START = new RetryPolicy(5_000, 60_000);
  /** Broker metadata catching up with a new topic, cluster membership settling: 20 ms, doubling up to 300 ms. */
  public static final RetryPolicy SHORT = new RetryPolicy(20, 300);

  /** No deadline. */
  public static final long FOREVER = Long.MAX_VALUE;

  /** The delay after {@code attempt} failed attempts (1 = after the first failure), ms. */
  public long delayMs(int attempt) {
    long delay = initialMs;
    for (int i = 1; i < attempt && delay < maxMs; i++) {
      delay *= 2;
    }
    return Math.min(delay, maxMs);
  }

  /**
   * Runs {@code attempt} until it succeeds.
   *
   * @param retryable  which failures are worth another attempt
   * @param deadlineMs wall-clock time after which a failure is final ({@link #FOREVER} for none)
   * @param onRetry    told of each failure that will be retried, with the delay before the next attempt (ms)
   */
  public <T> Future<T> run(Vertx vertx, Supplier<Future<T>> attempt, Predicate<Throwable> retryable,
                           long deadlineMs, RetryListener onRetry) {
    return run(vertx, attempt, retryable, deadlineMs, onRetry, StopSignal.NEVER);
  }

  /** As {@link #run(Vertx, Supplier, Predicate, long, RetryListener)}, without a listener. */
  public <T> Future<T> run(Vertx vertx, Supplier<Future<T>> attempt, Predicate<Throwable> retryable,
                           long deadlineMs) {
    return run(vertx, attempt, retryable, deadlineMs, (e, delay) -> { }, StopSignal.NEVER);
  }

  /**
   * As {@link #run(Vertx, Supplier, Predicate, long, RetryListener)}, until {@code stop} fires: then the backoff
   * timer is cancelled and the result fails at once with {@link StopSignal.Stopping} (see the class comment).
   */
  public <T> Future<T> run(Vertx vertx, Supplier<Future<T>> attempt, Predicate<Throwable> retryable,
                           long deadlineMs, RetryListener onRetry, StopSignal stop) {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    PromiseInternal<T> result = context.promise(); // retries and the result stay on the caller's context
    AtomicLong timer = new AtomicLong(-1); // the pending backoff timer, -1 when none
    Runnable abandon = () -> context.runOnContext(v -> {
      context.owner().cancelTimer(timer.get());
      result.tryFail(stop.stopping("retrying"));
    });
    stop.onFire(abandon);
    attempt(context, attempt, retryable, deadlineMs, onRetry, stop, timer, 1, result);
    result.future().onComplete(ar -> stop.forget(abandon));
    return result.future();
  }

  private <T> void attempt(ContextInternal context, Supplier<Future<T>> attempt, Predicate<Throwable> retryable,
                           long deadlineMs, RetryListener onRetry, StopSignal stop, AtomicLong timer, int n,
                           PromiseInternal<T> result) {
    if (stop.fired() || result.future().isComplete()) {
      result.tryFail(stop.stopping("retrying"));
      return;
    }
    PromiseInternal<T> tried = context.promise();
    try {
      attempt.get().onComplete(tried);
    } catch (RuntimeException e) {
      tried.fail(e);
    }
    tried.future().onComplete(ar -> {
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
        return;
      }
      Throwable e = ar.cause();
      long delay = delayMs(n);
      if (stop.fired()) {
        result.tryFail(stop.stopping("retrying"));
        return;
      }
      if (!retryable.test(e) || System.currentTimeMillis() + delay > deadlineMs) {
        result.tryFail(e);
        return;
      }
      onRetry.retrying(e, delay);
      timer.set(context.setTimer(delay, id ->
          attempt(context, attempt, retryable, deadlineMs, onRetry, stop, timer, n + 1, result)));
    });
  }

  /** Told of a failed attempt that will be retried. */
  @FunctionalInterface
  public interface RetryListener {
    void retrying(Throwable failure, long delayMs);
  }
}
