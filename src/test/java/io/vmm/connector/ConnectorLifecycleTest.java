package io.vmm.connector;

import io.vmm.config.ConnectorState;
import io.vmm.connector.ConnectorLifecycle.State;
import io.vmm.connector.ConnectorLifecycle.Step;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connector lifecycle after Kafka Connect's {@code WorkerConnector}: which step each target-state request and
 * restart needs from every reported state, what each outcome reports, the invariants, and the readiness texts.
 * Pure: no Vert.x.
 * <p>
 * A lifecycle is brought into a reported state the way the connectors do it (outcomes after operations), see
 * {@link #in}.
 */
class ConnectorLifecycleTest {

  static final String SOURCE = "A->B.MirrorSourceConnector";
  static final String CHECKPOINT = "A->B.MirrorCheckpointConnector";

  /**
   * A lifecycle with reported state {@code state} and target {@code target}, reached by the outcomes a connector
   * reports (not by reflection). Combinations that no sequence of outcomes reaches are rejected.
   */
  static ConnectorLifecycle in(boolean pausable, State state, ConnectorState target) {
    ConnectorLifecycle l = new ConnectorLifecycle(pausable, target);
    switch (state) {
      case UNASSIGNED -> l.starting();
      case RUNNING -> {
        // a pausable connector started with target PAUSED reports PAUSED: start running, then request the target
        l = new ConnectorLifecycle(pausable, ConnectorState.RUNNING);
        l.started();
        l.request(target);
      }
      case PAUSED -> {
        if (pausable) {
          l.started();
        } else {
          l.stopped();
        }
      }
      case STOPPED -> l.idle();
      case FAILED -> {
        l = new ConnectorLifecycle(pausable, ConnectorState.RUNNING);
        l.failed("boom");
        l.request(target);
      }
    }
    assertEquals(state, l.state(), "setup of " + state + "/" + target);
    assertEquals(target, l.target(), "setup of " + state + "/" + target);
    return l;
  }

  static void assertErrorExactlyWhileFailed(ConnectorLifecycle l) {
    if (l.state() == State.FAILED) {
      assertNotNull(l.error(), "FAILED without an error");
    } else {
      assertNull(l.error(), "error while " + l.state());
    }
  }

  // ------------------------------------------------------------------------------------------ request: pausable

  /**
   * The source connector (pausable). Not up (STOPPED, FAILED, or never started after a stop) -> START; up
   * (RUNNING/PAUSED) -> pause or resume its deployed tasks; STOPPED -> STOP from anywhere.
   * <p>
   * UNASSIGNED with a previous target RUNNING/PAUSED (before the first start, or after a stop on the way to a
   * restart or a failed flow start) only records the target: the pending start deploys in that target state. This
   * is the behaviour of the base commit's FlowRunner; see {@link #pausableNotUpUnassignedStartsPerClassJavadoc}.
   */
  @ParameterizedTest(name = "pausable {0}/{1} request {2} -> {3}")
  @CsvSource({
      // reported, previous target, requested, step
      "UNASSIGNED, RUNNING, RUNNING, RESUME_TASKS",
      "UNASSIGNED, RUNNING, PAUSED,  PAUSE_TASKS",
      "UNASSIGNED, RUNNING, STOPPED, STOP",
      "UNASSIGNED, PAUSED,  RUNNING, RESUME_TASKS",
      "UNASSIGNED, PAUSED,  PAUSED,  PAUSE_TASKS",
      "UNASSIGNED, PAUSED,  STOPPED, STOP",
      "UNASSIGNED, STOPPED, RUNNING, START",
      "UNASSIGNED, STOPPED, PAUSED,  START",
      "UNASSIGNED, STOPPED, STOPPED, STOP",
      "RUNNING,    RUNNING, RUNNING, RESUME_TASKS",
      "RUNNING,    RUNNING, PAUSED,  PAUSE_TASKS",
      "RUNNING,    RUNNING, STOPPED, STOP",
      "RUNNING,    PAUSED,  RUNNING, RESUME_TASKS",
      "RUNNING,    PAUSED,  PAUSED,  PAUSE_TASKS",
      "RUNNING,    PAUSED,  STOPPED, STOP",
      "PAUSED,     PAUSED,  RUNNING, RESUME_TASKS",
      "PAUSED,     PAUSED,  PAUSED,  PAUSE_TASKS",
      "PAUSED,     PAUSED,  STOPPED, STOP",
      "STOPPED,    STOPPED, RUNNING, START",
      "STOPPED,    STOPPED, PAUSED,  START",
      "STOPPED,    STOPPED, STOPPED, STOP",
      "FAILED,     RUNNING, RUNNING, START",
      "FAILED,     RUNNING, PAUSED,  START",
      "FAILED,     RUNNING, STOPPED, STOP",
      "FAILED,     PAUSED,  RUNNING, START",
      "FAILED,     PAUSED,  PAUSED,  START",
      "FAILED,     PAUSED,  STOPPED, STOP",
      "FAILED,     STOPPED, RUNNING, START",
      "FAILED,     STOPPED, PAUSED,  START",
      "FAILED,     STOPPED, STOPPED, STOP",
  })
  void pausableRequest(State state, ConnectorState before, ConnectorState next, Step step) {
    ConnectorLifecycle l = in(true, state, before);
    assertEquals(step, l.request(next));
    assertEquals(next, l.target(), "the request sets the target");
    assertEquals(state, l.state(), "a request changes no reported state: the outcome does");
  }

  // ------------------------------------------------------------------------------------------ request: not pausable

  /** Checkpoint/heartbeat connectors: paused and stopped both mean not deployed; running means deploy. */
  @ParameterizedTest(name = "not pausable {0}/{1} request {2} -> {3}")
  @CsvSource({
      "UNASSIGNED, RUNNING, RUNNING, START",
      "UNASSIGNED, RUNNING, PAUSED,  STOP",
      "UNASSIGNED, RUNNING, STOPPED, STOP",
      "RUNNING,    RUNNING, RUNNING, START",
      "RUNNING,    RUNNING, PAUSED,  STOP",
      "RUNNING,    RUNNING, STOPPED, STOP",
      "PAUSED,     PAUSED,  RUNNING, START",
      "PAUSED,     PAUSED,  PAUSED,  STOP",
      "PAUSED,     PAUSED,  STOPPED, STOP",
      "STOPPED,    STOPPED, RUNNING, START",
      "STOPPED,    STOPPED, PAUSED,  STOP",
      "STOPPED,    STOPPED, STOPPED, STOP",
      "FAILED,     RUNNING, RUNNING, START",
      "FAILED,     RUNNING, PAUSED,  STOP",
      "FAILED,     RUNNING, STOPPED, STOP",
  })
  void notPausableRequest(State state, ConnectorState before, ConnectorState next, Step step) {
    ConnectorLifecycle l = in(false, state, before);
    assertEquals(step, l.request(next));
    assertEquals(next, l.target());
    assertEquals(state, l.state());
  }

  @Test
  void notPausableNeverPausesOrResumesTasks() {
    for (State s : new State[]{State.UNASSIGNED, State.RUNNING, State.STOPPED}) {
      ConnectorLifecycle l = in(false, s, s == State.STOPPED ? ConnectorState.STOPPED : ConnectorState.RUNNING);
      for (ConnectorState next : ConnectorState.values()) {
        Step step = l.request(next);
        assertFalse(step == Step.PAUSE_TASKS || step == Step.RESUME_TASKS, s + " -> " + next + ": " + step);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ restart

  @ParameterizedTest(name = "pausable={0}")
  @CsvSource({"true", "false"})
  void restartWithoutOnlyFailedAlwaysRestarts(boolean pausable) {
    for (State s : State.values()) {
      ConnectorLifecycle l = in(pausable, s, s == State.STOPPED ? ConnectorState.STOPPED
          : s == State.PAUSED ? ConnectorState.PAUSED : ConnectorState.RUNNING);
      assertEquals(Step.RESTART, l.restart(false, false), s.name());
      assertEquals(Step.RESTART, l.restart(true, false), s.name());
    }
  }

  @ParameterizedTest(name = "pausable={0}")
  @CsvSource({"true", "false"})
  void onlyFailedRestartsAFailedConnector(boolean pausable) {
    ConnectorLifecycle l = in(pausable, State.FAILED, ConnectorState.RUNNING);
    assertEquals(Step.RESTART, l.restart(false, true));
    assertEquals(Step.RESTART, l.restart(true, true));
  }

  @Test
  void onlyFailedOnAHealthySourceRestartsItsFailedTasksOrNothing() {
    for (State s : new State[]{State.UNASSIGNED, State.RUNNING, State.PAUSED, State.STOPPED}) {
      ConnectorLifecycle l = in(true, s, s == State.STOPPED ? ConnectorState.STOPPED
          : s == State.PAUSED ? ConnectorState.PAUSED : ConnectorState.RUNNING);
      assertEquals(Step.RESTART_FAILED_TASKS, l.restart(true, true), s.name());
      assertEquals(Step.NOTHING, l.restart(false, true), s.name());
    }
  }

  /** A singleton connector's only task failing fails the connector: a healthy one has no failed task to restart. */
  @Test
  void onlyFailedOnAHealthySingletonDoesNothing() {
    for (State s : new State[]{State.UNASSIGNED, State.RUNNING, State.PAUSED, State.STOPPED}) {
      ConnectorLifecycle l = in(false, s, s == State.STOPPED ? ConnectorState.STOPPED
          : s == State.PAUSED ? ConnectorState.PAUSED : ConnectorState.RUNNING);
      assertEquals(Step.NOTHING, l.restart(true, true), s.name());
      assertEquals(Step.NOTHING, l.restart(false, true), s.name());
    }
  }

  @Test
  void restartChangesNeitherTargetNorState() {
    ConnectorLifecycle l = in(true, State.FAILED, ConnectorState.PAUSED);
    l.restart(true, false);
    assertEquals(ConnectorState.PAUSED, l.target());
    assertEquals(State.FAILED, l.state());
    assertEquals("boom", l.error());
  }

  // ------------------------------------------------------------------------------------------ outcomes

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void startsUnassigned(boolean pausable) {
    ConnectorLifecycle l = new ConnectorLifecycle(pausable, ConnectorState.RUNNING);
    assertEquals(State.UNASSIGNED, l.state());
    assertNull(l.error());
    assertFalse(l.isUp());
    assertEquals(ConnectorState.RUNNING, l.target());
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void startingClearsAFailure(boolean pausable) {
    ConnectorLifecycle l = in(pausable, State.FAILED, ConnectorState.RUNNING);
    l.starting();
    assertEquals(State.UNASSIGNED, l.state());
    assertNull(l.error());
    assertFalse(l.isUp());
  }

  @Test
  void startedRunsOrPausesTheSource() {
    ConnectorLifecycle running = new ConnectorLifecycle(true, ConnectorState.RUNNING);
    running.starting();
    running.started();
    assertEquals(State.RUNNING, running.state());
    assertTrue(running.isUp());

    ConnectorLifecycle paused = new ConnectorLifecycle(true, ConnectorState.PAUSED);
    paused.starting();
    paused.started();
    assertEquals(State.PAUSED, paused.state(), "deployed, not fetching");
    assertTrue(paused.isUp());
    assertNull(paused.error());
  }

  @Test
  void startedSingletonRuns() {
    ConnectorLifecycle l = new ConnectorLifecycle(false, ConnectorState.RUNNING);
    l.starting();
    l.started();
    assertEquals(State.RUNNING, l.state());
    assertTrue(l.isUp());
    assertNull(l.error());
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void startedClearsAFailure(boolean pausable) {
    ConnectorLifecycle l = in(pausable, State.FAILED, ConnectorState.RUNNING);
    l.started();
    assertEquals(State.RUNNING, l.state());
    assertNull(l.error());
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void failedKeepsTheMessage(boolean pausable) {
    ConnectorLifecycle l = new ConnectorLifecycle(pausable, ConnectorState.RUNNING);
    l.started();
    l.failed("cluster A unreachable");
    assertEquals(State.FAILED, l.state());
    assertEquals("cluster A unreachable", l.error());
    assertFalse(l.isUp());
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void failedWithoutMessageStillHasAnError(boolean pausable) {
    ConnectorLifecycle l = new ConnectorLifecycle(pausable, ConnectorState.RUNNING);
    l.failed(null);
    assertEquals(State.FAILED, l.state());
    assertNotNull(l.error());
    assertFalse(l.error().isEmpty());
  }

  @ParameterizedTest(name = "pausable={0} target {1} -> {2}")
  @CsvSource({
      "true,  STOPPED, STOPPED",
      "false, STOPPED, STOPPED",
      "false, PAUSED,  PAUSED",
  })
  void idleShowsTheTarget(boolean pausable, ConnectorState target, State expected) {
    ConnectorLifecycle l = new ConnectorLifecycle(pausable, target);
    l.idle();
    assertEquals(expected, l.state());
    assertNull(l.error());
  }

  @Test
  void idleClearsASingletonFailure() {
    ConnectorLifecycle l = in(false, State.FAILED, ConnectorState.RUNNING);
    l.request(ConnectorState.STOPPED);
    l.idle();
    assertEquals(State.STOPPED, l.state());
    assertNull(l.error());
  }

  @Test
  void elsewhereIsUnassignedHere() {
    ConnectorLifecycle running = in(false, State.RUNNING, ConnectorState.RUNNING);
    running.elsewhere();
    assertEquals(State.UNASSIGNED, running.state());
    assertFalse(running.isUp());

    ConnectorLifecycle failed = in(false, State.FAILED, ConnectorState.RUNNING);
    failed.elsewhere();
    assertEquals(State.UNASSIGNED, failed.state(), "the other replica's state counts");
    assertNull(failed.error());
  }

  @ParameterizedTest(name = "pausable={0} target {1} -> {2}")
  @CsvSource({
      "true,  RUNNING, UNASSIGNED",
      "true,  PAUSED,  UNASSIGNED",
      "true,  STOPPED, STOPPED",
      "false, RUNNING, UNASSIGNED",
      "false, PAUSED,  PAUSED",
      "false, STOPPED, STOPPED",
  })
  void stoppedReportsStoppedOnPurposeElseUnassigned(boolean pausable, ConnectorState target, State expected) {
    ConnectorLifecycle l = new ConnectorLifecycle(pausable, ConnectorState.RUNNING);
    l.started();
    l.request(target);
    l.stopped();
    assertEquals(expected, l.state());
    assertNull(l.error());
  }

  @ParameterizedTest
  @EnumSource(ConnectorState.class)
  void pausableKeepsFailedThroughStopped(ConnectorState target) {
    ConnectorLifecycle l = new ConnectorLifecycle(true, ConnectorState.RUNNING);
    l.started();
    l.failed("task 0 failed");
    l.request(target);
    l.stopped();
    assertEquals(State.FAILED, l.state(), "the failure stays visible");
    assertEquals("task 0 failed", l.error());
    l.stopped();
    assertEquals(State.FAILED, l.state(), "also through a second stop");
  }

  @Test
  void pausableFailureClearedByResume() {
    ConnectorLifecycle l = in(true, State.FAILED, ConnectorState.STOPPED);
    assertEquals(Step.START, l.request(ConnectorState.RUNNING));
    l.starting();
    assertNull(l.error());
    l.started();
    assertEquals(State.RUNNING, l.state());
  }

  @Test
  void pausableFailureClearedByRestart() {
    ConnectorLifecycle l = in(true, State.FAILED, ConnectorState.RUNNING);
    assertEquals(Step.RESTART, l.restart(false, true));
    l.stopped(); // the restart's stop
    assertEquals(State.FAILED, l.state());
    l.starting(); // the restart's start
    assertEquals(State.UNASSIGNED, l.state());
    assertNull(l.error());
    l.started();
    assertEquals(State.RUNNING, l.state());
  }

  @ParameterizedTest
  @EnumSource(value = ConnectorState.class, names = {"PAUSED", "STOPPED"})
  void notPausableFailureEndsWithTheStop(ConnectorState target) {
    ConnectorLifecycle l = in(false, State.FAILED, ConnectorState.RUNNING);
    assertEquals(Step.STOP, l.request(target));
    l.stopped();
    assertEquals(State.valueOf(target.name()), l.state(), "a stop reports the target state");
    assertNull(l.error());
  }

  @Test
  void pauseAndResumeOfDeployedTasks() {
    ConnectorLifecycle l = in(true, State.RUNNING, ConnectorState.RUNNING);
    assertEquals(Step.PAUSE_TASKS, l.request(ConnectorState.PAUSED));
    l.paused();
    assertEquals(State.PAUSED, l.state());
    assertTrue(l.isUp());
    assertEquals(Step.RESUME_TASKS, l.request(ConnectorState.RUNNING));
    l.resumed();
    assertEquals(State.RUNNING, l.state());
    assertTrue(l.isUp());
  }

  @Test
  void pausedAndResumedChangeOnlyADeployedConnector() {
    for (State s : new State[]{State.UNASSIGNED, State.STOPPED, State.FAILED}) {
      ConnectorState target = s == State.STOPPED ? ConnectorState.STOPPED : ConnectorState.RUNNING;
      ConnectorLifecycle l = in(true, s, target);
      l.paused();
      assertEquals(s, l.state(), "paused() from " + s);
      l.resumed();
      assertEquals(s, l.state(), "resumed() from " + s);
    }
    ConnectorLifecycle paused = in(true, State.PAUSED, ConnectorState.PAUSED);
    paused.paused();
    assertEquals(State.PAUSED, paused.state());
    ConnectorLifecycle running = in(true, State.RUNNING, ConnectorState.RUNNING);
    running.resumed();
    assertEquals(State.RUNNING, running.state());
  }

  @Test
  void stoppedSourceStartsInItsTarget() {
    ConnectorLifecycle l = in(true, State.STOPPED, ConnectorState.STOPPED);
    assertEquals(Step.START, l.request(ConnectorState.PAUSED));
    l.starting();
    l.started();
    assertEquals(State.PAUSED, l.state(), "started positioned, not fetching");
  }

  @Test
  void wantsWork() {
    assertTrue(new ConnectorLifecycle(true, ConnectorState.RUNNING).wantsWork());
    assertTrue(new ConnectorLifecycle(true, ConnectorState.PAUSED).wantsWork());
    assertFalse(new ConnectorLifecycle(true, ConnectorState.STOPPED).wantsWork());
    assertTrue(new ConnectorLifecycle(false, ConnectorState.RUNNING).wantsWork());
    assertFalse(new ConnectorLifecycle(false, ConnectorState.PAUSED).wantsWork());
    assertFalse(new ConnectorLifecycle(false, ConnectorState.STOPPED).wantsWork());
  }

  /**
   * {@code isUp()}: "RUNNING or PAUSED: its work is deployed". A not-pausable connector paused is not deployed
   * (class Javadoc: "paused and stopped both mean not deployed"), yet reports PAUSED, so isUp() says it is up.
   * Harmless today (only the pausable SourceConnector calls isUp()), but the Javadoc promise does not hold.
   */
  @Test
  void pausedSingletonIsNotUp() {
    ConnectorLifecycle l = in(false, State.PAUSED, ConnectorState.PAUSED);
    assertFalse(l.isUp());
  }

  // ------------------------------------------------------------------------------------------ invariants

  /** Every outcome after every request, from every reachable state: the invariants hold throughout. */
  @ParameterizedTest(name = "pausable={0}")
  @CsvSource({"true", "false"})
  void invariantsHoldAfterEveryOutcome(boolean pausable) {
    String[] outcomes = {"starting", "started", "failed", "idle", "elsewhere", "stopped", "paused", "resumed"};
    for (ConnectorState initial : ConnectorState.values()) {
      for (ConnectorState next : ConnectorState.values()) {
        for (String first : outcomes) {
          for (String second : outcomes) {
            ConnectorLifecycle l = new ConnectorLifecycle(pausable, initial);
            apply(l, first);
            l.request(next);
            apply(l, second);
            String where = initial + " " + first + ", request " + next + ", " + second + ": " + l.state();
            if (l.state() == State.FAILED) {
              assertNotNull(l.error(), where);
            } else {
              assertNull(l.error(), where);
            }
            if (l.state() == State.PAUSED && !"paused".equals(second)) {
              // paused() follows only PAUSE_TASKS, which only a PAUSED target asks for
              assertEquals(ConnectorState.PAUSED, l.target(), where);
            }
            if (l.state() == State.PAUSED && "started".equals(second)) {
              assertTrue(pausable, "only a pausable connector starts PAUSED: " + where);
            }
          }
        }
      }
    }
  }

  @Test
  void pausedOnlyForAPausableWithTargetPausedWhenStarted() {
    for (ConnectorState target : ConnectorState.values()) {
      ConnectorLifecycle singleton = new ConnectorLifecycle(false, target);
      singleton.started();
      assertEquals(State.RUNNING, singleton.state(), "not pausable, target " + target);
      ConnectorLifecycle source = new ConnectorLifecycle(true, target);
      source.started();
      assertEquals(target == ConnectorState.PAUSED ? State.PAUSED : State.RUNNING, source.state(),
          "pausable, target " + target);
    }
  }

  private static void apply(ConnectorLifecycle l, String outcome) {
    switch (outcome) {
      case "starting" -> l.starting();
      case "started" -> l.started();
      case "failed" -> l.failed("boom");
      case "idle" -> l.idle();
      case "elsewhere" -> l.elsewhere();
      case "stopped" -> l.stopped();
      case "paused" -> l.paused();
      case "resumed" -> l.resumed();
      default -> throw new IllegalArgumentException(outcome);
    }
    assertErrorExactlyWhileFailed(l);
  }

  // ------------------------------------------------------------------------------------------ readiness

  @Nested
  class Readiness {

    @Test
    void runningAsWantedIsReady() {
      assertNull(in(true, State.RUNNING, ConnectorState.RUNNING).readinessProblem(SOURCE));
      assertNull(in(false, State.RUNNING, ConnectorState.RUNNING).readinessProblem(CHECKPOINT));
    }

    @Test
    void notYetRunning() {
      ConnectorLifecycle l = new ConnectorLifecycle(true, ConnectorState.RUNNING);
      assertEquals("A->B.MirrorSourceConnector is UNASSIGNED", l.readinessProblem(SOURCE));
      l.starting();
      assertEquals("A->B.MirrorSourceConnector is UNASSIGNED", l.readinessProblem(SOURCE));
    }

    @Test
    void failedShowsTheError() {
      ConnectorLifecycle l = in(true, State.FAILED, ConnectorState.RUNNING);
      assertEquals("A->B.MirrorSourceConnector is FAILED: boom", l.readinessProblem(SOURCE));
      ConnectorLifecycle c = in(false, State.FAILED, ConnectorState.RUNNING);
      assertEquals("A->B.MirrorCheckpointConnector is FAILED: boom", c.readinessProblem(CHECKPOINT));
    }

    @Test
    void pausedSourceIsReadyWhenPausedWanted() {
      assertNull(in(true, State.PAUSED, ConnectorState.PAUSED).readinessProblem(SOURCE));
    }

    @Test
    void pausedSourceNotReadyWhenRunningWanted() {
      ConnectorLifecycle l = in(true, State.PAUSED, ConnectorState.PAUSED);
      l.request(ConnectorState.RUNNING); // resume not yet applied
      assertEquals("A->B.MirrorSourceConnector is PAUSED", l.readinessProblem(SOURCE));
    }

    @Test
    void sourceWantedPausedButNotThere() {
      ConnectorLifecycle running = in(true, State.RUNNING, ConnectorState.PAUSED); // pause not yet applied
      assertEquals("A->B.MirrorSourceConnector is RUNNING, wanted PAUSED", running.readinessProblem(SOURCE));
      ConnectorLifecycle unassigned = new ConnectorLifecycle(true, ConnectorState.PAUSED);
      assertEquals("A->B.MirrorSourceConnector is UNASSIGNED, wanted PAUSED", unassigned.readinessProblem(SOURCE));
      ConnectorLifecycle failed = in(true, State.FAILED, ConnectorState.PAUSED);
      assertEquals("A->B.MirrorSourceConnector is FAILED, wanted PAUSED: boom", failed.readinessProblem(SOURCE));
    }

    @Test
    void stoppedOrPausedSingletonIsNotAReadinessConcern() {
      assertNull(in(false, State.PAUSED, ConnectorState.PAUSED).readinessProblem(CHECKPOINT));
      assertNull(in(false, State.STOPPED, ConnectorState.STOPPED).readinessProblem(CHECKPOINT));
      assertNull(new ConnectorLifecycle(false, ConnectorState.PAUSED).readinessProblem(CHECKPOINT));
    }

    @Test
    void stoppedSourceIsNotAReadinessConcern() {
      assertNull(in(true, State.STOPPED, ConnectorState.STOPPED).readinessProblem(SOURCE));
      assertNull(in(true, State.FAILED, ConnectorState.STOPPED).readinessProblem(SOURCE));
    }
  }
}
