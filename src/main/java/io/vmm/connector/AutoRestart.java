package io.vmm.connector;

import io.vmm.config.AutoRestartSpec;

/**
 * The count and backoff of Strimzi's {@code autoRestart} for one connector (its own failures and its tasks'), after
 * Strimzi's operator ({@code AutoRestart} in the KafkaMirrorMaker2 and KafkaConnector docs):
 * <ul>
 *   <li><b>Backoff.</b> With {@code n} restarts done, the next one is due {@code min(n·n+n, maxBackoff)} units
 *       after the last one: at once, then after 2, 6, 12, 20, 30, 42, 56, then every 60 units (one unit is a
 *       minute in Strimzi, {@code io.vmm.async.Budgets#autoRestartUnitMs()} here).</li>
 *   <li><b>Limit.</b> No restart once {@code count >= maxRestarts} (null: no limit; 0: never). The connector then
 *       stays FAILED until restarted by hand.</li>
 *   <li><b>Reset.</b> A successful run resets the count to 0. As in Strimzi, a run is successful when the connector
 *       has not been failing for at least the backoff that would precede the next restart
 *       ({@code min(n·n+n, maxBackoff)} units with {@code n} restarts done). Strimzi counts from the last restart;
 *       here the run counts from when the connector was last seen not failing after a failure or restart (a
 *       restart itself may take seconds while tasks drain, and counts as failing). It is checked when a failure
 *       starts (a failure later than that begins a fresh series: restart at once) and whenever the caller
 *       {@link #observe observes} a state that is not failing.</li>
 * </ul>
 * Pure: time comes in as epoch ms; no timers. Not thread-safe: owned by the flow runner's context.
 */
public final class AutoRestart {

  private final Integer maxRestarts;
  private final int maxBackoffUnits;
  private final long unitMs;
  private int count;
  private long lastRestartMs = -1;
  private boolean failing;
  private long runningSinceMs = -1;

  /**
   * @param spec   {@code maxRestarts} and {@code maxBackoffMinutes} (the {@code enabled} flag is the caller's)
   * @param unitMs one backoff unit, ms (a minute in production)
   */
  public AutoRestart(AutoRestartSpec spec, long unitMs) {
    this.maxRestarts = spec.maxRestarts();
    this.maxBackoffUnits = spec.maxBackoffMinutes();
    this.unitMs = unitMs;
  }

  /** Backoff units after {@code restarts} restarts: {@code min(n·n+n, maxBackoffUnits)}. */
  static long backoffUnits(int restarts, int maxBackoffUnits) {
    return Math.min((long) restarts * restarts + restarts, maxBackoffUnits);
  }

  /** The wait after the last restart before the next one (and the run that counts as successful), ms. */
  public long backoffMs() {
    return backoffUnits(count, maxBackoffUnits) * unitMs;
  }

  /** Restarts done in the current series. */
  public int count() {
    return count;
  }

  /** When the last automatic restart started (epoch ms), or -1 for none in this series. */
  public long lastRestartMs() {
    return lastRestartMs;
  }

  /** Whether {@code maxRestarts} is reached: no more automatic restarts until the count resets. */
  public boolean exhausted() {
    return maxRestarts != null && count >= maxRestarts;
  }

  /** The failing state last observed. */
  public boolean failing() {
    return failing;
  }

  /**
   * Records the connector's state at {@code nowMs}: {@code failing} when it (or one of its tasks) is FAILED and
   * its target state wants it to run, or while a restart is in progress. A failure that starts after a successful
   * run, or a run that has lasted long enough, resets the count (see the class comment).
   */
  public void observe(long nowMs, boolean failing) {
    if (!failing && (this.failing || runningSinceMs < 0)) {
      runningSinceMs = nowMs;
    }
    boolean successfulRun = count > 0 && runningSinceMs >= 0 && nowMs - runningSinceMs >= backoffMs();
    if (successfulRun && (!failing || !this.failing)) {
      count = 0;
      lastRestartMs = -1;
    }
    if (failing) {
      runningSinceMs = -1;
    }
    this.failing = failing;
  }

  /**
   * When the next restart is due (epoch ms, at least {@code nowMs}), or -1 when none is: not failing, or
   * {@link #exhausted}.
   */
  public long nextRestartAt(long nowMs) {
    if (!failing || exhausted()) {
      return -1;
    }
    return count == 0 ? nowMs : Math.max(nowMs, lastRestartMs + backoffMs());
  }

  /** An automatic restart starts at {@code nowMs}: the count goes up. */
  public void restarted(long nowMs) {
    count++;
    lastRestartMs = nowMs;
  }
}
