package io.vmm.config;

/**
 * Strimzi's {@code autoRestart} of a connector: restart a FAILED connector or task after a growing backoff (at
 * once, then after n·n+n minutes: 2, 6, 12, 20, ... at most 60 minutes apart), up to {@code maxRestarts} times
 * (null: no limit). A successful run resets the count.
 *
 * @param enabled     {@code autoRestart.enabled}
 * @param maxRestarts {@code autoRestart.maxRestarts}, or null for no limit
 */
public record AutoRestartSpec(boolean enabled, Integer maxRestarts) {

  /** No automatic restarts (the field is absent). */
  public static final AutoRestartSpec OFF = new AutoRestartSpec(false, null);
}
