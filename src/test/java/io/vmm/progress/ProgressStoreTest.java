package io.vmm.progress;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Byte-exact Connect offset records, as MM2 4.1.1 writes them (mm2-compatibility.md §2). */
class ProgressStoreTest {

  @Test
  void keyAndValueBytesMatchMm2() {
    assertEquals("[\"MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":0,\"topic\":\"t1\"}]",
        new String(ProgressStore.key("A", new TopicPartition("t1", 0)), StandardCharsets.UTF_8));
    assertEquals("{\"offset\":41}", new String(ProgressStore.value(41), StandardCharsets.UTF_8));
    assertEquals("mm2-offsets.A.internal", ProgressStore.topic("A"));
  }

  @Test
  void parsesOwnAndStrimziKeysOnly() {
    byte[] strimzi = "[\"A->B.MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":3,\"topic\":\"t\"}]"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(new TopicPartition("t", 3), ProgressStore.parseKey(strimzi, "A"));
    assertNull(ProgressStore.parseKey(strimzi, "C"));
    byte[] checkpoint = "[\"MirrorCheckpointConnector\",{\"partition\":3,\"topic\":\"A.t\",\"group\":\"g\"}]"
        .getBytes(StandardCharsets.UTF_8);
    assertNull(ProgressStore.parseKey(checkpoint, "A"));
    assertNull(ProgressStore.parseKey("garbage".getBytes(StandardCharsets.UTF_8), "A"));
    assertNull(ProgressStore.parseValue(null));
    assertEquals(7L, ProgressStore.parseValue("{\"offset\":7}".getBytes(StandardCharsets.UTF_8)));
  }
}
