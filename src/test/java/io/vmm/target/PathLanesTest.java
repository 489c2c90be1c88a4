package io.vmm.target;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.vmm.target.PathLanes.Kind.BATCHES;
import static io.vmm.target.PathLanes.Kind.RECORDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PathLanesTest {

  private static final TopicPartition TP = new TopicPartition("t", 0);
  private static final TopicPartition OTHER = new TopicPartition("t", 1);

  private final List<String> started = new ArrayList<>();
  private final PathLanes lanes = new PathLanes(Runnable::run);

  private void submit(TopicPartition tp, PathLanes.Kind kind, String name) {
    lanes.submit(tp, kind, () -> started.add(name));
  }

  @Test
  void sameKindRunsConcurrently() {
    submit(TP, BATCHES, "b1");
    submit(TP, BATCHES, "b2");
    assertEquals(List.of("b1", "b2"), started);
  }

  @Test
  void otherKindWaitsUntilEverySegmentInFlightAnswered() {
    submit(TP, BATCHES, "b1");
    submit(TP, BATCHES, "b2");
    submit(TP, RECORDS, "r3");
    submit(TP, BATCHES, "b4"); // behind r3, although batches run now
    assertEquals(List.of("b1", "b2"), started);
    lanes.done(TP);
    assertEquals(List.of("b1", "b2"), started);
    lanes.done(TP);
    assertEquals(List.of("b1", "b2", "r3"), started);
    lanes.done(TP);
    assertEquals(List.of("b1", "b2", "r3", "b4"), started);
  }

  @Test
  void waitingSegmentsOfOneKindStartTogether() {
    submit(TP, RECORDS, "r1");
    submit(TP, BATCHES, "b2");
    submit(TP, BATCHES, "b3");
    submit(TP, RECORDS, "r4");
    lanes.done(TP);
    assertEquals(List.of("r1", "b2", "b3"), started);
    lanes.done(TP);
    assertEquals(List.of("r1", "b2", "b3"), started);
    lanes.done(TP);
    assertEquals(List.of("r1", "b2", "b3", "r4"), started);
  }

  @Test
  void partitionsAreIndependent() {
    submit(TP, RECORDS, "r1");
    submit(OTHER, BATCHES, "o1");
    submit(TP, BATCHES, "b2");
    submit(OTHER, BATCHES, "o2");
    assertEquals(List.of("r1", "o1", "o2"), started);
  }
}
