package io.vmm.progress;

import io.vmm.bus.LogBounds;
import io.vmm.bus.PartitionStart;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start plan: stored progress (last written upstream offset) plus the source log bounds give one start per
 * partition; positions outside the log are reset to the log start and reported, never silently.
 */
class StartPlannerTest {

  static final Function<String, String> REMOTE = topic -> "A." + topic;
  static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
  static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
  static final TopicPartition PAYMENTS_0 = new TopicPartition("payments", 0);

  static StartPlanner.Plan plan(TopicPartition tp, Long stored, LogBounds bounds) {
    return StartPlanner.plan(List.of(tp), REMOTE, stored == null ? Map.of() : Map.of(tp, stored),
        bounds == null ? Map.of() : Map.of(tp, bounds));
  }

  static PartitionStart only(StartPlanner.Plan plan, TopicPartition tp) {
    assertEquals(List.of(tp), List.copyOf(plan.starts().keySet()));
    PartitionStart start = plan.starts().get(tp);
    assertEquals(tp, start.tp());
    return start;
  }

  @Test
  void noStoredProgressLeavesItToAutoOffsetReset() {
    for (LogBounds bounds : new LogBounds[]{null, new LogBounds(0, 0), new LogBounds(10, 100)}) {
      StartPlanner.Plan plan = plan(ORDERS_0, null, bounds);
      PartitionStart start = only(plan, ORDERS_0);
      assertEquals(-1, start.resumeAt(), "bounds " + bounds);
      assertEquals(-1, start.lastWritten(), "bounds " + bounds);
      assertEquals("A.orders", start.remoteTopic());
      assertTrue(plan.resets().isEmpty());
    }
  }

  @Test
  void storedInsideTheLogResumesRightAfterIt() {
    PartitionStart start = only(plan(ORDERS_0, 41L, new LogBounds(10, 100)), ORDERS_0);
    assertEquals(41, start.lastWritten());
    assertEquals(42, start.resumeAt());
  }

  @Test
  void caughtUpIsInside() {
    // stored + 1 == end: the next record to read is the next one the source will write
    StartPlanner.Plan plan = plan(ORDERS_0, 99L, new LogBounds(10, 100));
    PartitionStart start = only(plan, ORDERS_0);
    assertEquals(99, start.lastWritten());
    assertEquals(100, start.resumeAt());
    assertTrue(plan.resets().isEmpty());
  }

  @Test
  void nextToReadAtTheLogStartIsInside() {
    StartPlanner.Plan plan = plan(ORDERS_0, 9L, new LogBounds(10, 100));
    assertEquals(10, only(plan, ORDERS_0).resumeAt());
    assertTrue(plan.resets().isEmpty());
  }

  @Test
  void storedZeroIsProgress() {
    StartPlanner.Plan plan = plan(ORDERS_0, 0L, new LogBounds(0, 5));
    PartitionStart start = only(plan, ORDERS_0);
    assertEquals(0, start.lastWritten());
    assertEquals(1, start.resumeAt());
  }

  @Test
  void caughtUpOnAnEmptyLog() {
    // all records removed by retention, but every one was mirrored: [start, end) empty, start == end == stored + 1
    StartPlanner.Plan plan = plan(ORDERS_0, 49L, new LogBounds(50, 50));
    assertEquals(50, only(plan, ORDERS_0).resumeAt());
    assertTrue(plan.resets().isEmpty());
  }

  @Test
  void beyondTheLogEndResetsToTheLogStart() {
    // the topic was recreated: the stored offset 120 is far beyond the new log's end 30
    StartPlanner.Plan plan = plan(ORDERS_0, 120L, new LogBounds(5, 30));
    PartitionStart start = only(plan, ORDERS_0);
    assertEquals(5, start.resumeAt());
    assertEquals(start.resumeAt() - 1, start.lastWritten(), "consistent with resumeAt = lastWritten + 1");
    assertEquals("A.orders", start.remoteTopic());
    assertEquals(1, plan.resets().size());
    StartPlanner.Reset reset = plan.resets().get(0);
    assertEquals(ORDERS_0, reset.tp());
    assertEquals(120, reset.stored());
    assertEquals(5, reset.logStart());
    assertEquals(30, reset.logEnd());
    assertTrue(reset.reason().startsWith("beyond the log end"), reset.reason());
    assertEquals("beyond the log end (topic recreated or truncated)", reset.reason());
  }

  @Test
  void oneBeyondTheEndResets() {
    // stored == end: the next offset to read (end + 1) was never written
    StartPlanner.Plan plan = plan(ORDERS_0, 100L, new LogBounds(0, 100));
    assertEquals(0, only(plan, ORDERS_0).resumeAt());
    assertEquals(1, plan.resets().size());
    assertTrue(plan.resets().get(0).reason().startsWith("beyond the log end"));
  }

