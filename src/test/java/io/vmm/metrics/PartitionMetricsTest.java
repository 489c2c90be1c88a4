package io.vmm.metrics;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PartitionMetrics: replication lag in records and ms, counts, poll/ack stats and the status JSON. */
class PartitionMetricsTest {

  private static final double EPS = 1e-9;
  private static final TopicPartition TP = new TopicPartition("t", 3);

  private static PartitionMetrics metrics() {
    return new PartitionMetrics(TP, "A.t");
  }

  @Test
  void identity() {
    PartitionMetrics p = metrics();
    assertSame(TP, p.source());
    assertEquals("A.t", p.remoteTopic());
    assertEquals(-1, p.mirroredNext());
    assertEquals(-1, p.logEnd());
  }

  @Test
  void lagIsUnknownUntilTheLogEndIsKnown() {
    PartitionMetrics p = metrics();
    assertEquals(-1, p.lagRecords());
    assertTrue(Double.isNaN(p.lagMs(1_000)));
    p.assigned(5, true, 0);
    p.mirrored(10, 500, 0);
    assertEquals(-1, p.lagRecords());
    assertTrue(Double.isNaN(p.lagMs(1_000)));
  }

  @Test
  void nothingMirroredStartingAtEarliestLagsFromTheLogStart() {
    PartitionMetrics p = metrics();
    p.assigned(-1, true, 0);
    p.logOffsets(10, 100, 1_000);
    assertEquals(90, p.lagRecords());
    assertEquals(100, p.logEnd());
  }

  @Test
  void earliestIsAssumedBeforeAnyAssignment() {
    PartitionMetrics p = metrics();
    p.logOffsets(10, 100, 1_000);
    assertEquals(90, p.lagRecords());
  }

  @Test
  void nothingMirroredStartingAtLatestHasNoLag() {
    PartitionMetrics p = metrics();
    p.assigned(-1, false, 0);
    p.logOffsets(10, 100, 1_000);
    assertEquals(0, p.lagRecords());
    assertEquals(0.0, p.lagMs(5_000), EPS);
  }

  @Test
  void lagAfterMirroredIsLogEndMinusNextOffset() {
    PartitionMetrics p = metrics();
    p.assigned(-1, true, 0);
    p.logOffsets(10, 100, 1_000);
    p.mirrored(60, 500, 0);
    assertEquals(60, p.mirroredNext());
    assertEquals(40, p.lagRecords());
    p.mirrored(100, 600, 0);
    assertEquals(0, p.lagRecords());
  }

  @Test
  void mirroredNeverMovesBackwards() {
    PartitionMetrics p = metrics();
    p.logOffsets(0, 100, 1_000);
    p.mirrored(60, 500, 0);
    p.mirrored(40, 400, 0);
    assertEquals(60, p.mirroredNext());
    assertEquals(40, p.lagRecords());
  }

  @Test
  void assignedPositionCountsAndIsClampedToTheLogStart() {
    PartitionMetrics p = metrics();
    p.assigned(70, false, 0);
    p.logOffsets(10, 100, 1_000);
    assertEquals(30, p.lagRecords());
    p.logOffsets(80, 100, 2_000); // retention deleted 70..79: they can no longer be mirrored
    assertEquals(20, p.lagRecords());
  }

  @Test
  void positionBeyondAStaleLogEndIsNoLag() {
    PartitionMetrics p = metrics();
    p.logOffsets(0, 100, 1_000);
    p.mirrored(150, 500, 0);
    assertEquals(0, p.lagRecords());
    assertEquals(0.0, p.lagMs(2_000), EPS);
  }

  @Test
  void lagMsIsZeroWhenCaughtUp() {
    PartitionMetrics p = metrics();
    p.assigned(100, true, 0);
    p.logOffsets(0, 100, 1_000);
    assertEquals(0, p.lagRecords());
    assertEquals(0.0, p.lagMs(99_000), EPS);
  }

  @Test
  void lagMsIsUnknownWhileNothingIsMirroredPolledOrCaughtUp() {
    PartitionMetrics p = metrics();
    p.logOffsets(0, 100, 1_000);
    assertTrue(Double.isNaN(p.lagMs(5_000)));
    p.polled(10, 100, 10, 200, 900, 5_500, 900, 3_000); // a backlog: the oldest polled record is from 200
    assertEquals(4_800.0, p.lagMs(5_000), EPS);
  }

  @Test
  void lagMsCountsFromTheLaterOfLastMirroredTimestampAndLastCaughtUp() {
    PartitionMetrics p = metrics();
    p.assigned(100, true, 0);
    p.logOffsets(0, 100, 1_000);  // caught up at 1 000
    p.logOffsets(0, 150, 3_000);  // behind again: the new records arrived after 1 000
    assertEquals(4_000.0, p.lagMs(5_000), EPS);
    p.mirrored(120, 2_000, 4_000); // newer than the last catch-up: the mirrored timestamp wins
    assertEquals(3_000.0, p.lagMs(5_000), EPS);
    p.mirrored(130, -1, 4_100);    // no timestamp: the previous one stays
    assertEquals(3_000.0, p.lagMs(5_000), EPS);
  }

  @Test
  void lagMsOfABacklogFollowsTheMirroredTimestamps() {
    PartitionMetrics p = metrics();
    p.assigned(0, true, 0);
    p.logOffsets(0, 1_000, 1_000); // a backlog, never caught up
    p.mirrored(500, 300, 2_000);   // the records being mirrored are old
    assertEquals(4_700.0, p.lagMs(5_000), EPS);
  }

