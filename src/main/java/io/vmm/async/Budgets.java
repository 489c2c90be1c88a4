package io.vmm.async;

/**
 * Every stop and timeout budget of a replica, in one place. The stop budgets derive from one shutdown budget, so
 * that a stop always ends inside it. A SIGTERM gives the process {@link #SHUTDOWN_MS}; the supervisor gives its flows {@link #FLOWS_MS}
 * (the rest closes the HTTP API and Vert.x). A flow stops in three stages that together fit in {@link #FLOWS_MS}:
 * its source tasks ({@link #TASK_MS}: drain, store progress, close the consumer), then everything the tasks used
 * (producers, offset-sync writer, discovery, syncs, monitors) in parallel ({@link #ROLE_MS} each), then the
 * checkpoint connector's final checkpoints from the offset syncs just written ({@link #FINAL_CHECKPOINT_MS}). A
 * task's stop in turn is {@link #DRAIN_MS} + {@link #FLUSH_MS} + {@link #CLOSE_MS}, below {@link #TASK_MS}.
 * <p>
 * All values are milliseconds. Constants only, but for {@link #autoRestartUnitMs()} (a test hook).
 */
public final class Budgets {

  /** What a SIGTERM allows the whole process: stop the flows, store progress, close Vert.x. */
  public static final long SHUTDOWN_MS = 10_000;
  /** The supervisor's bound on stopping every flow (they stop in parallel). */
  public static final long FLOWS_MS = SHUTDOWN_MS - 1_000;
  /** Stopping one role after the tasks: a producer (flushes what is queued), a writer, a sync, a monitor. */
  public static final long ROLE_MS = 2_500;
  /**
   * The checkpoint connector's final run at a clean stop or hand-over, after the source side stopped: read the
   * offset syncs to their end, list the groups' committed offsets, write the checkpoints and (when enabled) the
   * group offset sync. What is not done by then is logged and the stop goes on.
   */
  public static final long FINAL_CHECKPOINT_MS = 1_500;
  /**
   * Undeploying the checkpoint connector's verticle: its final run ({@link #FINAL_CHECKPOINT_MS}), then closing
   * its clients ({@link #ROLE_MS}).
   */
  public static final long CHECKPOINT_STOP_MS = FINAL_CHECKPOINT_MS + ROLE_MS;
  /** Stopping one source task: drain in-flight records, store progress, close the consumer. */
  public static final long TASK_MS = FLOWS_MS - ROLE_MS - FINAL_CHECKPOINT_MS;
  /** A stopping task waits this long for records in flight to be acknowledged. */
  public static final long DRAIN_MS = 3_000;
  /** A stopping task's final progress store. */
  public static final long FLUSH_MS = 1_500;
  /** A stopping task's consumer close. */
  public static final long CLOSE_MS = 500;
  /** A Kafka client's {@code close(timeout)} inside a role's stop: leaves room for the undeploy itself. */
  public static final long CLIENT_CLOSE_MS = ROLE_MS - 500;
  /**
   * Flushing and closing the OpenTelemetry SDK at stop (tracing on), in parallel with the HTTP and metrics
   * endpoints' undeploy; spans not exported by then are dropped (an unreachable collector cannot hold up a stop).
   */
  public static final long TRACING_CLOSE_MS = 500;
  /**
   * How soon a stop request is acted on in every phase (start-up, discovery, admin calls, retries, backoff): the
   * work in progress is abandoned through a {@link StopSignal}, not awaited. A bound the design keeps, not a timer.
   */
  public static final long STOP_REACTION_MS = 1_000;
  /** How often the main thread looks for a stop request while the supervisor starts, well below {@link #STOP_REACTION_MS}. */
  public static final long STOP_POLL_MS = 100;
  /**
   * The {@code Admin.close(timeout)} of a role's admin clients at stop: zero abandons their pending calls at once
   * (the calls' futures were already failed by the admins' {@link StopSignal}).
   */
  public static final long ADMIN_CLOSE_MS = 0;
  /**
   * Exactly-once: how long a transactional producer retries a {@code commitTransaction()} or
   * {@code abortTransaction()} that timed out (Kafka allows retrying both) before it gives up and fails its
   * task (the outcome is then unknown; a restart resumes from the committed progress), ms.
   */
  public static final long TXN_END_RETRY_MS = 30_000;
  /**
   * Exactly-once: the transactional producer's {@code max.block.ms} unless set explicitly: the longest single
   * blocking call ({@code initTransactions}, one commit or abort attempt, a {@code send} waiting for metadata), ms.
   */
  public static final long TXN_BLOCK_MS = 10_000;

