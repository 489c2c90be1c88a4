package io.vmm.target;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommitTriggerTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  @Test
  void nothingDueWithoutAnOpenTransaction() {
    CommitTrigger t = new CommitTrigger(100, 1000, 1_000_000, 2_000_000);
    assertEquals(CommitTrigger.Reason.NONE, t.due(10_000));
    assertEquals(0, t.remainingMs(10_000));
  }

  @Test
  void intervalSinceTheTransactionBegan() {
    CommitTrigger t = new CommitTrigger(100, 1000, 1_000_000, 2_000_000);
    t.began(1_000);
    t.added(P0, 10, 10, 100);
    assertEquals(CommitTrigger.Reason.NONE, t.due(1_099));
    assertEquals(1, t.remainingMs(1_099));
    assertEquals(CommitTrigger.Reason.INTERVAL, t.due(1_100));
    t.ended();
    assertEquals(CommitTrigger.Reason.NONE, t.due(5_000));
    t.began(5_000);
    assertEquals(CommitTrigger.Reason.NONE, t.due(5_050), "the interval restarts with each transaction");
  }

  @Test
  void earlyAtHalfOfAPartitionsRecordMark() {
    CommitTrigger t = new CommitTrigger(10_000, 1000, 1_000_000, 2_000_000);
    t.began(0);
    t.added(P0, 300, 300, 300);
    t.added(P1, 300, 300, 300);
    assertEquals(CommitTrigger.Reason.NONE, t.due(1), "600 records, but at most 300 per partition");
    t.added(P0, 200, 200, 200);
    assertEquals(CommitTrigger.Reason.RECORDS, t.due(1));
    assertEquals(800, t.records());
    t.ended();
    assertEquals(0, t.records());
    t.began(2);
    assertEquals(CommitTrigger.Reason.NONE, t.due(3), "counts restart");
  }

  @Test
  void passThroughRecordsCountOnlyTheirBytes() {
    CommitTrigger t = new CommitTrigger(10_000, 1000, 1_000_000, 2_000_000);
    t.began(0);
    t.added(P0, 5_000, 0, 100_000); // records of pass-through batches: not toward the records mark
    assertEquals(CommitTrigger.Reason.NONE, t.due(1));
    assertEquals(5_000, t.records());
    t.added(P0, 600, 500, 50_000);
    assertEquals(CommitTrigger.Reason.RECORDS, t.due(1), "500 decoded records: half of the records mark");
  }

  @Test
  void earlyAtHalfOfAByteMark() {
    CommitTrigger t = new CommitTrigger(10_000, 1000, 1_000, 1_500);
    t.began(0);
    t.added(P0, 1, 1, 499);
    assertEquals(CommitTrigger.Reason.NONE, t.due(1));
    t.added(P0, 1, 1, 1);
    assertEquals(CommitTrigger.Reason.BYTES, t.due(1), "half of the partition's byte mark");
    t.ended();
    t.began(0);
    t.added(P0, 1, 1, 400);
    t.added(P1, 1, 1, 400);
    assertEquals(CommitTrigger.Reason.BYTES, t.due(1), "half of the task's byte mark over two partitions");
  }

  @Test
  void rejectsANonPositiveInterval() {
    assertThrows(IllegalArgumentException.class, () -> new CommitTrigger(0, 1, 1, 1));
  }
}
