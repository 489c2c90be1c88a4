package io.vmm.checkpoint;

import io.vmm.checkpoint.CheckpointLedger.Checkpointed;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MM2's "is this checkpoint worth writing" rule and the ledger around it. */
class CheckpointLedgerTest {

  static final TopicPartition REMOTE = new TopicPartition("A.t", 0);

  @Test
  void firstRewindOrDownstreamProgressAreWorthWriting() {
    assertTrue(CheckpointLedger.worthWriting(null, 10, 9), "the first checkpoint");
    Checkpointed previous = new Checkpointed(100, 90);
    assertTrue(CheckpointLedger.worthWriting(previous, 50, 45), "the group rewound upstream");
    assertTrue(CheckpointLedger.worthWriting(previous, 50, 95), "rewound upstream, whatever downstream says");
    assertTrue(CheckpointLedger.worthWriting(previous, 120, 110), "downstream increased");
    assertTrue(CheckpointLedger.worthWriting(previous, 100, 91), "same upstream, better translation");
  }

  @Test
  void nothingNewOrBackwardsIsNotWritten() {
    Checkpointed previous = new Checkpointed(100, 90);
    assertFalse(CheckpointLedger.worthWriting(previous, 100, 90), "the same checkpoint again");
    assertFalse(CheckpointLedger.worthWriting(previous, 110, 90), "upstream moved, downstream did not");
    assertFalse(CheckpointLedger.worthWriting(previous, 110, 85), "a checkpoint never moves backwards");
  }

  @Test
  void ledgerKeepsTheLatestPerGroupAndPartition() {
    CheckpointLedger ledger = new CheckpointLedger();
    assertTrue(ledger.isEmpty());
    assertTrue(ledger.worthWriting("g", REMOTE, 10, 9));
    ledger.record("g", REMOTE, 10, 9);
    assertFalse(ledger.worthWriting("g", REMOTE, 10, 9));
    assertTrue(ledger.worthWriting("other", REMOTE, 10, 9), "per group");
    assertTrue(ledger.worthWriting("g", new TopicPartition("A.t", 1), 10, 9), "per partition");
    ledger.record("g", REMOTE, 20, 19);
    assertEquals(new Checkpointed(20, 19), ledger.get("g", REMOTE));
    assertNull(ledger.get("other", REMOTE));
    Map<String, Map<TopicPartition, Long>> offsets = ledger.downstreamOffsets();
    assertEquals(Map.of("g", Map.of(REMOTE, 19L)), offsets);
    offsets.get("g").put(REMOTE, 0L);
    assertEquals(19L, ledger.downstreamOffsets().get("g").get(REMOTE), "a copy");
  }
}
