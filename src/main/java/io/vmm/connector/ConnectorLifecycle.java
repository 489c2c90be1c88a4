package io.vmm.connector;

import io.vmm.config.ConnectorState;

/**
 * The lifecycle of one connector of a flow, after Kafka Connect's {@code WorkerConnector}: a <b>target state</b>
 * (running, paused, stopped: from the config, then from the REST API or a reload) and the <b>reported state</b>
 * (Connect's UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED with an error). Pure: it decides which {@link Step} an
 * operation needs and records the outcome the caller reports back; it deploys nothing itself.
 * <p>
 * Two kinds, as in our flows:
 * <ul>
 *   <li><b>pausable</b> (MirrorSourceConnector): paused = deployed but not fetching; a pause or resume of a
 *       connector that is STOPPED or FAILED (or whose previous target was stopped) starts it, otherwise it
 *       pauses or resumes the tasks; FAILED survives a stop, so the failure stays visible until a restart or a
 *       resume clears it;</li>
 *   <li><b>not pausable</b> (MirrorCheckpointConnector, MirrorHeartbeatConnector): paused and stopped both mean
 *       not deployed; a stop reports the target state.</li>
 * </ul>
 * Invariants: the reported state is RUNNING only between {@link #started()} and the next {@link #stopped()} or
 * {@link #failed}; PAUSED only while the target is PAUSED (deployed for a pausable connector, not deployed for the
 * others); the error is non-null exactly while the state is FAILED. Not thread-safe: owned by the flow runner's
 * context.
 */
public final class ConnectorLifecycle {

  /** Reported states, as Kafka Connect names them. */
  public enum State { UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED }

  /** What the connector must do to apply an operation. */
  public enum Step {
    /** Start it (deploy its work) in the target state. */
    START,
    /** Stop it (undeploy its work, storing progress first). */
    STOP,
    /** Stop, then start again. */
    RESTART,
    /** Pause its deployed tasks. */
    PAUSE_TASKS,
    /** Resume its deployed tasks. */
    RESUME_TASKS,
    /** Restart only its FAILED tasks. */
    RESTART_FAILED_TASKS,
    /** Nothing to do. */
    NOTHING
  }

  private final boolean pausable;
  private ConnectorState target;
  private State state = State.UNASSIGNED;
  private String error;

  /**
   * @param pausable whether paused means "deployed, not fetching" (the source connector)
   * @param target   the target state at start (from the config)
   */
  public ConnectorLifecycle(boolean pausable, ConnectorState target) {
    this.pausable = pausable;
    this.target = target;
  }

  public ConnectorState target() {
    return target;
  }

  public State state() {
    return state;
  }

  /** The error while FAILED, else null. */
  public String error() {
    return error;
  }

  /** Its work is deployed: RUNNING, or PAUSED for a pausable connector (a paused singleton is not deployed). */
  public boolean isUp() {
    return state == State.RUNNING || (pausable && state == State.PAUSED);
  }

  /** True when the target state asks for work to be deployed (running; or paused for a pausable connector). */
  public boolean wantsWork() {
    return target == ConnectorState.RUNNING || (pausable && target == ConnectorState.PAUSED);
  }

  // ---------------------------------------------------------------------------------------------- operations

  /** A new target state (pause, resume, stop, or a reload's {@code state} field): the step that applies it. */
  public Step request(ConnectorState next) {
    ConnectorState before = target;
    target = next;
    switch (next) {
      case STOPPED:
        return Step.STOP;
      case PAUSED:
        if (!pausable) {
          return Step.STOP;
        }
        return before == ConnectorState.STOPPED || state == State.FAILED ? Step.START : Step.PAUSE_TASKS;
      default:
        if (!pausable) {
          return Step.START;
        }
        return before == ConnectorState.STOPPED || state == State.FAILED || state == State.STOPPED
            ? Step.START : Step.RESUME_TASKS;
    }
  }

  /**
   * A restart request (Connect's {@code POST /connectors/{name}/restart}): with {@code onlyFailed}, a connector
   * that is not FAILED restarts only its failed tasks (if {@code includeTasks}) or nothing.
   */
  public Step restart(boolean includeTasks, boolean onlyFailed) {
    if (onlyFailed && state != State.FAILED) {
      return includeTasks && pausable ? Step.RESTART_FAILED_TASKS : Step.NOTHING;
    }
    return Step.RESTART;
  }

  // ---------------------------------------------------------------------------------------------- outcomes

  /** Work is being deployed: UNASSIGNED, error cleared. */
  public void starting() {
    state = State.UNASSIGNED;
    error = null;
  }

  /** Work is deployed: RUNNING, or PAUSED for a pausable connector whose target is paused. */
  public void started() {
    state = pausable && target == ConnectorState.PAUSED ? State.PAUSED : State.RUNNING;
    error = null;
  }

  /** The start failed or the work failed: FAILED with {@code message}. */
  public void failed(String message) {
    state = State.FAILED;
    error = message == null ? "unknown error" : message;
  }

  /** Not started, by choice: the target state shows (STOPPED, or PAUSED for a connector that is not pausable). */
  public void idle() {
    state = target == ConnectorState.PAUSED ? State.PAUSED : target == ConnectorState.RUNNING
        ? State.UNASSIGNED : State.STOPPED;
    error = null;
  }

  /** Another replica runs it (cluster mode): UNASSIGNED here. */
  public void elsewhere() {
    if (state != State.FAILED || !pausable) {
      state = State.UNASSIGNED;
      error = null;
    }
  }

  /** Its work is undeployed: STOPPED when stopped on purpose, else UNASSIGNED (a pausable one keeps FAILED). */
  public void stopped() {
    if (pausable && state == State.FAILED) {
      return;
    }
    error = null;
    state = target == ConnectorState.STOPPED ? State.STOPPED
        : !pausable && target == ConnectorState.PAUSED ? State.PAUSED : State.UNASSIGNED;
  }

  /** Its tasks were paused. */
  public void paused() {
    if (state == State.RUNNING) {
      state = State.PAUSED;
    }
  }

  /** Its tasks were resumed. */
  public void resumed() {
    if (state == State.PAUSED) {
      state = State.RUNNING;
    }
  }

  /**
   * Why this connector makes the flow not ready, or null: it is not in the state its target asks for (paused
   * counts as ready only for a pausable connector).
   *
   * @param name the connector's name, {@code A->B.MirrorSourceConnector}
   */
  public String readinessProblem(String name) {
    State expected = target == ConnectorState.RUNNING ? State.RUNNING
        : pausable && target == ConnectorState.PAUSED ? State.PAUSED : null;
    if (expected == null || expected == state) {
      return null;
    }
    return name + " is " + state + (expected == State.RUNNING ? "" : ", wanted " + expected)
        + (error == null ? "" : ": " + error);
  }
}
