package io.vmm.sync;

import io.vmm.bus.OffsetSync;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** MM2's sync rules plus one sync per change of downstream - upstream. */
class OffsetSyncTrackerTest {

  static final TopicPartition TP = new TopicPartition("t", 0);

  static long[] range(long from, int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = from + i;
    }
    return a;
  }

  @Test
  void firstRecordGapsAndLagMax() {
    OffsetSyncTracker t = new OffsetSyncTracker(100);
    assertEquals(List.of(new OffsetSync(TP, 0, 0)), t.acknowledged(TP, range(0, 10), range(0, 10), 10));
    assertEquals(List.of(), t.acknowledged(TP, range(10, 10), range(10, 10), 10), "contiguous: delayed only");
    // a transaction marker at upstream 20: records 21.. land at downstream 20..
    assertEquals(List.of(new OffsetSync(TP, 21, 20)), t.acknowledged(TP, range(21, 5), range(20, 5), 5));
    assertEquals(List.of(new OffsetSync(TP, 25, 24)), t.flushDelayed());
    assertEquals(List.of(), t.flushDelayed());
    // offset.lag.max: 100 records after the last sync
    List<OffsetSync> lag = t.acknowledged(TP, range(26, 150), range(25, 150), 150);
    assertEquals(List.of(new OffsetSync(TP, 126, 125)), lag);
  }

  @Test
  void everyOffsetJumpInOneBatchGetsItsSync() {
    OffsetSyncTracker t = new OffsetSyncTracker(100);
    long[] up = {0, 1, 3, 4, 7, 8};
    long[] down = {0, 1, 2, 3, 4, 5};
    assertEquals(List.of(new OffsetSync(TP, 0, 0), new OffsetSync(TP, 3, 2), new OffsetSync(TP, 7, 4)), t.acknowledged(TP, up, down, 6),
        "MM2 keeps only the latest per partition; here each jump is kept so every record translates exactly");
    assertEquals(List.of(new OffsetSync(TP, 8, 5)), t.flushDelayed());
    t.reset(TP);
    assertEquals(List.of(new OffsetSync(TP, 0, 6)), t.acknowledged(TP, new long[]{0}, new long[]{6}, 1),
        "after a reset the next record syncs again");
  }
}