  /** Closing Vert.x after the flows stopped: alone, and in cluster mode (leaving the cluster). */
  public static final long VERTX_CLOSE_MS = 500;
  public static final long VERTX_CLOSE_CLUSTERED_MS = 5_000;
  /**
   * How long the launcher ({@code io.vmm.launch.Launcher}) waits for the mirror's JVM it started, after passing
   * on a SIGTERM: the mirror's whole stop (cluster mode included) plus 2 s for the JVM's exit; then it kills it.
   */
  public static final long LAUNCHER_CHILD_STOP_MS = SHUTDOWN_MS + VERTX_CLOSE_CLUSTERED_MS + 2_000;

  /**
   * How long a source task waits for its producer's answer to one batch: the producer's own
   * {@code delivery.timeout.ms} plus a margin for the last record's callback, ms.
   */
  public static long producerRequestMs(long deliveryTimeoutMs) {
    return deliveryTimeoutMs + 30_000;
  }

  /** How long the first discovery of a flow may take: three admin round trips of {@code admin.timeout.ms}. */
  public static long discoveryMs(long adminTimeoutMs) {
    return adminTimeoutMs * 3;
  }

  /** How long a replica waits for another member to answer a status or control request, ms. */
  public static final long MEMBER_REQUEST_MS = 5_000;
  /** How long a replica waits for another member to release a unit (its task drains first), ms. */
  public static final long MEMBER_RELEASE_MS = 30_000;
  /** How long one readiness check of a cluster may take, ms. */
  public static final long PROBE_MS = 2_000;

  /** Reading the config file at start. */
  public static final long CONFIG_LOAD_MS = 30_000;
  /** Joining the Vert.x cluster at start. */
  public static final long CLUSTER_JOIN_MS = 120_000;
  /** Starting the supervisor: every flow started, or failed and scheduled for a retry. */
  public static final long START_MS = 600_000;
  /** The readiness check of {@code /health/ready}. */
  public static final long HEALTH_MS = 4_000;
  /** A status request from the HTTP API to the supervisor. */
  public static final long STATUS_MS = 10_000;
  /** A connector or task operation from the HTTP API (a restart stops and starts tasks). */
  public static final long OPERATION_MS = 60_000;

  /**
   * How long a pass-through producer waits (worker thread) for a target topic's {@code max.message.bytes} before
   * its first chunk; unknown after that, the chunk's batches go as records, ms.
   */
  public static final long TOPIC_LIMIT_WAIT_MS = 5_000;

  /**
   * The unit of Strimzi's {@code autoRestart} backoff (n·n+n units between restarts, at most 60), ms: one minute,
   * as in Strimzi, unless the system property {@code vmm.autoRestart.unitMs} sets another (tests set a few hundred
   * ms); values below 1 count as 1. The only place the property is read; read at each call, so a test may set it
   * before it starts a mirror in a JVM shared with other tests.
   */
  public static long autoRestartUnitMs() {
    return Math.max(1, Long.getLong("vmm.autoRestart.unitMs", 60_000L));
  }

  static {
    if (DRAIN_MS + FLUSH_MS + CLOSE_MS > TASK_MS || TASK_MS + ROLE_MS + FINAL_CHECKPOINT_MS > FLOWS_MS) {
      throw new AssertionError("stop budgets do not fit in the shutdown budget");
    }
  }

  private Budgets() {
  }
}
