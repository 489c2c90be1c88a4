package io.vmm.progress;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The merge rule of taking over from a Connect-mode MM2's offsets topic. */
class TakeOverTest {

  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);
  private static final TopicPartition U0 = new TopicPartition("u", 0);

  @Test
  void theLaterPositionWinsConnectFillsTheGaps() {
    TakeOver.Merged m = TakeOver.merge(Map.of(T0, 10L), Map.of(T0, 50L, T1, 7L));
    assertEquals(Map.of(T0, 50L, T1, 7L), m.progress(), "the Connect entry is later: MM2 ran on after us");
    assertEquals(Map.of(T0, 50L, T1, 7L), m.takenOver());
  }

  @Test
  void ownHigherOrEqualIsKept() {
    TakeOver.Merged m = TakeOver.merge(Map.of(T0, 90L, T1, 7L), Map.of(T0, 50L, T1, 7L));
    assertEquals(Map.of(T0, 90L, T1, 7L), m.progress(), "ours is later: handed back from MM2 to us");
    assertEquals(Map.of(), m.takenOver());
  }

  @Test
  void emptySides() {
    assertEquals(Map.of(), TakeOver.merge(Map.of(), Map.of()).progress());
    assertEquals(Map.of(U0, 3L), TakeOver.merge(Map.of(), Map.of(U0, 3L)).progress());
    assertEquals(Map.of(U0, 3L), TakeOver.merge(Map.of(), Map.of(U0, 3L)).takenOver());
    assertEquals(Map.of(U0, 3L), TakeOver.merge(Map.of(U0, 3L), Map.of()).progress());
  }

  @Test
  void negativeConnectOffsetIsIgnored() {
    assertEquals(Map.of(), TakeOver.merge(Map.of(), Map.of(T0, -1L)).progress());
  }

  @Test
  void noConnectTopicOrTheOwnTopicMeansNoTakeOver() {
    assertNull(new TakeOver("A->B", "A", "B", null, "mm2-offsets.A.internal").connectTopic());
    assertNull(new TakeOver("A->B", "A", "B", " ", "mm2-offsets.A.internal").connectTopic());
    assertNull(new TakeOver("A->B", "A", "B", "mm2-offsets.A.internal", "mm2-offsets.A.internal").connectTopic());
    assertEquals("mirrormaker2-cluster-offsets", new TakeOver("A->B", "A", "B", "mirrormaker2-cluster-offsets",
        "mm2-offsets.A.internal").connectTopic());
  }

  @Test
  void applyMergesAndReturnsTheProgress() {
    TakeOver t = new TakeOver("A->B", "A", "B", "mirrormaker2-cluster-offsets", "mm2-offsets.A.internal");
    assertEquals(Map.of(T0, 10L, T1, 7L), t.apply(Map.of(T0, 10L), Map.of(T1, 7L)));
    assertEquals(Map.of(T0, 10L, T1, 8L), t.apply(Map.of(T0, 10L, T1, 8L), Map.of(T1, 7L)));
  }
}
