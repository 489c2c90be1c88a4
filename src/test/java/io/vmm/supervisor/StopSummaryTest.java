package io.vmm.supervisor;

import io.vmm.bus.TaskStopReport;
import io.vmm.bus.TaskStopReport.Unstored;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a stop did not store, one line per flow; the exit code follows {@link StopSummary#allStored()}. */
class StopSummaryTest {

  private static Unstored u(int p, long resumeAt, long acked, long inFlight) {
    return new Unstored(new TopicPartition("t", p), resumeAt, acked, inFlight);
  }

  @Test
  void everythingStoredIsOneCleanStop() {
    StopSummary s = StopSummary.of(List.of(new TaskStopReport("A->B", "A->B#0", true, List.of()),
        new TaskStopReport("A->B", "A->B#1", true, List.of())), List.of(), 9_000);
    assertTrue(s.allStored());
    assertEquals(0, s.lines().size());
  }

  @Test
  void oneLinePerFlowWithPartitionsAndRecordsToRecopy() {
    StopSummary s = StopSummary.of(List.of(
        new TaskStopReport("A->B", "A->B#0", true, List.of(u(0, 120, 1000, 4000))),
        new TaskStopReport("A->B", "A->B#1", true, List.of(u(1, -1, 0, 1))),
        new TaskStopReport("C->B", "C->B#0", true, List.of())), List.of(), 9_000);
    assertFalse(s.allStored());
    assertEquals(List.of("A->B"), new ArrayList<>(s.lines().keySet()));
    assertEquals("A->B: progress not stored for 2 partitions (t-0 from 120, t-1 from its reset position); about 5001 "
        + "records will be mirrored again at the next start", s.lines().get("A->B"));
  }

  @Test
  void anUnfinishedTaskStopCountsAsNotStored() {
    StopSummary s = StopSummary.of(List.of(new TaskStopReport("A->B", "A->B#0", false, List.of(u(0, 5, 10, 0)))),
        List.of("A->B"), 9_000);
    assertEquals("A->B: the stop of A->B#0 did not finish in time; progress not stored for 1 partition (t-0 from 5); "
        + "about 10 records will be mirrored again at the next start", s.lines().get("A->B"));
  }

  @Test
  void aFlowThatDidNotStopInTimeCountsAsNotStored() {
    StopSummary s = StopSummary.notStopped(List.of("A->B", "B->A"), 9_500);
    assertEquals(2, s.lines().size());
    assertTrue(s.lines().get("B->A").startsWith("B->A: the stop did not finish within 9500 ms: progress not stored"),
        s.lines().get("B->A"));
  }

  @Test
  void namesAtMostFivePartitions() {
    List<Unstored> many = new ArrayList<>();
    for (int p = 0; p < 7; p++) {
      many.add(u(p, 1, 1, 0));
    }
    String line = StopSummary.of(List.of(new TaskStopReport("A->B", "A->B#0", true, many)), List.of(), 1)
        .lines().get("A->B");
    assertTrue(line.contains("t-4 from 1, and 2 more)"), line);
    assertTrue(line.contains("about 7 records"), line);
  }

  @Test
  void theLastReportOfATaskCountsAndAFinishedOneIsNotReplaced() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      StopReports reports = new StopReports(vertx.eventBus());
      reports.add(new TaskStopReport("A->B", "A->B#0", false, List.of(u(0, 0, 10, 10))));
      reports.add(new TaskStopReport("A->B", "A->B#0", true, List.of()));
      reports.add(new TaskStopReport("A->B", "A->B#0", false, List.of(u(0, 0, 10, 10))));
      assertTrue(reports.close(List.of(), 1).allStored());
    } finally {
      vertx.close();
    }
  }
}
