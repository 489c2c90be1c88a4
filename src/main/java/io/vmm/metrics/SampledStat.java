package io.vmm.metrics;

/**
 * Count, sum, min and max of recorded values over a sliding window of two samples of {@code windowMs} each,
 * plus the last value: the semantics of Kafka's {@code Sensor} stats that MM2's metrics use (defaults
 * {@code metrics.sample.window.ms} 30000, {@code metrics.num.samples} 2). A sample older than two windows no
 * longer counts.
 * <p>
 * Values are recorded in aggregates (n values with their sum, min and max), so a caller can fold a whole
 * batch first and record it once. Times are wall-clock milliseconds passed in by the caller.
 * <p>
 * Thread-safety: all methods are synchronized; writers record once per batch, readers are metric scrapes.
 */
public final class SampledStat {

  private final long windowMs;
  private final long[] start = new long[2];
  private final long[] count = new long[2];
  private final double[] sum = new double[2];
  private final double[] min = new double[2];
  private final double[] max = new double[2];
  private int current = -1;
  private double last = Double.NaN;
  private long total;

  /** A stat with Kafka's default 30 s windows. */
  public SampledStat() {
    this(30_000);
  }

  /** @param windowMs length of one sample window, ms */
  public SampledStat(long windowMs) {
    this.windowMs = windowMs;
  }

  /**
   * Records {@code n} values with the given sum, min and max; {@code last} becomes the plain value.
   * Does nothing for {@code n <= 0}.
   */
  public synchronized void record(long n, double sumOfValues, double minValue, double maxValue, double lastValue,
                                  long nowMs) {
    if (n <= 0) {
      return;
    }
    int s = sampleFor(nowMs);
    count[s] += n;
    sum[s] += sumOfValues;
    min[s] = Math.min(min[s], minValue);
    max[s] = Math.max(max[s], maxValue);
    last = lastValue;
    total += n;
  }

  /** Records one value. */
  public void record(double value, long nowMs) {
    record(1, value, value, value, value, nowMs);
  }

  private int sampleFor(long nowMs) {
    if (current < 0 || nowMs - start[current] >= windowMs) {
      current = current < 0 ? 0 : 1 - current;
      start[current] = nowMs;
      count[current] = 0;
      sum[current] = 0;
      min[current] = Double.POSITIVE_INFINITY;
      max[current] = Double.NEGATIVE_INFINITY;
    }
    return current;
  }

  private boolean live(int s, long nowMs) {
    return current >= 0 && count[s] > 0 && nowMs - start[s] < 2 * windowMs;
  }

  /** The last recorded value, or NaN before the first. */
  public synchronized double last() {
    return last;
  }

  /** Number of values ever recorded. */
  public synchronized long total() {
    return total;
  }

  /** Smallest value in the window, NaN when the window is empty. */
  public synchronized double min(long nowMs) {
    double m = Double.POSITIVE_INFINITY;
    for (int s = 0; s < 2; s++) {
      if (live(s, nowMs)) {
        m = Math.min(m, min[s]);
      }
    }
    return m == Double.POSITIVE_INFINITY ? Double.NaN : m;
  }

  /** Largest value in the window, NaN when the window is empty. */
  public synchronized double max(long nowMs) {
    double m = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < 2; s++) {
      if (live(s, nowMs)) {
        m = Math.max(m, max[s]);
      }
    }
    return m == Double.NEGATIVE_INFINITY ? Double.NaN : m;
  }

  /** Mean of the values in the window, NaN when the window is empty. */
  public synchronized double avg(long nowMs) {
    long n = 0;
    double s = 0;
    for (int i = 0; i < 2; i++) {
      if (live(i, nowMs)) {
        n += count[i];
        s += sum[i];
      }
    }
    return n == 0 ? Double.NaN : s / n;
  }

  /**
   * Sum of the values in the window per second, as Kafka's {@code Rate}: the elapsed time is counted from the
   * oldest live sample's start and is at least one full window (so a rate does not spike right after start).
   * 0 when nothing was recorded in the window.
   */
  public synchronized double ratePerSecond(long nowMs) {
    double s = 0;
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < 2; i++) {
      if (live(i, nowMs)) {
        s += sum[i];
        oldest = Math.min(oldest, start[i]);
      }
    }
    if (oldest == Long.MAX_VALUE) {
      return 0;
    }
    long elapsed = Math.max(nowMs - oldest, windowMs);
    return s * 1000.0 / elapsed;
  }
}
