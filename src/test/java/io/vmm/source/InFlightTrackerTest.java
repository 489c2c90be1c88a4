package io.vmm.source;

import io.vmm.bus.BatchResult.PartitionResult;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contiguous-acknowledged-prefix rule: progress never passes a record the target has not acknowledged. */
class InFlightTrackerTest {

  static final TopicPartition TP = new TopicPartition("t", 0);

  static PartitionResult ok(long first, int n) {
    long[] up = new long[n];
    long[] down = new long[n];
    for (int i = 0; i < n; i++) {
      up[i] = first + i;
      down[i] = 1000 + first + i;
    }
    return new PartitionResult(TP, up, down, -1, null);
  }

  @Test
  void progressIsTheContiguousAcknowledgedPrefix() {
    InFlightTracker t = new InFlightTracker();
    t.add(TP, "A.t", 9);
    t.sent(TP, 0, 19, 10, 100);
    t.sent(TP, 1, 29, 10, 100);
    assertEquals(20, t.inFlightRecords());
    t.answered(1, ok(20, 10));
    assertEquals(9, t.get(TP).lastWritten, "batch 1 acked before batch 0: no progress yet");
    assertEquals(10, t.inFlightRecords(), "but its budget is free");
    t.answered(0, ok(10, 10));
    assertEquals(29, t.get(TP).lastWritten);
    assertEquals(0, t.inFlightRecords());
    assertEquals(Map.of(TP, 29L), t.unstored());
    t.stored(Map.of(TP, 29L));
    assertTrue(t.unstored().isEmpty());
  }

  @Test
  void failureStopsProgressBeforeTheFailedRecord() {
    InFlightTracker t = new InFlightTracker();
    t.add(TP, "A.t", -1);
    t.sent(TP, 0, 4, 5, 50);
    t.sent(TP, 1, 9, 5, 50);
    long[] up = {0, 1, 2, 3, 4};
    long[] down = {0, 1, -1, -1, -1};
    t.answered(0, new PartitionResult(TP, up, down, 2, new RuntimeException("RecordTooLarge")));
    assertTrue(t.get(TP).failed());
    assertEquals(1, t.get(TP).lastWritten);
    assertEquals(2, t.get(TP).failedOffset);
    t.answered(1, ok(5, 5));
    assertEquals(1, t.get(TP).lastWritten, "records after a failure never count");
    assertEquals(0, t.inFlightRecords());
    assertFalse(t.unstored().isEmpty());
  }

  /** Legacy MM1 abortOnSendFailure=false: a skipped record does not fail its chunk; progress passes it. */
  @Test
  void skippedRecordsDoNotStopTheAcknowledgedPrefix() {
    long skip = PartitionResult.SKIPPED;
    InFlightTracker t = new InFlightTracker();
    t.add(TP, "t", -1);
    t.sent(TP, 0, 4, 5, 50);
    t.sent(TP, 1, 9, 5, 50);
    PartitionResult skipped = new PartitionResult(TP, new long[]{0, 1, 2, 3, 4}, new long[]{0, 1, skip, 2, 3}, -1,
        new RuntimeException("RecordTooLarge"));
    assertEquals(1, skipped.skipped());
    assertEquals(4, skipped.acknowledged());
    assertEquals(4, skipped.lastAckedUpstream());
    t.answered(0, skipped);
    assertFalse(t.get(TP).failed());
    assertEquals(4, t.get(TP).lastWritten, "past the skipped record");

    // a skip then a failure in one chunk: progress passes the skip and stops before the failure
    t.answered(1, new PartitionResult(TP, new long[]{5, 6, 7, 8, 9}, new long[]{4, skip, 5, -1, -1}, 3,
        new RuntimeException("refused")));
    assertTrue(t.get(TP).failed());
    assertEquals(7, t.get(TP).lastWritten);
    assertEquals(8, t.get(TP).failedOffset);
    assertEquals(0, t.inFlightRecords());
  }

  @Test
  void rewindDropsWhatIsNotCommittedAndKeepsTheCommittedPrefix() {
    InFlightTracker t = new InFlightTracker();
    t.add(TP, "A.t", -1);
    t.sent(TP, 0, 0, 9, 10, 100);
    t.sent(TP, 1, 10, 19, 10, 100);
    t.sent(TP, 2, 20, 29, 10, 100);
    t.answered(0, ok(0, 10)); // committed
    assertEquals(9, t.get(TP).lastWritten);
    assertEquals(10, t.rewind(TP), "re-read from the first record not committed");
    assertEquals(9, t.get(TP).lastWritten, "the committed prefix stays");
    assertEquals(0, t.inFlightRecords());
    assertEquals(0, t.inFlightBytes());
    assertEquals(0, t.pendingRecords(TP));
    t.answered(2, ok(20, 10)); // a late answer for a dropped chunk is ignored
    assertEquals(9, t.get(TP).lastWritten);
    assertEquals(-1, t.rewind(TP), "nothing pending: nothing to re-read");
  }

  @Test
  void rewindWithoutACommittedRecordStartsAtTheFirstSent() {
    InFlightTracker t = new InFlightTracker();
    t.add(TP, "A.t", -1);
    t.sent(TP, 0, 42, 51, 10, 100);
    assertEquals(42, t.rewind(TP));
  }

  @Test
  void releaseFreesTheBudgetButKeepsTheChunkPending() {
    InFlightTracker t = new InFlightTracker();
    t.add(TP, "A.t", 4);
    t.sent(TP, 0, 5, 9, 5, 50);
    t.release(TP, 0);
    assertEquals(0, t.inFlightRecords());
    assertEquals(5, t.pendingRecords(TP), "counted as not stored in a stop report");
    t.release(TP, 0);
    assertEquals(0, t.inFlightRecords(), "released once");
    t.answered(0, ok(5, 5));
    assertEquals(0, t.inFlightRecords(), "budget not freed twice");
  }
}
