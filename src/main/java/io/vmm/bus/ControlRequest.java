package io.vmm.bus;

/**
 * A request from the HTTP API to this replica's supervisor on {@link Addresses#CONTROL}. Replies are JSON (a
 * status); failures carry the HTTP status to answer as failure code.
 *
 * @param op           {@code status}, {@code ready}, or a connector operation: {@code pause}, {@code resume},
 *                     {@code stop}, {@code restart}, {@code restart-task}, {@code pause-task}, {@code resume-task}
 * @param connector    Strimzi's connector name {@code A->B.MirrorSourceConnector}, or null
 * @param task         task id for task operations, else -1
 * @param includeTasks restart: also the tasks
 * @param onlyFailed   restart: only what is FAILED
 */
public record ControlRequest(String op, String connector, int task, boolean includeTasks, boolean onlyFailed) {

  /** A request without a connector ({@code status}, {@code ready}). */
  public static ControlRequest of(String op) {
    return new ControlRequest(op, null, -1, false, false);
  }
}
