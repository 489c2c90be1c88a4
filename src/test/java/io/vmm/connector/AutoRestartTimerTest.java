package io.vmm.connector;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vmm.async.OperationQueue;
import io.vmm.config.AutoRestartSpec;
import io.vmm.status.ConnectorStatus.AutoRestartStatus;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AutoRestartTimer on a real context with a 40 ms backoff unit: restarts a failing connector at once, then after
 * 2 and 6 units, stops at maxRestarts, does nothing unless armed, drops a pending restart when disarmed, and skips
 * a restart no longer needed when its turn comes.
 */
@ExtendWith(NoBlockedThreads.class)
class AutoRestartTimerTest {

  private static final long UNIT = 40;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static Vertx vertx;
  private static String previousUnit;

  @BeforeAll
  static void start() {
    previousUnit = System.getProperty("vmm.autoRestart.unitMs");
    System.setProperty("vmm.autoRestart.unitMs", Long.toString(UNIT));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (previousUnit == null) {
      System.clearProperty("vmm.autoRestart.unitMs");
    } else {
      System.setProperty("vmm.autoRestart.unitMs", previousUnit);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A connector that fails until {@code fixed}; each restart is recorded and fails again unless fixed. */
  private static final class Fake {
    final Context context = ((VertxInternal) vertx).createEventLoopContext();
    final AtomicBoolean failing = new AtomicBoolean();
    final AtomicBoolean fixed = new AtomicBoolean();
    final List<Long> restarts = new CopyOnWriteArrayList<>();
    final AutoRestartTimer timer;

    Fake(AutoRestartSpec spec) {
      FlowScope scope = new FlowScope(vertx, context, null, null, null, null, false, null, io.vmm.tracing.Tracing.disabled());
      OperationQueue queue = new OperationQueue(context);
      AutoRestartTimer[] self = new AutoRestartTimer[1];
      timer = new AutoRestartTimer(scope, queue, "A->B.MirrorSourceConnector", spec, failing::get, () -> {
        restarts.add(System.currentTimeMillis());
        Future<Void> done = vertx.timer(5).mapEmpty(); // a restart takes a moment
        return done.onComplete(ar -> {
          failing.set(!fixed.get());
          self[0].observe();
        });
      });
      self[0] = timer;
    }

    void on(Runnable r) {
      context.runOnContext(v -> r.run());
    }

    <T> T read(Supplier<T> s) {
      try {
        return Future.<T>future(p -> context.runOnContext(v -> p.complete(s.get()))).await(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError(e);
      }
    }

    void fail() {
      on(() -> {
        failing.set(true);
        timer.observe();
      });
    }
  }

  @Test
  void restartsAtOnceThenAfterTheBackoffUpToMaxRestarts() throws Exception {
    Fake f = new Fake(new AutoRestartSpec(true, 3));
    f.on(f.timer::arm);
    long failedAt = System.currentTimeMillis();
    f.fail();
    Await.until("3 restarts", TIMEOUT, () -> f.restarts.size() == 3);
    assertTrue(f.restarts.get(0) - failedAt < 1_000, "the first restart is at once");
    // measured from the failure: a late first restart (a loaded machine) must not make the next gaps look short
    assertTrue(f.restarts.get(1) - failedAt >= 2 * UNIT, "then after 2 units");
    assertTrue(f.restarts.get(2) - failedAt >= (2 + 6) * UNIT, "then after 6 more units");
    Thread.sleep(12 * UNIT + 200);
    assertEquals(3, f.restarts.size(), "no restart after maxRestarts");
    AutoRestartStatus status = f.read(() -> f.timer.status(System.currentTimeMillis()));
    assertEquals(3, status.count());
    assertEquals(f.restarts.get(2) / 1000, status.lastRestartMs() / 1000);
    assertEquals(-1, status.nextRestartMs(), "none due");
    assertEquals("A->B.MirrorSourceConnector", status.connectorName());
  }

  @Test
  void pendingRestartShowsInTheStatus() {
    Fake f = new Fake(new AutoRestartSpec(true, null, 1_000));
    f.on(f.timer::arm);
    f.fail();
    Await.until("the first restart", TIMEOUT, () -> f.restarts.size() == 1);
    AutoRestartStatus status = Await.value("a restart due", TIMEOUT, () -> {
      AutoRestartStatus s = f.read(() -> f.timer.status(System.currentTimeMillis()));
      return s.nextRestartMs() >= 0 ? s : null;
    });
    assertEquals(1, status.count());
    assertEquals(status.lastRestartMs() + 2 * UNIT, status.nextRestartMs());
    f.on(f.timer::disarm);
  }

  @Test
  void aFixedConnectorStopsBeingRestartedAndItsCountResets() {
    Fake f = new Fake(new AutoRestartSpec(true, null));
    f.on(f.timer::arm);
    f.fail();
    Await.until("2 restarts", TIMEOUT, () -> f.restarts.size() == 2);
    f.fixed.set(true);
    Await.until("the count reset after a run of 6 units", TIMEOUT,
        () -> f.read(() -> f.timer.status(System.currentTimeMillis())).count() == 0);
    assertTrue(f.restarts.size() <= 3, f.restarts.toString());
  }

  @Test
  void notArmedMeansNoRestart() throws Exception {
    Fake f = new Fake(new AutoRestartSpec(true, null));
    f.fail();
    Thread.sleep(200);
    assertEquals(0, f.restarts.size());
  }

  @Test
  void disarmDropsThePendingRestart() throws Exception {
    Fake f = new Fake(new AutoRestartSpec(true, null));
    f.on(f.timer::arm);
    f.fail();
    Await.until("the first restart", TIMEOUT, () -> f.restarts.size() == 1);
    Await.until("the next one due", TIMEOUT,
        () -> f.read(() -> f.timer.status(System.currentTimeMillis())).nextRestartMs() >= 0);
    f.on(f.timer::disarm);
    Thread.sleep(4 * UNIT + 200);
    assertEquals(1, f.restarts.size());
    assertEquals(-1, f.read(() -> f.timer.status(System.currentTimeMillis())).nextRestartMs());
  }

  @Test
  void disabledDoesNothingAndHasNoStatus() throws Exception {
    Fake f = new Fake(AutoRestartSpec.OFF);
    f.on(f.timer::arm);
    f.fail();
    Thread.sleep(200);
    assertEquals(0, f.restarts.size());
    assertNull(f.read(() -> f.timer.status(System.currentTimeMillis())));
  }

  @Test
  void aRestartNoLongerNeededIsSkipped() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    Fake f = new Fake(new AutoRestartSpec(true, null));
    f.on(f.timer::arm);
    f.fail();
    Await.until("the first restart", TIMEOUT, () -> f.restarts.size() == 1);
    Await.until("the next one due", TIMEOUT,
        () -> f.read(() -> f.timer.status(System.currentTimeMillis())).nextRestartMs() >= 0);
    f.on(() -> {
      f.failing.set(false); // restarted by hand meanwhile
      f.fixed.set(true);
      f.timer.observe();
      ran.incrementAndGet();
    });
    Thread.sleep(4 * UNIT + 200);
    assertEquals(1, ran.get());
    assertEquals(1, f.restarts.size());
  }
}