  @Test
  void lagMsIsNeverNegative() {
    PartitionMetrics p = metrics();
    p.logOffsets(0, 100, 1_000);
    p.mirrored(50, 10_000, 2_000); // record timestamp ahead of our clock
    assertEquals(0.0, p.lagMs(5_000), EPS);
  }

  @Test
  void reassignmentThatCatchesUpCountsAsCaughtUp() {
    PartitionMetrics p = metrics();
    p.logOffsets(0, 100, 1_000);
    p.assigned(100, true, 2_000); // e.g. a task restart with stored progress: caught up at 2 000
    assertEquals(0, p.lagRecords());
    p.logOffsets(0, 110, 50_000);
    assertEquals(49_000.0, p.lagMs(51_000), EPS); // an upper bound: the new records arrived after 2 000
  }

  @Test
  void recordAndByteCountsAccumulate() {
    PartitionMetrics p = metrics();
    p.polled(3, 100, 0, 0, 0, 0, -1, 1_000);
    p.polled(2, 50, 0, 0, 0, 0, -1, 2_000);
    p.acknowledged(3, 0, 0, 0, 0, -1, 3_000);
    p.acknowledged(2, 0, 0, 0, 0, -1, 4_000);
    assertEquals(150, p.byteCount());
    assertEquals(5, p.recordCount());
    assertEquals(5, p.records().total());
    assertEquals(5, p.bytes().total());
    assertEquals(5.0 * 1000 / 30_000, p.records().ratePerSecond(4_000), EPS);
    assertEquals(150.0 * 1000 / 30_000, p.bytes().ratePerSecond(4_000), EPS);
  }

  @Test
  void polledRecordsAgeFromTheirTimestamps() {
    PartitionMetrics p = metrics();
    // two timed records at 1 000 and 3 000, polled at 5 000: ages 4 000 and 2 000
    p.polled(3, 30, 2, 1_000, 3_000, 4_000, 3_000, 5_000);
    assertEquals(2, p.age().total());
    assertEquals(2_000.0, p.age().min(5_000), EPS);
    assertEquals(4_000.0, p.age().max(5_000), EPS);
    assertEquals(3_000.0, p.age().avg(5_000), EPS);
    assertEquals(2_000.0, p.age().last(), EPS);
  }

  @Test
  void untimedRecordsCountForBytesButNotAges() {
    PartitionMetrics p = metrics();
    p.polled(2, 20, 0, 0, 0, 0, -1, 5_000);
    assertEquals(0, p.age().total());
    assertTrue(Double.isNaN(p.age().last()));
    assertEquals(20, p.byteCount());
  }

  @Test
  void untimedLastRecordUsesTheNewestTimedOneForLast() {
    PartitionMetrics p = metrics();
    p.polled(3, 30, 2, 1_000, 3_000, 4_000, -1, 5_000);
    assertEquals(2_000.0, p.age().last(), EPS);
  }

  @Test
  void acknowledgedRecordsGiveReplicationLatency() {
    PartitionMetrics p = metrics();
    p.acknowledged(2, 2, 1_000, 3_000, 4_000, 1_000, 6_000);
    assertEquals(2, p.latency().total());
    assertEquals(3_000.0, p.latency().min(6_000), EPS);
    assertEquals(5_000.0, p.latency().max(6_000), EPS);
    assertEquals(4_000.0, p.latency().avg(6_000), EPS);
    assertEquals(5_000.0, p.latency().last(), EPS);
    assertEquals(2, p.recordCount());
  }

  @Test
  void toJsonWithEverythingUnknownHasNulls() {
    JsonObject json = metrics().toJson(1_000);
    assertEquals(Set.of("topic", "partition", "remoteTopic", "state", "mirroredOffset", "logEndOffset", "lagRecords",
        "lagMs", "recordCount"), json.fieldNames());
    assertEquals("t", json.getString("topic"));
    assertEquals(3, json.getInteger("partition"));
    assertEquals("A.t", json.getString("remoteTopic"));
    assertEquals("RUNNING", json.getString("state"));
    assertTrue(json.containsKey("mirroredOffset"));
    assertNull(json.getValue("mirroredOffset"));
    assertNull(json.getValue("logEndOffset"));
    assertNull(json.getValue("lagRecords"));
    assertNull(json.getValue("lagMs"));
    assertEquals(0L, json.getLong("recordCount"));
  }

  @Test
  void toJsonWhenBehind() {
    PartitionMetrics p = metrics();
    p.assigned(-1, true, 0);
    p.logOffsets(10, 100, 1_000);
    p.mirrored(60, 500, 0);
    p.acknowledged(7, 0, 0, 0, 0, -1, 1_000);
    JsonObject json = p.toJson(4_000);
    assertEquals(60L, json.getLong("mirroredOffset"));
    assertEquals(100L, json.getLong("logEndOffset"));
    assertEquals(40L, json.getLong("lagRecords"));
    assertEquals(3_500L, json.getLong("lagMs")); // now minus the last mirrored timestamp
    assertEquals(7L, json.getLong("recordCount"));
  }

  @Test
  void toJsonWhenCaughtUp() {
    PartitionMetrics p = metrics();
    p.assigned(100, true, 0);
    p.logOffsets(0, 100, 1_000);
    JsonObject json = p.toJson(9_000);
    assertEquals(0L, json.getLong("lagRecords"));
    assertEquals(0L, json.getLong("lagMs"));
  }

  @Test
  void failedStateShowsUntilClearedOrReassigned() {
    PartitionMetrics p = metrics();
    p.failed(true);
    assertEquals("FAILED", p.toJson(0).getString("state"));
    p.failed(false);
    assertEquals("RUNNING", p.toJson(0).getString("state"));
    p.failed(true);
    p.assigned(5, true, 0);
    assertEquals("RUNNING", p.toJson(0).getString("state"));
  }
}
