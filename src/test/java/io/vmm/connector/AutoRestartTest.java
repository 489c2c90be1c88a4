package io.vmm.connector;

import io.vmm.config.AutoRestartSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AutoRestart: Strimzi's backoff (at once, then n·n+n units, at most 60), maxRestarts, and the reset after a
 * successful run (one that lasted the backoff before the next restart), with a 1000 ms unit.
 */
class AutoRestartTest {

  private static final long UNIT = 1_000;

  private static AutoRestart unlimited() {
    return new AutoRestart(new AutoRestartSpec(true, null), UNIT);
  }

  /** Fails at {@code now}, restarts when due, and the restart fails again at once; returns the restart time. */
  private static long failAndRestart(AutoRestart a, long now) {
    a.observe(now, true);
    long due = a.nextRestartAt(now);
    a.restarted(due);
    a.observe(due, true); // the restart itself counts as failing
    return due;
  }

  @Test
  void backoffUnitsFollowStrimzi() {
    List<Long> units = new ArrayList<>();
    for (int n = 0; n <= 10; n++) {
      units.add(AutoRestart.backoffUnits(n, 60));
    }
    assertEquals(List.of(0L, 2L, 6L, 12L, 20L, 30L, 42L, 56L, 60L, 60L, 60L), units);
    assertEquals(10L, AutoRestart.backoffUnits(5, 10), "maxBackoffMinutes caps it");
    assertEquals(60L, AutoRestart.backoffUnits(100_000, 60), "no overflow");
  }

  @Test
  void notFailingMeansNoRestart() {
    AutoRestart a = unlimited();
    a.observe(0, false);
    assertEquals(-1, a.nextRestartAt(0));
    assertEquals(0, a.count());
    assertEquals(-1, a.lastRestartMs());
  }

  @Test
  void firstRestartAtOnceThenTheBackoffAfterEachRestart() {
    AutoRestart a = unlimited();
    long now = 5_000;
    a.observe(now, true);
    assertEquals(now, a.nextRestartAt(now), "the first restart is at once");
    List<Long> restarts = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      long due = a.nextRestartAt(now);
      restarts.add(due);
      a.restarted(due);
      now = due + 10; // the restart fails again shortly after
      a.observe(now, true);
    }
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < restarts.size(); i++) {
      gaps.add((restarts.get(i) - restarts.get(i - 1)) / UNIT);
    }
    assertEquals(List.of(2L, 6L, 12L, 20L, 30L, 42L, 56L, 60L), gaps);
    assertEquals(9, a.count());
    assertEquals(restarts.get(8), a.lastRestartMs());
  }

  @Test
  void nextRestartIsNeverInThePast() {
    AutoRestart a = unlimited();
    long last = failAndRestart(a, 0);
    assertEquals(last + 2 * UNIT, a.nextRestartAt(last + 1));
    assertEquals(last + 10 * UNIT, a.nextRestartAt(last + 10 * UNIT), "overdue: now");
  }

  @Test
  void maxRestartsStopsTheRestarts() {
    AutoRestart a = new AutoRestart(new AutoRestartSpec(true, 2), UNIT);
    long t = failAndRestart(a, 0);
    assertFalse(a.exhausted());
    t = failAndRestart(a, t + 10);
    assertEquals(2, a.count());
    assertTrue(a.exhausted());
    assertEquals(-1, a.nextRestartAt(t + 3_600_000L), "no more restarts, however long it stays FAILED");
    a.observe(t + 3_600_000L, true);
    assertEquals(2, a.count(), "failing all along: no reset");
  }

  @Test
  void maxRestartsZeroNeverRestarts() {
    AutoRestart a = new AutoRestart(new AutoRestartSpec(true, 0), UNIT);
    a.observe(0, true);
    assertTrue(a.exhausted());
    assertEquals(-1, a.nextRestartAt(0));
  }

  @Test
  void aRunAsLongAsTheBackoffResetsTheCount() {
    AutoRestart a = unlimited();
    long t = failAndRestart(a, 0);
    t = failAndRestart(a, t + 10); // count 2: the next backoff is 6 units
    assertEquals(2, a.count());
    long running = t + 500; // the restart completed: running
    a.observe(running, false);
    a.observe(running + 6 * UNIT - 1, false);
    assertEquals(2, a.count(), "not long enough yet");
    a.observe(running + 6 * UNIT, false);
    assertEquals(0, a.count(), "ran for the whole backoff: reset");
    assertEquals(-1, a.lastRestartMs());
  }

  @Test
  void aFailureAfterASuccessfulRunRestartsAtOnce() {
    AutoRestart a = unlimited();
    long t = failAndRestart(a, 0);
    a.observe(t + 100, false); // running after the restart
    long later = t + 100 + 2 * UNIT + 1;
    a.observe(later, true); // first observed again only when it fails
    assertEquals(0, a.count(), "the run before this failure lasted the backoff");
    assertEquals(later, a.nextRestartAt(later));
  }

  @Test
  void aFailureSoonAfterARestartKeepsTheCount() {
    AutoRestart a = unlimited();
    long t = failAndRestart(a, 0);
    a.observe(t + 100, false);
    a.observe(t + 100 + UNIT, true); // ran 1 unit of the 2 needed
    assertEquals(1, a.count());
    assertEquals(t + 2 * UNIT, a.nextRestartAt(t + 100 + UNIT));
  }

  @Test
  void theRunCountsFromTheEndOfALongRestart() {
    AutoRestart a = unlimited();
    long t = failAndRestart(a, 0);
    a.observe(t + 5 * UNIT, true); // still restarting (tasks draining) long after the restart began
    a.observe(t + 5 * UNIT + 1, false); // running from here
    a.observe(t + 5 * UNIT + 1 + UNIT, true); // failed one unit later
    assertEquals(1, a.count(), "a long restart is not a successful run");
  }

  @Test
  void exhaustedThenSuccessfulRunStartsAFreshSeries() {
    AutoRestart a = new AutoRestart(new AutoRestartSpec(true, 1), UNIT);
    long t = failAndRestart(a, 0);
    assertTrue(a.exhausted());
    a.observe(t + 10, false); // restarted by hand, runs
    a.observe(t + 10 + 3 * UNIT, true); // fails long after
    assertFalse(a.exhausted());
    assertEquals(t + 10 + 3 * UNIT, a.nextRestartAt(t + 10 + 3 * UNIT));
  }
}
