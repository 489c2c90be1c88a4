package io.vmm.async;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exponential backoff: delays double up to the cap; retries continue while failures are retryable and the next
 * attempt is due before the deadline; the listener is told of each retry; the result completes on the caller's
 * context. Delays here are 5-40 ms.
 */
@ExtendWith(NoBlockedThreads.class)
class RetryPolicyTest {

  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final Predicate<Throwable> IO = e -> e instanceof IOException;

  static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  record Retry(String failure, long delayMs, long atMs) {
  }

  /** A run started on a fresh context; remembers the context its result completed on. */
  static final class Run<T> {
    final Context context = vertx.getOrCreateContext();
    final AtomicReference<Context> completedOn = new AtomicReference<>();
    final List<Retry> retries = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    Future<T> result;

    Run<T> start(RetryPolicy policy, Supplier<Future<T>> attempt, Predicate<Throwable> retryable, long deadlineMs) {
      Promise<T> done = Promise.promise();
      context.runOnContext(v -> policy.run(vertx, () -> {
            attempts.incrementAndGet();
            return attempt.get();
          }, retryable, deadlineMs,
          (e, delay) -> retries.add(new Retry(e.getMessage(), delay, System.currentTimeMillis())))
          .onComplete(ar -> {
            completedOn.set(Vertx.currentContext());
            done.handle(ar);
          }));
      result = done.future();
      Await.until("the retry run to complete", TIMEOUT, result::isComplete);
      return this;
    }
  }

  /** Fails {@code failures} times with {@code IOException("attempt n")}, then succeeds with "ok". */
  static Supplier<Future<String>> failing(int failures) {
    AtomicInteger n = new AtomicInteger();
    return () -> {
      int k = n.incrementAndGet();
      return k <= failures ? Future.failedFuture(new IOException("attempt " + k)) : Future.succeededFuture("ok");
    };
  }

  // ------------------------------------------------------------------------------------------ delayMs

  @Test
  void delayDoublesUpToTheCap() {
    RetryPolicy p = new RetryPolicy(20, 300);
    assertEquals(20, p.delayMs(1));
    assertEquals(40, p.delayMs(2));
    assertEquals(80, p.delayMs(3));
    assertEquals(160, p.delayMs(4));
    assertEquals(300, p.delayMs(5), "320 capped");
    assertEquals(300, p.delayMs(6));
    assertEquals(300, p.delayMs(1_000), "no overflow after many attempts");
    assertEquals(300, p.delayMs(Integer.MAX_VALUE));
  }

  @Test
  void capReachedExactly() {
    RetryPolicy p = new RetryPolicy(5, 40);
    assertEquals(List.of(5L, 10L, 20L, 40L, 40L), List.of(p.delayMs(1), p.delayMs(2), p.delayMs(3), p.delayMs(4),
        p.delayMs(5)));
  }

  @Test
  void namedPolicies() {
    assertEquals(20, RetryPolicy.SHORT.delayMs(1));
    assertEquals(300, RetryPolicy.SHORT.delayMs(10));
    assertEquals(5_000, RetryPolicy.FLOW_START.delayMs(1));
    assertEquals(10_000, RetryPolicy.FLOW_START.delayMs(2));
    assertEquals(40_000, RetryPolicy.FLOW_START.delayMs(4));
    assertEquals(60_000, RetryPolicy.FLOW_START.delayMs(5));
    assertEquals(60_000, RetryPolicy.FLOW_START.delayMs(100));
  }

  @Test
  void initialDelayLargerThanTheCapIsCapped() {
    assertEquals(50, new RetryPolicy(80, 50).delayMs(1));
  }

  // ------------------------------------------------------------------------------------------ run

  @Test
  void succeedsAfterRetryableFailures() {
    long started = System.nanoTime();
    Run<String> run = new Run<String>().start(new RetryPolicy(10, 40), failing(4), IO, RetryPolicy.FOREVER);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(run.result.succeeded(), () -> String.valueOf(run.result.cause()));
    assertEquals("ok", run.result.result());
    assertEquals(5, run.attempts.get());
    assertEquals(List.of(10L, 20L, 40L, 40L), run.retries.stream().map(Retry::delayMs).toList(),
        "each retry with its delay");
    assertEquals(List.of("attempt 1", "attempt 2", "attempt 3", "attempt 4"),
        run.retries.stream().map(Retry::failure).toList());
    assertTrue(tookMs >= 100, "waited the delays: " + tookMs + " ms");
    assertSame(run.context, run.completedOn.get(), "completes on the caller's context");
  }

  @Test
  void firstAttemptSuccessNeedsNoRetry() {
    Run<String> run = new Run<String>().start(new RetryPolicy(10, 40), failing(0), IO, RetryPolicy.FOREVER);
    assertEquals("ok", run.result.result());
    assertEquals(1, run.attempts.get());
    assertTrue(run.retries.isEmpty());
  }

