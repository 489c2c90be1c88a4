package io.vmm.source;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.OffsetSync;
import io.vmm.bus.PartitionStart;
import io.vmm.metrics.FlowMetrics;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Answers feed meters once, offset syncs only with the acknowledged prefix, and report a failure once. */
class PartitionBooksTest {

  static final TopicPartition TP = new TopicPartition("t", 0);

  static PartitionResult result(long first, long[] down, int failedAt) {
    long[] up = new long[down.length];
    for (int i = 0; i < down.length; i++) {
      up[i] = first + i;
    }
    return new PartitionResult(TP, up, down, failedAt, failedAt < 0 ? null : new RuntimeException("refused"));
  }

  static ChunkStats chunk(long first, int n) {
    List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(ChunkStatsTest.record(first + i, 1_000 + i, 1, 1));
    }
    return ChunkStats.of(TP, records);
  }

  @Test
  void syncsFollowThePrefixAndAFailureIsReportedOnce() {
    InFlightTracker tracker = new InFlightTracker();
    List<OffsetSync> sent = new ArrayList<>();
    try (FlowMetrics metrics = new FlowMetrics(new SimpleMeterRegistry(), "A", "B")) {
      PartitionBooks books = new PartitionBooks(tracker, metrics, true, 100, sent::addAll, t -> false);
      books.add(PartitionStart.fromStored(TP, "A.t", -1), 0);
      tracker.sent(TP, 0, 1, 2, 4);
      tracker.sent(TP, 1, 3, 2, 4);

      assertFalse(books.answered(1, result(2, new long[]{2, 3}, -1), chunk(2, 2), 10));
      assertTrue(sent.isEmpty(), "batch 1 is not in the prefix before batch 0");
      assertEquals(2, metrics.partitionOrNull(TP).recordCount(), "but its records are counted");

      assertFalse(books.answered(0, result(0, new long[]{0, 1}, -1), chunk(0, 2), 10));
      assertEquals(List.of(new OffsetSync(TP, 0, 0)), sent, "the partition's first record");
      assertEquals(3, tracker.get(TP).lastWritten);
      assertEquals(List.of(new OffsetSync(TP, 3, 3)), books.delayedSyncs());
      assertEquals(List.of(), books.delayedSyncs());

      tracker.sent(TP, 2, 5, 2, 4);
      tracker.sent(TP, 3, 7, 2, 4);
      assertTrue(books.answered(2, result(4, new long[]{4, -1}, 1), chunk(4, 2), 20), "failed now");
      assertEquals(4, tracker.get(TP).lastWritten);
      assertEquals(5, tracker.get(TP).failedOffset);
      assertEquals(5, metrics.partitionOrNull(TP).recordCount(), "the acknowledged head of the failed chunk");
      assertFalse(books.answered(3, result(6, new long[]{6, 7}, -1), chunk(6, 2), 20), "already failed");
      assertEquals(List.of(new OffsetSync(TP, 4, 4)), books.delayedSyncs());

      assertEquals(4, books.reset(TP, 30));
      sent.clear();
      tracker.sent(TP, 4, 1, 2, 4);
      books.answered(4, result(0, new long[]{8, 9}, -1), chunk(0, 2), 40);
      assertEquals(List.of(new OffsetSync(TP, 0, 8)), sent, "after a reset the first record syncs again");
    }
  }

  /** Legacy MM1 abortOnSendFailure=false: skipped records are counted as skipped, not acknowledged, no failure. */
  @Test
  void skippedRecordsAreCountedAndDoNotFailThePartition() {
    InFlightTracker tracker = new InFlightTracker();
    try (FlowMetrics metrics = new FlowMetrics(new SimpleMeterRegistry(), "A", "B")) {
      PartitionBooks books = new PartitionBooks(tracker, metrics, true, -1, s -> { }, t -> false);
      books.add(PartitionStart.fromStored(TP, "t", -1), 0);
      tracker.sent(TP, 0, 2, 3, 6);
      PartitionResult r = new PartitionResult(TP, new long[]{0, 1, 2}, new long[]{0, PartitionResult.SKIPPED, 1}, -1,
          new RuntimeException("RecordTooLarge"));
      assertFalse(books.answered(0, r, chunk(0, 3), 10), "not FAILED");
      assertEquals(2, tracker.get(TP).lastWritten);
      assertEquals(2, metrics.partitionOrNull(TP).recordCount(), "only the written records");
      assertEquals(1, metrics.skippedRecords());
      assertEquals(3, metrics.partitionOrNull(TP).mirroredNext());
    }
  }

  @Test
  void acknowledgedHeartbeatsSetTheHeartbeatAge() {
    TopicPartition hb = new TopicPartition("heartbeats", 0);
    InFlightTracker tracker = new InFlightTracker();
    try (FlowMetrics metrics = new FlowMetrics(new SimpleMeterRegistry(), "A", "B")) {
      PartitionBooks books = new PartitionBooks(tracker, metrics, true, -1, s -> { }, "heartbeats"::equals);
      books.add(PartitionStart.fromStored(hb, "A.heartbeats", -1), 0);
      books.add(PartitionStart.fromStored(TP, "A.t", -1), 0);
      assertTrue(books.isHeartbeats(hb));
      assertFalse(books.isHeartbeats(TP));
      long emitted = System.currentTimeMillis() - 60_000;
      List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records = List.of(
          ChunkStatsTest.record(0, emitted, 1, 1));
      tracker.sent(hb, 0, 0, 1, 2);
      books.answered(0, new PartitionResult(hb, new long[]{0}, new long[]{-1}, 0, new RuntimeException("no")),
          ChunkStats.of(hb, records, emitted), 10);
      assertEquals(-1, metrics.heartbeatAgeMs(), "not acknowledged: no heartbeat arrived");
      books.reset(hb, 15);
      tracker.sent(hb, 1, 0, 1, 2);
      books.answered(1, new PartitionResult(hb, new long[]{0}, new long[]{0}, -1, null),
          ChunkStats.of(hb, records, emitted), 20);
      assertTrue(metrics.heartbeatAgeMs() >= 60_000, "age from the heartbeat's emit time: " + metrics.heartbeatAgeMs());
    }
  }
}
