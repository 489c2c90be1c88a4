package io.vmm.source;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fetch gate: what a pause, a resume, a seek and a stop mean for records polled meanwhile. */
class FetchGateTest {

  static final TopicPartition A = new TopicPartition("t", 0);
  static final TopicPartition B = new TopicPartition("t", 1);

  @Test
  void resumeRewindsToTheFirstRecordDroppedWhilePaused() {
    FetchGate g = new FetchGate(false);
    assertTrue(g.fetching());
    assertTrue(g.pause());
    assertFalse(g.pause(), "already paused");
    g.droppedWhilePaused(A, 10);
    g.droppedWhilePaused(A, 20);
    g.droppedWhilePaused(B, 5);
    assertEquals(Optional.of(Map.of(A, 10L, B, 5L)), g.resume());
    assertTrue(g.fetching());
    assertEquals(Optional.empty(), g.resume(), "not paused: no change");
    assertTrue(g.pause());
    assertEquals(Optional.of(Map.of()), g.resume(), "rewinds are handed out once");
  }

  @Test
  void aPartitionBeingPositionedNeedsNoRewind() {
    FetchGate g = new FetchGate(true);
    assertTrue(g.paused());
    g.positioning(A);
    assertTrue(g.isPositioning(A));
    g.droppedWhilePaused(A, 10);
    g.droppedWhilePaused(B, 3);
    g.positioning(B); // a new position voids the remembered one
    g.positioned(A);
    g.positioned(B);
    assertFalse(g.isPositioning(A));
    assertEquals(Optional.of(Map.of()), g.resume());
  }

  @Test
  void stoppingIsFinal() {
    FetchGate g = new FetchGate(true);
    g.stop();
    assertTrue(g.stopping());
    assertFalse(g.fetching());
    assertEquals(Optional.empty(), g.resume());
    assertFalse(g.pause());
  }
}
