package io.vmm.checkpoint;

import io.vmm.bus.OffsetSync;
import io.vmm.checkpoint.CheckpointLedger.Checkpointed;
import io.vmm.sync.OffsetSyncCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records that fail to decode are counted, with the first failure's place and cause, never silently dropped. */
class UnreadableRecordsTest {

  static ConsumerRecord<byte[], byte[]> record(String topic, long offset, byte[] key, byte[] value) {
    return new ConsumerRecord<>(topic, 0, offset, key, value);
  }

  @Test
  void offsetSyncsThatFailToDecodeAreCounted() {
    UnreadableRecords unreadable = new UnreadableRecords("offset syncs");
    TopicPartition tp = new TopicPartition("t", 2);
    String topic = "mm2-offset-syncs.B.internal";
    assertEquals(new OffsetSync(tp, 5, 4), OffsetSyncReader.decode(
        record(topic, 0, OffsetSyncCodec.key(tp), OffsetSyncCodec.value(5, 4)), unreadable));
    assertNull(unreadable.first());
    assertNull(OffsetSyncReader.decode(record(topic, 7, new byte[]{1, 2}, OffsetSyncCodec.value(5, 4)), unreadable));
    assertNull(OffsetSyncReader.decode(record(topic, 8, OffsetSyncCodec.key(tp), null), unreadable));
    assertEquals(2, unreadable.count());
    assertTrue(unreadable.first().startsWith(topic + "-0 offset 7: "), unreadable.first());
  }

  @Test
  void checkpointsReadBackKeepTheLatestAndCountTheUnreadable() {
    UnreadableRecords unreadable = new UnreadableRecords("checkpoints");
    Map<String, Map<TopicPartition, Checkpointed>> latest = new HashMap<>();
    TopicPartition remote = new TopicPartition("A.t", 0);
    String topic = "A.checkpoints.internal";
    CheckpointReloader.apply(record(topic, 0, CheckpointCodec.key("g", remote), CheckpointCodec.value(10, 9, "")),
        latest, unreadable);
    CheckpointReloader.apply(record(topic, 1, CheckpointCodec.key("g", remote), new byte[]{0}), latest, unreadable);
    CheckpointReloader.apply(record(topic, 2, CheckpointCodec.key("g", remote), CheckpointCodec.value(20, 19, "")),
        latest, unreadable);
    CheckpointReloader.apply(record(topic, 3, null, null), latest, unreadable);
    assertEquals(Map.of("g", Map.of(remote, new Checkpointed(20, 19))), latest);
    assertEquals(2, unreadable.count());
    assertTrue(unreadable.first().startsWith(topic + "-0 offset 1: "), unreadable.first());
  }
}
