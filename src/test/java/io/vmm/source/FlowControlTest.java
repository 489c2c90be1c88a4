package io.vmm.source;

import io.vmm.bus.BatchResult.PartitionResult;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flow control: pause at a high mark, resume only below half of every mark, FAILED stays paused. */
class FlowControlTest {

  static final TopicPartition A = new TopicPartition("t", 0);
  static final TopicPartition B = new TopicPartition("t", 1);

  static PartitionResult ok(TopicPartition tp, long first, int n) {
    long[] up = new long[n];
    long[] down = new long[n];
    for (int i = 0; i < n; i++) {
      up[i] = first + i;
      down[i] = first + i;
    }
    return new PartitionResult(tp, up, down, -1, null);
  }

  @Test
  void pausesAtThePartitionMarkAndResumesBelowHalf() {
    InFlightTracker t = new InFlightTracker();
    t.add(A, "A.t", -1);
    t.add(B, "A.t", -1);
    FlowControl fc = new FlowControl(10, 1_000, 10_000);
    t.sent(A, 0, 9, 10, 100);
    FlowControl.Changes c = fc.update(t);
    assertEquals(Set.of(A), c.pause());
    assertTrue(c.resume().isEmpty());
    assertTrue(fc.isPaused(A));
    assertFalse(fc.isPaused(B));
    assertEquals(1, fc.pauses());

    assertTrue(fc.update(t).pause().isEmpty(), "already paused: not again");
    assertEquals(1, fc.pauses());

    t.sent(A, 1, 15, 6, 60); // still 16 in flight
    t.answered(0, ok(A, 0, 10)); // 6 left: above half of 10
    assertTrue(fc.update(t).resume().isEmpty(), "6 > 10/2: stays paused");
    t.answered(1, ok(A, 10, 6));
    assertEquals(Set.of(A), fc.update(t).resume());
    assertFalse(fc.isPaused(A));
  }

  @Test
  void passThroughBatchesCountOnlyTheirBytes() {
    InFlightTracker t = new InFlightTracker();
    t.add(A, "A.t", -1);
    FlowControl fc = new FlowControl(10, 1_000, 10_000);
    t.sent(A, 0, 0, 99, 100, 0, 400); // 100 records, all in pass-through batches (400 stored bytes)
    assertTrue(fc.update(t).pause().isEmpty(), "no decoded record in flight: the record mark does not apply");
    t.sent(A, 1, 100, 109, 10, 10, 100); // 10 decoded records
    assertEquals(Set.of(A), fc.update(t).pause());
    t.answered(1, ok(A, 100, 10));
    assertEquals(Set.of(A), fc.update(t).resume(), "only the batches left: 400 bytes, below half of 1,000");
    t.sent(A, 2, 110, 609, 500, 0, 700); // 1,100 stored bytes in flight
    assertEquals(Set.of(A), fc.update(t).pause(), "the byte mark holds for batches");
  }

  @Test
  void theTaskMarkPausesEveryPartition() {
    InFlightTracker t = new InFlightTracker();
    t.add(A, "A.t", -1);
    t.add(B, "A.t", -1);
    FlowControl fc = new FlowControl(1_000, 1_000_000, 1_000);
    t.sent(A, 0, 0, 1, 999);
    assertTrue(fc.update(t).pause().isEmpty());
    t.sent(B, 0, 0, 1, 1);
    assertEquals(Set.of(A, B), fc.update(t).pause());
    t.answered(0, ok(A, 0, 1)); // 1 byte left over the task
    assertEquals(Set.of(A, B), fc.update(t).resume());
  }

  @Test
  void aFailedPartitionIsPausedAndNeverResumed() {
    InFlightTracker t = new InFlightTracker();
    t.add(A, "A.t", -1);
    FlowControl fc = new FlowControl(10, 1_000, 10_000);
    t.fail(A, new RuntimeException("refused"));
    assertEquals(Set.of(A), fc.update(t).pause());
    assertTrue(fc.update(t).resume().isEmpty());
    t.reset(A); // topic recreated: failure cleared
    assertEquals(Set.of(A), fc.update(t).resume());
  }
}
