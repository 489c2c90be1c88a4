package io.vmm.checkpoint;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** MM2's sync.group.offsets rules, by the target group's state. */
class GroupOffsetSyncTest {

  static final TopicPartition P0 = new TopicPartition("A.t", 0);
  static final TopicPartition P1 = new TopicPartition("A.t", 1);
  static final TopicPartition P2 = new TopicPartition("A.t", 2);
  static final Map<TopicPartition, Long> CHECKPOINTED = Map.of(P0, 30L, P1, 20L, P2, 10L);

  @Test
  void anAbsentGroupGetsEveryCheckpointedOffset() {
    Map<TopicPartition, OffsetAndMetadata> all = Map.of(P0, new OffsetAndMetadata(30), P1, new OffsetAndMetadata(20),
        P2, new OffsetAndMetadata(10));
    assertEquals(all, GroupOffsetSync.plan(GroupState.DEAD, Map.of(), CHECKPOINTED));
    assertEquals(all, GroupOffsetSync.plan(GroupState.UNKNOWN, Map.of(), CHECKPOINTED));
  }

  @Test
  void anEmptyGroupIsOnlyMovedForward() {
    Map<TopicPartition, OffsetAndMetadata> current = Map.of(P0, new OffsetAndMetadata(40), // ahead: left alone
        P1, new OffsetAndMetadata(5));                                                       // behind: moved up
    assertEquals(Map.of(P1, new OffsetAndMetadata(20), P2, new OffsetAndMetadata(10)),
        GroupOffsetSync.plan(GroupState.EMPTY, current, CHECKPOINTED));
    assertEquals(Map.of(), GroupOffsetSync.plan(GroupState.EMPTY, Map.of(P0, new OffsetAndMetadata(30),
        P1, new OffsetAndMetadata(20), P2, new OffsetAndMetadata(10)), CHECKPOINTED), "already there");
  }

  @Test
  void aGroupWithMembersIsLeftAlone() {
    assertNull(GroupOffsetSync.plan(GroupState.STABLE, Map.of(), CHECKPOINTED));
    assertNull(GroupOffsetSync.plan(GroupState.PREPARING_REBALANCE, Map.of(), CHECKPOINTED));
    assertNull(GroupOffsetSync.plan(GroupState.RECONCILING, Map.of(), CHECKPOINTED));
  }
}