  @Test
  void beforeTheLogStartResetsToTheLogStart() {
    // retention removed offsets 8..19 before they were mirrored
    StartPlanner.Plan plan = plan(ORDERS_0, 7L, new LogBounds(20, 100));
    PartitionStart start = only(plan, ORDERS_0);
    assertEquals(20, start.resumeAt());
    assertEquals(19, start.lastWritten());
    assertEquals(1, plan.resets().size());
    StartPlanner.Reset reset = plan.resets().get(0);
    assertEquals(new StartPlanner.Reset(ORDERS_0, 7, 20, 100,
        "before the log start (records removed by retention before they were mirrored)"), reset);
    assertTrue(reset.reason().startsWith("before the log start"), reset.reason());
  }

  @Test
  void unknownBoundsUseTheStoredProgress() {
    StartPlanner.Plan plan = StartPlanner.plan(List.of(ORDERS_0, ORDERS_1), REMOTE,
        Map.of(ORDERS_0, 1_000_000L, ORDERS_1, 3L), Map.of(ORDERS_1, new LogBounds(10, 20)));
    assertEquals(1_000_001, plan.starts().get(ORDERS_0).resumeAt(), "no bounds for orders-0: trusted");
    assertEquals(1_000_000, plan.starts().get(ORDERS_0).lastWritten());
    assertEquals(10, plan.starts().get(ORDERS_1).resumeAt(), "orders-1 is before its log start");
    assertEquals(List.of(ORDERS_1), plan.resets().stream().map(StartPlanner.Reset::tp).toList());
  }

  @Test
  void startsFollowTheInputOrder() {
    List<TopicPartition> input = new ArrayList<>();
    for (int p = 9; p >= 0; p--) {
      input.add(new TopicPartition(p % 2 == 0 ? "payments" : "orders", p));
    }
    input.add(new TopicPartition("zeta", 0));
    input.add(new TopicPartition("alpha", 3));
    StartPlanner.Plan plan = StartPlanner.plan(input, REMOTE, Map.of(), Map.of());
    assertEquals(input, List.copyOf(plan.starts().keySet()));
    assertEquals(input, plan.starts().values().stream().map(PartitionStart::tp).toList());
  }

  @Test
  void resetsFollowTheInputOrder() {
    List<TopicPartition> input = List.of(PAYMENTS_0, ORDERS_1, ORDERS_0);
    StartPlanner.Plan plan = StartPlanner.plan(input, REMOTE,
        Map.of(PAYMENTS_0, 500L, ORDERS_1, 1L, ORDERS_0, 500L),
        Map.of(PAYMENTS_0, new LogBounds(0, 10), ORDERS_1, new LogBounds(5, 10), ORDERS_0, new LogBounds(0, 10)));
    assertEquals(input, plan.resets().stream().map(StartPlanner.Reset::tp).toList());
  }

  @Test
  void remoteTopicNamesComeFromTheFunction() {
    StartPlanner.Plan plan = StartPlanner.plan(List.of(ORDERS_0, PAYMENTS_0, ORDERS_1),
        topic -> topic.equals("orders") ? "src_orders" : topic, Map.of(ORDERS_1, 120L),
        Map.of(ORDERS_1, new LogBounds(0, 10)));
    assertEquals("src_orders", plan.starts().get(ORDERS_0).remoteTopic());
    assertEquals("payments", plan.starts().get(PAYMENTS_0).remoteTopic());
    assertEquals("src_orders", plan.starts().get(ORDERS_1).remoteTopic(), "also for a reset partition");
  }

  @Test
  void emptyInputEmptyPlan() {
    StartPlanner.Plan plan = StartPlanner.plan(List.of(), REMOTE, Map.of(ORDERS_0, 5L), Map.of());
    assertTrue(plan.starts().isEmpty());
    assertTrue(plan.resets().isEmpty());
  }

  @Test
  void storedProgressOfOtherPartitionsIsIgnored() {
    StartPlanner.Plan plan = StartPlanner.plan(List.of(ORDERS_0), REMOTE, Map.of(ORDERS_1, 5L),
        Map.of(ORDERS_1, new LogBounds(100, 200)));
    assertEquals(-1, only(plan, ORDERS_0).resumeAt());
    assertTrue(plan.resets().isEmpty());
  }

  @Test
  void describeBeyondTheEnd() {
    StartPlanner.Reset reset = plan(ORDERS_0, 120L, new LogBounds(5, 30)).resets().get(0);
    assertEquals("orders-0: stored progress (next offset 121) is beyond the log end (topic recreated or "
        + "truncated); source log is [5, 30); resuming at the log start 5", reset.describe());
  }

  @Test
  void describeBeforeTheStart() {
    StartPlanner.Reset reset = plan(PAYMENTS_0, 7L, new LogBounds(20, 100)).resets().get(0);
    assertEquals("payments-0: stored progress (next offset 8) is before the log start (records removed by "
        + "retention before they were mirrored); source log is [20, 100); resuming at the log start 20",
        reset.describe());
  }
}
