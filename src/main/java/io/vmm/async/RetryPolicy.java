package io.vmm.async;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;

import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one retry policy with exponential backoff: an attempt that fails with a retryable error is tried again
 * after {@code initialMs}, then after twice as long each time up to {@code maxMs}, until it succeeds, the error
 * is not retryable, or the deadline (if any) has passed; the last failure is then returned. Immutable.
 * <p>
 * Threading: call from a Vert.x context; retries are timers on that context, the returned future completes there.
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
    return run(vertx, attempt, retryable, deadlineMs, onRetry, 1);
  }

  /** As {@link #run(Vertx, Supplier, Predicate, long, RetryListener)}, without a listener. */
  public <T> Future<T> run(Vertx vertx, Supplier<Future<T>> attempt, Predicate<Throwable> retryable,
                           long deadlineMs) {
    return run(vertx, attempt, retryable, deadlineMs, (e, delay) -> { }, 1);
  }

  private <T> Future<T> run(Vertx vertx, Supplier<Future<T>> attempt, Predicate<Throwable> retryable,
                            long deadlineMs, RetryListener onRetry, int n) {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    PromiseInternal<T> tried = context.promise(); // retries and the result stay on the caller's context
    try {
      attempt.get().onComplete(tried);
    } catch (RuntimeException e) {
      tried.fail(e);
    }
    return tried.future().recover(e -> {
      long delay = delayMs(n);
      if (!retryable.test(e) || System.currentTimeMillis() + delay > deadlineMs) {
        return Future.failedFuture(e);
      }
      onRetry.retrying(e, delay);
      PromiseInternal<T> next = context.promise();
      context.setTimer(delay, id -> run(vertx, attempt, retryable, deadlineMs, onRetry, n + 1).onComplete(next));
      return next.future();
    });
  }

  /** Told of a failed attempt that will be retried. */
  @FunctionalInterface
  public interface RetryListener {
    void retrying(Throwable failure, long delayMs);
  }
}
