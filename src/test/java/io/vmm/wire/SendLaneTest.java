package io.vmm.wire;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A send lane's retry bookkeeping (pure logic; BatchSender drives it against real brokers in the pass-through ITs). */
class SendLaneTest {

  private static final TopicPartition TP = new TopicPartition("A.t", 0);

  private final List<String> calls = new ArrayList<>();

  /** A batch of {@code records} records, sent with {@code sequence} (or -1: queued, never sent). */
  private SendLane.Entry entry(SendLane lane, int records, int sequence) {
    RawBatch batch = new RawBatch(null, ByteBuffer.allocate(0), 0, records - 1);
    SendLane.Entry e = new SendLane.Entry(TP, batch, (offset, error) -> calls.add(sequence + ":" + offset + ":"
        + (error == null ? "ok" : error.getClass().getSimpleName())), 0);
    e.sequence = sequence;
    if (sequence >= 0) {
      lane.inFlight.add(e);
      lane.unanswered++;
    } else {
      lane.queued.add(e);
    }
    return e;
  }

  @Test
  void aRetryWaitsForEveryAnswerThenSendsTheSameSequencesFirstInOrder() {
    SendLane lane = new SendLane();
    SendLane.Entry first = entry(lane, 10, 0);
    SendLane.Entry second = entry(lane, 10, 10);
    SendLane.Entry fresh = entry(lane, 10, -1);
    lane.nextSequence = 20;
    lane.retrying = true;
    lane.unanswered--; // the first answered (retriable error); the second not yet
    assertEquals(-1, lane.requeue(1_000, 100));
    assertEquals(2, lane.inFlight.size(), "waits for the second answer");
    lane.unanswered--;
    assertEquals(-1, lane.requeue(1_000, 100), "same epoch");
    assertEquals(List.of(first, second, fresh), new ArrayList<>(lane.queued));
    assertEquals(List.of(0, 10, -1), lane.queued.stream().map(e -> e.sequence).toList());
    assertEquals(20, lane.nextSequence);
    assertEquals(1_100, lane.backoffUntil);
    assertFalse(lane.retrying);
    assertEquals(0, lane.bumps);
  }

  @Test
  void aGapNoEarlierBatchExplainsRestartsTheSequencesUnderTheNextEpoch() {
    SendLane lane = new SendLane();
    SendLane.Entry first = entry(lane, 10, 30);
    SendLane.Entry second = entry(lane, 5, 40);
    entry(lane, 5, -1);
    lane.nextSequence = 45;
    assertFalse(lane.earlierPending(first), "nothing before the first");
    assertTrue(lane.earlierPending(second), "the first is still pending");
    lane.retrying = true;
    lane.resequence = true;
    lane.unanswered = 0;
    assertEquals(3, lane.requeue(0, 0), "three batches go again under a new epoch");
    assertEquals(1, lane.bumps);
    assertEquals(0, lane.nextSequence);
    assertTrue(lane.queued.stream().allMatch(e -> e.sequence == -1), "stamped again from sequence 0");
    assertSame(first, lane.queued.peek());
    assertFalse(lane.resequence);
  }

  @Test
  void aFailureAnswersEveryBatchAndRefusesLaterOnes() {
    SendLane lane = new SendLane();
    SendLane.Entry sent = entry(lane, 10, 0);
    SendLane.Entry queued = entry(lane, 10, -1);
    OutOfOrderSequenceException cause = new OutOfOrderSequenceException("gap");
    lane.fail(cause);
    assertEquals(List.of("0:-1:OutOfOrderSequenceException", "-1:-1:OutOfOrderSequenceException"), calls);
    assertTrue(sent.batch.released() && queued.batch.released(), "buffers released");
    assertSame(cause, lane.failure);
    assertFalse(lane.busy());
    assertEquals(0, lane.unanswered);
  }

  @Test
  void aBatchStillInARequestKeepsItsBufferUntilTheAnswer() {
    SendLane lane = new SendLane();
    SendLane.Entry sent = entry(lane, 10, 0);
    sent.inRequest = true;
    lane.finish(sent, 7, null);
    assertEquals(List.of("0:7:ok"), calls);
    assertFalse(sent.batch.released(), "the network layer may still read it");
  }
}
