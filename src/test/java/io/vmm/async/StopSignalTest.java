package io.vmm.async;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vmm.kafka.KafkaFutures;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prompt stops: a fired {@link StopSignal} fails guarded work at once, cancels {@link RetryPolicy}'s backoff (no
 * further attempt) and abandons an admin call bridged by {@link KafkaFutures#on} (its Kafka future cancelled),
 * each long before the work's own timeout or delay.
 */
@ExtendWith(NoBlockedThreads.class)
class StopSignalTest {

  static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** A stop is acted on well within this (Budgets.STOP_REACTION_MS). */
  static final long PROMPT_MS = Budgets.STOP_REACTION_MS;

  static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs {@code work} on a fresh context; the result completes where {@code work}'s does. */
  static <T> Future<T> on(Context context, java.util.function.Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  @Test
  void guardFailsPendingWorkAtOnceAndIgnoresItsLateResult() {
    StopSignal stop = new StopSignal("A->B");
    Promise<String> work = Promise.promise();
    Future<String> guarded = stop.guard(work.future(), "discovery");
    assertFalse(guarded.isComplete());
    stop.fire();
    assertTrue(guarded.failed());
    assertInstanceOf(StopSignal.Stopping.class, guarded.cause());
    assertEquals("A->B discovery abandoned: stopping", guarded.cause().getMessage());
    assertEquals(0, guarded.cause().getStackTrace().length, "no stack trace to log");
    work.complete("late");
    assertTrue(guarded.failed(), "the late result is ignored");
    assertTrue(stop.guard(Future.succeededFuture("x"), "next").failed(), "fired: later work fails at once");
    stop.fire(); // idempotent
  }

  @Test
  void guardPassesWorkThroughWhenNotFired() {
    StopSignal stop = new StopSignal("A->B");
    Promise<String> work = Promise.promise();
    Future<String> guarded = stop.guard(work.future(), "discovery");
    work.complete("ok");
    assertEquals("ok", guarded.result());
    stop.fire();
    assertEquals("ok", guarded.result(), "a stop after completion changes nothing");
  }

  @Test
  void neverDoesNotFire() {
    StopSignal.NEVER.fire();
    assertFalse(StopSignal.NEVER.fired());
    Promise<String> work = Promise.promise();
    assertSame(work.future(), StopSignal.NEVER.guard(work.future(), "x"));
  }

  @Test
  void isStoppingLooksAtTheCauseChain() {
    StopSignal stop = new StopSignal("A->B");
    assertTrue(StopSignal.isStopping(new IllegalStateException("wrapped", stop.stopping("x"))));
    assertFalse(StopSignal.isStopping(new IOException("refused")));
  }

  @Test
  void retryPolicyStopsRetryingAndFailsFastInTheBackoff() {
    StopSignal stop = new StopSignal("A->B");
    AtomicInteger attempts = new AtomicInteger();
    Context context = vertx.getOrCreateContext();
    AtomicReference<Context> completedOn = new AtomicReference<>();
    // FLOW_START: the first retry is 5 s away
    Future<String> run = on(context, () -> RetryPolicy.FLOW_START.run(vertx, () -> {
      attempts.incrementAndGet();
      return Future.<String>failedFuture(new IOException("unreachable"));
    }, e -> true, RetryPolicy.FOREVER, (e, delay) -> { }, stop).onComplete(ar -> completedOn.set(Vertx.currentContext())));
    Await.until("the first attempt failed", TIMEOUT, () -> attempts.get() == 1);
    long fired = System.nanoTime();
    stop.fire();
    Await.until("the run fails", TIMEOUT, run::isComplete);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fired);
    assertTrue(tookMs < PROMPT_MS, "failed " + tookMs + " ms after the stop");
    assertTrue(StopSignal.isStopping(run.cause()), String.valueOf(run.cause()));
    assertSame(context, completedOn.get(), "completes on the caller's context");
    sleep(5_500);
    assertEquals(1, attempts.get(), "the backoff timer was cancelled: no attempt after the stop");
  }

  @Test
  void retryPolicyAbandonsAnAttemptInFlight() {
    StopSignal stop = new StopSignal("A->B");
    Promise<String> inFlight = Promise.promise();
    Future<String> run = on(vertx.getOrCreateContext(), () -> RetryPolicy.SHORT.run(vertx, inFlight::future,
        e -> true, RetryPolicy.FOREVER, (e, delay) -> { }, stop));
    sleep(50);
    stop.fire();
    Await.until("the run fails", Duration.ofMillis(PROMPT_MS), run::isComplete);
    assertTrue(StopSignal.isStopping(run.cause()));
    inFlight.complete("late");
    assertTrue(run.failed(), "the late result is ignored");
  }

  @Test
  void retryPolicyStartsNoAttemptOnceFired() {
    StopSignal stop = new StopSignal("A->B");
    stop.fire();
    AtomicInteger attempts = new AtomicInteger();
    Future<String> run = on(vertx.getOrCreateContext(), () -> RetryPolicy.SHORT.run(vertx, () -> {
      attempts.incrementAndGet();
      return Future.succeededFuture("ok");
    }, e -> true, RetryPolicy.FOREVER, (e, delay) -> { }, stop));
    Await.until("the run fails", TIMEOUT, run::isComplete);
    assertTrue(StopSignal.isStopping(run.cause()));
    assertEquals(0, attempts.get());
  }

  @Test
  void kafkaFuturesOnFailsFastWhenStoppedAndCancelsTheCall() {
    StopSignal stop = new StopSignal("A->B admin");
    KafkaFutureImpl<String> call = new KafkaFutureImpl<>(); // an admin call that would answer after 60 s
    Context context = vertx.getOrCreateContext();
    AtomicReference<Context> completedOn = new AtomicReference<>();
    Future<String> bridged = on(context, () -> KafkaFutures.on(context, call, Duration.ofSeconds(60),
        "list source topics", stop).onComplete(ar -> completedOn.set(Vertx.currentContext())));
    sleep(50);
    assertFalse(bridged.isComplete());
    long fired = System.nanoTime();
    stop.fire();
    Await.until("the call fails", TIMEOUT, bridged::isComplete);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fired);
    assertTrue(tookMs < PROMPT_MS, "failed " + tookMs + " ms after the stop");
    assertInstanceOf(StopSignal.Stopping.class, bridged.cause());
    assertEquals("A->B admin list source topics abandoned: stopping", bridged.cause().getMessage());
    assertTrue(call.isCancelled(), "the Kafka future is cancelled");
    assertSame(context, completedOn.get(), "completes on the given context");
  }

  @Test
  void kafkaFuturesOnCompletesNormallyWhenNotStopped() {
    StopSignal stop = new StopSignal("A->B admin");
    KafkaFutureImpl<String> call = new KafkaFutureImpl<>();
    Context context = vertx.getOrCreateContext();
    Future<String> bridged = on(context, () -> KafkaFutures.on(context, call, Duration.ofSeconds(60), "x", stop));
    call.complete("topics");
    Await.until("the call completes", TIMEOUT, bridged::isComplete);
    assertEquals("topics", bridged.result());
    stop.fire();
    assertEquals("topics", bridged.result());
  }

  @Test
  void kafkaFuturesOnFailsAtOnceWhenAlreadyStopped() {
    StopSignal stop = new StopSignal("A->B admin");
    stop.fire();
    KafkaFutureImpl<String> call = new KafkaFutureImpl<>();
    Context context = vertx.getOrCreateContext();
    Future<String> bridged = on(context, () -> KafkaFutures.on(context, call, Duration.ofSeconds(60), "x", stop));
    Await.until("the call fails", TIMEOUT, bridged::isComplete);
    assertTrue(StopSignal.isStopping(bridged.cause()));
    assertTrue(call.isCancelled());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
