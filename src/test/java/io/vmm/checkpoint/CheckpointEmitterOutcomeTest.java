package io.vmm.checkpoint;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What the final checkpoint run reports as not checkpointed. */
class CheckpointEmitterOutcomeTest {

  @Test
  void beforeTheListingEveryGroupCountsAsNotCheckpointed() {
    CheckpointEmitter.Outcome outcome = new CheckpointEmitter.Outcome();
    assertNull(outcome.notCheckpointed());
    assertEquals("all groups (not listed)", outcome.describeNotCheckpointed());
  }

  @Test
  void listedGroupsNotDoneAreReportedSorted() {
    CheckpointEmitter.Outcome outcome = new CheckpointEmitter.Outcome();
    outcome.listed(List.of("c", "a", "b"));
    outcome.done("b");
    outcome.done("zz-not-listed");
    assertEquals(new TreeSet<>(Set.of("a", "c")), outcome.notCheckpointed());
    assertEquals("[a, c]", outcome.describeNotCheckpointed());
    outcome.done("a");
    outcome.done("c");
    assertEquals(Set.of(), outcome.notCheckpointed());
  }
}
