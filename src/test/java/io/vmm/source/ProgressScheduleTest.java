package io.vmm.source;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressScheduleTest {

  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);

  /** interval 5000 ms, first store 200 ms after first records, thresholds 100 records / 1000 bytes, start at 0. */
  private static ProgressSchedule schedule() {
    return new ProgressSchedule(5_000, 200, 100, 1_000, 0);
  }

  @Test
  void nothingDueWithoutAcknowledgedRecords() {
    ProgressSchedule s = schedule();
    assertFalse(s.due(0));
    assertFalse(s.due(60_000), "no acknowledged records: nothing to store, however long");
    s.acknowledged(T0, 0, 0, 10);
    assertFalse(s.due(60_000));
  }

  @Test
  void firstRecordsOfAPartitionAreStoredAfterTheShortDelay() {
    ProgressSchedule s = schedule();
    s.acknowledged(T0, 5, 50, 1_000);
    assertFalse(s.due(1_199));
    assertTrue(s.due(1_200), "200 ms after the partition's first acknowledged records");
    ProgressSchedule.Snapshot snap = s.storing(1_200);
    assertFalse(s.due(1_300), "one store in flight at most");
    s.stored(snap);
    assertEquals(0, s.unstoredRecords());
    // later records of the same partition wait for the interval (from the last store's start)
    s.acknowledged(T0, 5, 50, 1_500);
    assertFalse(s.due(2_000));
    assertFalse(s.due(6_199));
    assertTrue(s.due(6_200));
  }

  @Test
  void aNewPartitionsFirstRecordsAreDueSoonEvenAfterOthersWereStored() {
    ProgressSchedule s = schedule();
    s.acknowledged(T0, 1, 10, 0);
    s.stored(s.storing(200));
    s.acknowledged(T1, 1, 10, 1_000);
    assertFalse(s.due(1_100));
    assertTrue(s.due(1_200), "T1's first records");
  }

  @Test
  void recordsAcknowledgedDuringAStoreStayUnstored() {
    ProgressSchedule s = schedule();
    s.acknowledged(T0, 10, 100, 0);
    ProgressSchedule.Snapshot snap = s.storing(200);
    s.acknowledged(T0, 3, 30, 250);
    s.acknowledged(T1, 2, 20, 250);
    s.stored(snap);
    assertEquals(5, s.unstoredRecords());
    assertEquals(50, s.unstoredBytes());
    assertFalse(s.due(300));
    assertTrue(s.due(450), "T1 acknowledged during the store is still a first-time partition");
  }

  @Test
  void countThresholdMakesAStoreDueAtOnce() {
    ProgressSchedule s = schedule();
    s.acknowledged(T0, 1, 1, 0);
    s.stored(s.storing(200));
    s.acknowledged(T0, 99, 99, 300);
    assertFalse(s.due(300));
    s.acknowledged(T0, 1, 1, 301);
    assertTrue(s.due(301), "100 records not stored");
  }

  @Test
  void byteThresholdMakesAStoreDueAtOnce() {
    ProgressSchedule s = schedule();
    s.acknowledged(T0, 1, 1, 0);
    s.stored(s.storing(200));
    s.acknowledged(T0, 2, 999, 300);
    assertFalse(s.due(300));
    s.acknowledged(T0, 1, 1, 301);
    assertTrue(s.due(301), "1000 bytes not stored");
  }

  @Test
  void aFailedStoreIsRetriedAfterTheRetryDelayNotAtOnce() {
    ProgressSchedule s = schedule();
    s.acknowledged(T0, 500, 5_000, 0); // above both thresholds
    assertTrue(s.due(0));
    ProgressSchedule.Snapshot snap = s.storing(0);
    s.failed(snap, 2_000);
    assertEquals(500, s.unstoredRecords(), "nothing stored");
    assertFalse(s.due(2_000 + ProgressSchedule.RETRY_DELAY_MS - 1));
    assertTrue(s.due(2_000 + ProgressSchedule.RETRY_DELAY_MS));
  }

  @Test
  void firstDelayAndRetryAreCappedAtTheInterval() {
    ProgressSchedule s = new ProgressSchedule(100, 10_000, 1_000, 1_000_000, 0);
    s.acknowledged(T0, 1, 1, 0);
    assertFalse(s.due(99));
    assertTrue(s.due(100));
    s.failed(s.storing(100), 100);
    assertTrue(s.due(200), "retry after min(retry delay, interval)");
    assertEquals(100, s.tickMs());
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    ProgressSchedule s = new ProgressSchedule(5_000, 0);
    assertEquals(ProgressSchedule.FIRST_STORE_DELAY_MS, s.tickMs());
    s.acknowledged(T0, 1, 1, 0);
    s.stored(s.storing(200));
    s.acknowledged(T0, ProgressSchedule.MAX_UNSTORED_RECORDS - 1, 1, 300);
    assertFalse(s.due(300));
    s.acknowledged(T0, 1, 1, 300);
    assertTrue(s.due(300));
    assertEquals(16L * 1024 * 1024, ProgressSchedule.MAX_UNSTORED_BYTES);
  }

  @Test
  void oneStoreAtATime() {
    ProgressSchedule s = schedule();
    s.acknowledged(T0, 1, 1, 0);
    s.storing(200);
    assertTrue(s.storeInFlight());
    assertThrows(IllegalStateException.class, () -> s.storing(300));
  }

  @Test
  void rejectsANonPositiveInterval() {
    assertThrows(IllegalArgumentException.class, () -> new ProgressSchedule(0, 0));
  }
}
