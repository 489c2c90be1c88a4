package io.vmm.source;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vmm.bus.BatchResult.PartitionResult;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In-place rewinds of an exactly-once task: once per generation, back to the committed position. */
class RewindsTest {

  private static final TopicPartition TP = new TopicPartition("t", 0);
  private final InFlightTracker tracker = new InFlightTracker();
  private final FetchGate gate = new FetchGate(false);
  private final List<String> seeks = new ArrayList<>();
  private final List<Promise<Void>> pending = new ArrayList<>();
  private final Rewinds rewinds = new Rewinds("A->B#0", tracker, gate, (tp, offset) -> {
    seeks.add(tp + "@" + offset);
    Promise<Void> p = Promise.promise();
    pending.add(p);
    return p.future();
  }, s -> { });

  private static PartitionResult rewind(long from, int n) {
    long[] up = new long[n];
    for (int i = 0; i < n; i++) {
      up[i] = from + i;
    }
    return PartitionResult.rewind(TP, up, new IllegalStateException("aborted"));
  }

  private static PartitionResult ok(long from, int n) {
    long[] up = new long[n];
    long[] down = new long[n];
    for (int i = 0; i < n; i++) {
      up[i] = from + i;
      down[i] = 100 + from + i;
    }
    return new PartitionResult(TP, up, down, -1, null);
  }

  @Test
  void rewindsOncePerGenerationToTheCommittedPosition() {
    tracker.add(TP, "A.t", -1);
    tracker.sent(TP, 0, 0, 9, 10, 100);
    tracker.sent(TP, 1, 10, 19, 10, 100);
    tracker.sent(TP, 2, 20, 29, 10, 100);
    tracker.answered(0, ok(0, 10)); // committed
    rewinds.answered(1, rewind(10, 10), 0);
    assertEquals(List.of("t-0@10"), seeks, "back to the first record not committed");
    assertEquals(1, rewinds.generation(TP));
    assertTrue(gate.isPositioning(TP), "records polled before the seek are dropped");
    assertEquals(0, tracker.inFlightRecords());
    rewinds.answered(2, rewind(20, 10), 0); // the same abort, or polled before the rewind: ignored
    assertEquals(1, seeks.size());
    pending.get(0).complete();
    assertFalse(gate.isPositioning(TP));
    assertEquals(9, tracker.get(TP).lastWritten);
    assertEquals(1, rewinds.count());
  }

  @Test
  void aLaterAbortRewindsAgain() {
    tracker.add(TP, "A.t", 4);
    tracker.sent(TP, 0, 5, 9, 5, 50);
    rewinds.answered(0, rewind(5, 5), 0);
    pending.get(0).complete();
    tracker.sent(TP, 1, 5, 9, 5, 50);
    rewinds.answered(1, rewind(5, 5), 1);
    assertEquals(List.of("t-0@5", "t-0@5"), seeks);
    assertEquals(2, rewinds.generation(TP));
  }

  @Test
  void aStoppingTaskKeepsTheChunkPendingForItsStopReport() {
    tracker.add(TP, "A.t", 4);
    tracker.sent(TP, 0, 5, 9, 5, 50);
    gate.stop();
    rewinds.answered(0, rewind(5, 5), 0);
    assertTrue(seeks.isEmpty());
    assertEquals(0, tracker.inFlightRecords(), "the drain completes");
    assertEquals(5, tracker.pendingRecords(TP), "reported as not stored");
  }

  @Test
  void aFailedSeekFailsThePartition() {
    List<TopicPartition> failed = new ArrayList<>();
    Rewinds r = new Rewinds("A->B#0", tracker, gate, (tp, offset) -> Future.failedFuture("gone"),
        s -> failed.add(s.tp));
    tracker.add(TP, "A.t", 4);
    tracker.sent(TP, 0, 5, 9, 5, 50);
    r.answered(0, rewind(5, 5), 0);
    assertTrue(tracker.get(TP).failed());
    assertEquals(List.of(TP), failed);
  }
}
