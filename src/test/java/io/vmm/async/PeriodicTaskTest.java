package io.vmm.async;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Periodic work on a context: repeated runs {@code intervalMs} after each run ends (never overlapping), failures
 * logged (throttled) without stopping the schedule, overruns logged, no run after {@link PeriodicTask#cancel()}.
 * Intervals 10-60 ms; timing assertions only in the direction timers guarantee (never earlier than asked).
 */
@ExtendWith(NoBlockedThreads.class)
class PeriodicTaskTest {

  static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** Slack for clock granularity when comparing two nanoTime readings around a timer. */
  static final long SLACK_MS = 2;

  static Vertx vertx;

  Context context;
  Logger log;
  ListAppender<ILoggingEvent> appender;
  PeriodicTask task;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() {
    context = vertx.getOrCreateContext();
    log = (Logger) LoggerFactory.getLogger("io.vmm.async.PeriodicTaskTest.task");
    log.setLevel(Level.INFO);
    log.setAdditive(false);
    appender = new ListAppender<>();
    appender.start();
    log.addAppender(appender);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (task != null) {
      onContext(() -> {
        task.cancel();
        return null;
      });
    }
    log.detachAppender(appender);
    log.setLevel(null);
    log.setAdditive(true);
  }

  /** Runs {@code action} on the test's context and waits for its result. */
  <T> T onContext(Supplier<T> action) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> p.complete(action.get()));
    return p.future().await(10, TimeUnit.SECONDS);
  }

  PeriodicTask start(long firstDelayMs, long intervalMs, Supplier<Future<?>> work) throws Exception {
    task = onContext(() -> PeriodicTask.start(vertx, "A->B test work", firstDelayMs, intervalMs, work, log));
    return task;
  }

  /** A future that succeeds after {@code ms} (a timer on the current context). */
  static Future<Void> after(long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }

  static void pause(long ms) throws Exception {
    after(ms).await(10, TimeUnit.SECONDS);
  }

  static long nowMs() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
  }

  List<String> messages(Level level) {
    return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void runsRepeatedlyOnItsContext() throws Exception {
    List<Context> ranOn = new CopyOnWriteArrayList<>();
    start(10, 10, () -> {
      ranOn.add(Vertx.currentContext());
      return Future.succeededFuture();
    });
    Await.until("4 runs", TIMEOUT, () -> ranOn.size() >= 4);
    for (Context c : ranOn) {
      assertSame(context, c, "work runs on the context that started the task");
    }
    assertTrue(appender.list.isEmpty(), "nothing to log: " + appender.list);
  }

  @Test
  void firstRunWaitsForTheFirstDelay() throws Exception {
    AtomicReference<Long> firstAt = new AtomicReference<>();
    long started = nowMs();
    start(60, 10, () -> {
      firstAt.compareAndSet(null, nowMs());
      return Future.succeededFuture();
    });
    long first = Await.value("the first run", TIMEOUT, firstAt::get);
    assertTrue(first - started >= 60 - SLACK_MS, "first run after " + (first - started) + " ms");
  }

  @Test
  void aZeroFirstDelayStillRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    start(0, 10, () -> {
      runs.incrementAndGet();
      return Future.succeededFuture();
    });
    Await.until("2 runs", TIMEOUT, () -> runs.get() >= 2);
  }

  @Test
  void runsNeverOverlapAndASlowRunDelaysTheNext() throws Exception {
    long interval = 15;
    long runMs = 40;
    List<long[]> runs = new CopyOnWriteArrayList<>(); // {start, end}
    AtomicInteger active = new AtomicInteger();
    AtomicBoolean overlapped = new AtomicBoolean();
    start(1, interval, () -> {
      if (active.incrementAndGet() > 1) {
        overlapped.set(true);
      }
      long[] run = {nowMs(), -1};
      runs.add(run);
      return after(runMs).onComplete(ar -> {
        run[1] = nowMs();
        active.decrementAndGet();
      });
    });
    Await.until("3 finished runs", TIMEOUT, () -> runs.size() >= 4);
    onContext(() -> {
      task.cancel();
      return null;
    });
    assertFalse(overlapped.get(), "a run started while another was in progress");
    for (int i = 1; i < 4; i++) {
      long[] previous = runs.get(i - 1);
      long[] run = runs.get(i);
      assertTrue(previous[1] >= 0, "run " + (i - 1) + " had ended before run " + i + " started");
      assertTrue(run[0] - previous[1] >= interval - SLACK_MS,
          "interval counted from the end of the previous run: " + (run[0] - previous[1]) + " ms");
      assertTrue(run[0] - previous[0] >= runMs + interval - SLACK_MS,
          "a slow run delays the next: " + (run[0] - previous[0]) + " ms between starts");
    }
    List<String> infos = messages(Level.INFO);
    assertTrue(infos.size() >= 3, "each overrun logged: " + infos);
    assertTrue(infos.get(0).matches("A->B test work took \\d+ ms, longer than its interval of 15 ms"), infos.get(0));
  }

  @Test
  void keepsRunningAfterAFailedRun() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    start(1, 10, () -> {
      int n = runs.incrementAndGet();
      if (n == 1) {
        return Future.failedFuture(new IllegalStateException("cluster A unreachable"));
      }
      if (n == 2) {
        throw new IllegalStateException("thrown, not returned");
      }
      return Future.succeededFuture();
    });
    Await.until("4 runs", TIMEOUT, () -> runs.get() >= 4);
    assertEquals(List.of("A->B test work failed, will retry: cluster A unreachable (repeats are logged every 30 s)"),
        messages(Level.WARN), "the first failure at WARN, the repeat throttled");
  }

  @Test
  void aFailureWithoutMessageIsLogged() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    start(1, 10, () -> runs.incrementAndGet() == 1 ? Future.failedFuture(new IllegalStateException())
        : Future.succeededFuture());
    Await.until("2 runs", TIMEOUT, () -> runs.get() >= 2);
    assertEquals(List.of("A->B test work failed, will retry: null (repeats are logged every 30 s)"),
        messages(Level.WARN));
  }

  @Test
  void stopsAfterCancel() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    start(1, 10, () -> {
      runs.incrementAndGet();
      return Future.succeededFuture();
    });
    Await.until("2 runs", TIMEOUT, () -> runs.get() >= 2);
    int atCancel = onContext(() -> {
      task.cancel();
      return runs.get();
    });
    pause(100);
    assertEquals(atCancel, runs.get(), "no run after cancel");
    onContext(() -> {
      task.cancel();
      return null;
    }); // idempotent
  }

  @Test
  void cancelBeforeTheFirstRun() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    onContext(() -> {
      PeriodicTask.start(vertx, "A->B test work", 30, 10, () -> {
        runs.incrementAndGet();
        return Future.succeededFuture();
      }, log).cancel();
      return null;
    });
    pause(80);
    assertEquals(0, runs.get());
  }

  @Test
  void aRunInProgressFinishesAfterCancelAndNoneFollows() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Promise<Void> slow = Promise.promise();
    start(1, 10, () -> runs.incrementAndGet() == 1 ? slow.future() : Future.succeededFuture());
    Await.until("the first run", TIMEOUT, () -> runs.get() == 1);
    onContext(() -> {
      task.cancel();
      slow.complete();
      return null;
    });
    pause(80);
    assertEquals(1, runs.get(), "no run scheduled after the cancelled run ended");
  }

  /**
   * "setTimer fires there, so work runs there": also when a run's future is completed by another thread (a Kafka
   * client callback completing a plain promise).
   * <p>
   * Fails: the run's {@code onComplete} runs on the completing thread, whose {@code vertx.setTimer} schedules the
   * next run on another (new) context; {@code timer} and {@code cancelled} are then also touched off the context.
   */
  @Test
  void runsStayOnTheContextWhenARunCompletesElsewhere() throws Exception {
    List<Context> ranOn = new CopyOnWriteArrayList<>();
    start(1, 10, () -> {
      ranOn.add(Vertx.currentContext());
      Promise<Void> p = Promise.promise();
      new Thread(p::complete, "client-network-thread").start();
      return p.future();
    });
    Await.until("3 runs", TIMEOUT, () -> ranOn.size() >= 3);
    for (Context c : ranOn) {
      assertSame(context, c, "a run on " + c);
    }
  }
}
