package io.vmm.config;

/**
 * Strimzi's {@code autoRestart} of a connector: restart a FAILED connector or task after a growing backoff (at
 * once, then after n·n+n minutes: 2, 6, 12, 20, ... at most {@code maxBackoffMinutes} apart), up to
 * {@code maxRestarts} times (null: no limit). A successful run resets the count. The behaviour is
 * {@code io.vmm.connector.AutoRestart}'s.
 * <p>
 * Parsed from {@code {"enabled": bool, "maxRestarts": int >= 0, "maxBackoffMinutes": int >= 1}}: as in Strimzi,
 * {@code enabled} defaults to true when the object is present, and an absent object means no automatic restarts.
 *
 * @param enabled           {@code autoRestart.enabled}
 * @param maxRestarts       {@code autoRestart.maxRestarts}, or null for no limit
 * @param maxBackoffMinutes {@code autoRestart.maxBackoffMinutes} (recent Strimzi), the longest wait between two
 *                          restarts in backoff units (minutes); 60 by default
 */
public record AutoRestartSpec(boolean enabled, Integer maxRestarts, int maxBackoffMinutes) {

  /** Strimzi's default {@code maxBackoffMinutes}. */
  public static final int DEFAULT_MAX_BACKOFF_MINUTES = 60;

  /** No automatic restarts (the field is absent). */
  public static final AutoRestartSpec OFF = new AutoRestartSpec(false, null);

  /** With the default {@code maxBackoffMinutes} (60). */
  public AutoRestartSpec(boolean enabled, Integer maxRestarts) {
    this(enabled, maxRestarts, DEFAULT_MAX_BACKOFF_MINUTES);
  }
}
