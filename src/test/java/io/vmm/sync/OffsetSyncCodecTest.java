package io.vmm.sync;

import io.vmm.bus.OffsetSync;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Byte-exact against MM2 4.1.1 (mm2-compatibility.md §2). */
class OffsetSyncCodecTest {

  @Test
  void bytesMatchMm2() {
    assertEquals("0002743100000003", java.util.HexFormat.of().formatHex(OffsetSyncCodec.key(new TopicPartition("t1", 3))));
    assertEquals("0000000000000064000000000000005a", java.util.HexFormat.of().formatHex(OffsetSyncCodec.value(100, 90)));
    assertEquals(new OffsetSync(new TopicPartition("t1", 3), 100, 90),
        OffsetSyncCodec.decode(OffsetSyncCodec.key(new TopicPartition("t1", 3)), OffsetSyncCodec.value(100, 90)));
  }
}
