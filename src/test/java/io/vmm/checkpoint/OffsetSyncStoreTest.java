package io.vmm.checkpoint;

import io.vmm.checkpoint.OffsetSyncStore.Translation;
import io.vmm.bus.OffsetSync;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class OffsetSyncStoreTest {

  static final TopicPartition TP = new TopicPartition("t", 0);

  @Test
  void exactBetweenSyncsAndMm2RuleBeyondTheNewest() {
    OffsetSyncStore store = new OffsetSyncStore(1000);
    // upstream 0-9 -> 0-9, marker at 10, 11-20 -> 10-19, marker at 21, 22-31 -> 20-29 (delayed sync 31->29)
    store.add(new OffsetSync(TP, 0, 0));
    store.add(new OffsetSync(TP, 11, 10));
    store.add(new OffsetSync(TP, 22, 20));
    store.add(new OffsetSync(TP, 31, 29));
    assertEquals(new Translation(5, true), store.translate(TP, 5));
    assertEquals(new Translation(10, true), store.translate(TP, 10), "a marker: the next record is 11 -> 10");
    assertEquals(new Translation(10, true), store.translate(TP, 11));
    assertEquals(new Translation(19, true), store.translate(TP, 20));
    assertEquals(new Translation(20, true), store.translate(TP, 21));
    assertEquals(new Translation(29, true), store.translate(TP, 31));
    assertEquals(new Translation(30, false), store.translate(TP, 32), "beyond the newest sync: MM2's +1");
    assertEquals(new Translation(30, false), store.translate(TP, 500), "never more than the last sync + 1");
    assertNull(store.translate(new TopicPartition("t", 1), 5));
  }

  @Test
  void rewindDropsNewerHistory() {
    OffsetSyncStore store = new OffsetSyncStore(1000);
    store.add(new OffsetSync(TP, 100, 100));
    store.add(new OffsetSync(TP, 200, 200));
    store.add(new OffsetSync(TP, 0, 300)); // the source topic was recreated
    assertNull(store.translate(TP, -1));
    assertEquals(new Translation(300, true), store.translate(TP, 0));
    assertEquals(new Translation(301, false), store.translate(TP, 150), "only the new topic's sync is left");
  }

  @Test
  void checkpointBytesMatchMm2() {
    byte[] key = CheckpointCodec.key("g1", new TopicPartition("A.t1", 3));
    byte[] value = CheckpointCodec.value(100, 90, "");
    assertEquals("00026731000441" + "2e743100000003", HexFormat.of().formatHex(key));
    assertEquals("00000000000000000064000000000000005a0000", HexFormat.of().formatHex(value));
    Checkpoint c = Checkpoint.deserializeRecord(new ConsumerRecord<>("A.checkpoints.internal", 0, 0L, key, value));
    assertEquals("g1", c.consumerGroupId());
    assertEquals(new TopicPartition("A.t1", 3), c.topicPartition());
    assertEquals(100, c.upstreamOffset());
    assertEquals(90, c.downstreamOffset());
  }
}
