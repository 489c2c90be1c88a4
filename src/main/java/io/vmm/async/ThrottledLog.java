package io.vmm.async;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A warning that repeats at most once per {@link #PERIOD_MS}: for failures that recur on every attempt (a poll,
 * a send, a refresh) while a cluster is unreachable. Repeats in between are logged at DEBUG. The first line says
 * how often repeats appear. Thread-safe (Kafka callbacks call it from their network threads).
 */
public final class ThrottledLog {

  /** The one period of every throttled warning, ms. */
  public static final long PERIOD_MS = 30_000;

  private final Logger log;
  private final AtomicLong lastMs = new AtomicLong(Long.MIN_VALUE / 2);

  public ThrottledLog(Logger log) {
    this.log = log;
  }

  /**
   * Logs {@code format} (SLF4J style, with " (repeats are logged every 30 s)" appended) at WARN unless it was
   * logged less than {@link #PERIOD_MS} ago.
   */
  public void warn(String format, Object... args) {
    long now = System.currentTimeMillis();
    long last = lastMs.get();
    if (now - last >= PERIOD_MS && lastMs.compareAndSet(last, now)) {
      log.warn(format + " (repeats are logged every " + PERIOD_MS / 1000 + " s)", args);
    } else if (log.isDebugEnabled()) {
      log.debug(format, args);
    }
  }
}
