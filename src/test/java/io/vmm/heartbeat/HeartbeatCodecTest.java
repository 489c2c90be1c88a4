package io.vmm.heartbeat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.mirror.Heartbeat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Byte-exact against MM2 4.1.1 (hex verified in mm2-compatibility.md §2) and readable by MM2's own parser. */
class HeartbeatCodecTest {


  @Test
  void bytesMatchMm2() {
    assertEquals("000141000142", java.util.HexFormat.of().formatHex(HeartbeatCodec.key("A", "B")));
    assertEquals("00000000018bcfe56800", java.util.HexFormat.of().formatHex(HeartbeatCodec.value(1_700_000_000_000L)));
    Heartbeat h = Heartbeat.deserializeRecord(new ConsumerRecord<>("heartbeats", 0, 0L,
        HeartbeatCodec.key("A", "B"), HeartbeatCodec.value(1_700_000_000_000L)));
    assertEquals("A", h.sourceClusterAlias());
    assertEquals("B", h.targetClusterAlias());
    assertEquals(1_700_000_000_000L, h.timestamp());
  }

  @Test
  void newestTimestampSkipsWhatDoesNotDecode() {
    byte[] key = HeartbeatCodec.key("B", "A");
    assertEquals(-1, HeartbeatCodec.newestTimestamp(List.of()));
    assertEquals(30L, HeartbeatCodec.newestTimestamp(List.of(
        new ConsumerRecord<>("heartbeats", 0, 0L, key, HeartbeatCodec.value(10)),
        new ConsumerRecord<>("heartbeats", 0, 1L, key, HeartbeatCodec.value(30)),
        new ConsumerRecord<>("heartbeats", 0, 2L, key, (byte[]) null),
        new ConsumerRecord<>("heartbeats", 0, 3L, key, new byte[]{1}),
        new ConsumerRecord<>("heartbeats", 0, 4L, key, HeartbeatCodec.value(20)))));
  }
}
