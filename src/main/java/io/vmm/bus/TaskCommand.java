package io.vmm.bus;

/**
 * To a running source task ({@link Addresses#taskControl}). Reply: the task's state afterwards,
 * {@code "RUNNING"} or {@code "PAUSED"}.
 */
public enum TaskCommand {
  /** Stop fetching; records in flight still complete and progress is still stored. */
  PAUSE,
  /** Fetch again, from where the task stopped. */
  RESUME
}