  @Test
  void stopsOnANonRetryableFailure() {
    AtomicInteger n = new AtomicInteger();
    IllegalStateException fatal = new IllegalStateException("bad config");
    Run<String> run = new Run<String>().start(new RetryPolicy(5, 10),
        () -> n.incrementAndGet() < 3 ? Future.failedFuture(new IOException("attempt " + n.get()))
            : Future.failedFuture(fatal), IO, RetryPolicy.FOREVER);
    assertTrue(run.result.failed());
    assertSame(fatal, run.result.cause(), "the last failure is returned");
    assertEquals(3, run.attempts.get(), "no attempt after the non-retryable failure");
    assertEquals(List.of("attempt 1", "attempt 2"), run.retries.stream().map(Retry::failure).toList());
    assertSame(run.context, run.completedOn.get());
  }

  @Test
  void nonRetryableFirstFailureIsFinal() {
    Run<String> run = new Run<String>().start(new RetryPolicy(5, 10),
        () -> Future.failedFuture(new IllegalArgumentException("no")), IO, RetryPolicy.FOREVER);
    assertInstanceOf(IllegalArgumentException.class, run.result.cause());
    assertEquals(1, run.attempts.get());
    assertTrue(run.retries.isEmpty());
  }

  @Test
  void anAttemptThatThrowsIsAFailedAttempt() {
    AtomicInteger n = new AtomicInteger();
    Run<String> run = new Run<String>().start(new RetryPolicy(5, 10), () -> {
      if (n.incrementAndGet() == 1) {
        throw new IllegalStateException("metadata not ready");
      }
      return Future.succeededFuture("ok");
    }, e -> true, RetryPolicy.FOREVER);
    assertEquals("ok", run.result.result());
    assertEquals(List.of("metadata not ready"), run.retries.stream().map(Retry::failure).toList());
  }

  @Test
  void stopsAtOnceWhenTheFirstDelayPassesTheDeadline() {
    long started = System.nanoTime();
    Run<String> run = new Run<String>().start(new RetryPolicy(5_000, 5_000), failing(10), IO,
        System.currentTimeMillis() + 1_000);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(run.result.failed());
    assertEquals("attempt 1", run.result.cause().getMessage());
    assertEquals(1, run.attempts.get());
    assertTrue(run.retries.isEmpty(), "no retry is announced");
    assertTrue(tookMs < 4_000, "did not wait for the delay: " + tookMs + " ms");
  }

  @Test
  void stopsWhenTheDeadlineWouldPass() {
    long deadline = System.currentTimeMillis() + 300;
    Run<String> run = new Run<String>().start(new RetryPolicy(25, 25), failing(Integer.MAX_VALUE), IO, deadline);
    assertTrue(run.result.failed());
    int attempts = run.attempts.get();
    assertTrue(attempts >= 2 && attempts <= 13, "attempts " + attempts);
    assertEquals("attempt " + attempts, run.result.cause().getMessage(), "the last failure is returned");
    assertEquals(attempts - 1, run.retries.size());
    for (Retry r : run.retries) {
      assertTrue(r.atMs() + r.delayMs() <= deadline, "retry " + r + " is due before the deadline " + deadline);
    }
    assertSame(run.context, run.completedOn.get());
  }

  @Test
  void runWithoutListener() {
    Context context = vertx.getOrCreateContext();
    Promise<String> done = Promise.promise();
    context.runOnContext(v -> new RetryPolicy(5, 10).run(vertx, failing(2), IO, RetryPolicy.FOREVER)
        .onComplete(done));
    Await.until("the run to complete", TIMEOUT, done.future()::isComplete);
    assertEquals("ok", done.future().result());
  }

  /**
   * "retries are timers on that context, the returned future completes there": also when an attempt's future is
   * completed by another thread (a Kafka client callback completing a plain promise).
   * <p>
   * Fails: {@code recover} runs on the completing thread, so {@code vertx.setTimer} there schedules the retry on
   * another (new) context, and the result completes on the completing thread.
   */
  @Test
  void retriesAndResultStayOnTheCallersContextWhenAttemptsCompleteElsewhere() {
    List<Context> attemptContexts = new CopyOnWriteArrayList<>();
    AtomicInteger n = new AtomicInteger();
    Run<String> run = new Run<String>().start(new RetryPolicy(5, 10), () -> {
      attemptContexts.add(Vertx.currentContext());
      Promise<String> p = Promise.promise();
      int k = n.incrementAndGet();
      new Thread(() -> {
        if (k == 1) {
          p.fail(new IOException("attempt 1"));
        } else {
          p.complete("ok");
        }
      }, "client-network-thread").start();
      return p.future();
    }, IO, RetryPolicy.FOREVER);
    assertEquals("ok", run.result.result());
    assertEquals(2, attemptContexts.size());
    assertSame(run.context, attemptContexts.get(0));
    assertSame(run.context, attemptContexts.get(1), "the retry ran on " + attemptContexts.get(1));
    assertSame(run.context, run.completedOn.get(), "completed on " + run.completedOn.get());
  }
}
