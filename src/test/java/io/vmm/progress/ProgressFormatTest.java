package io.vmm.progress;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Byte-exact Connect offset records, as MM2 4.1.1 writes them (mm2-compatibility.md §2). */
class ProgressFormatTest {

  @Test
  void keyAndValueBytesMatchMm2() {
    assertEquals("[\"MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":0,\"topic\":\"t1\"}]",
        new String(ProgressFormat.key("A", new TopicPartition("t1", 0)), StandardCharsets.UTF_8));
    assertEquals("{\"offset\":41}", new String(ProgressFormat.value(41), StandardCharsets.UTF_8));
    assertEquals("mm2-offsets.A.internal", io.vmm.policy.InternalTopics.progressTopic("A"));
  }

  @Test
  void parsesOwnAndStrimziKeysOnly() {
    byte[] strimzi = "[\"A->B.MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":3,\"topic\":\"t\"}]"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(new TopicPartition("t", 3), ProgressFormat.parseKey(strimzi, "A"));
    assertNull(ProgressFormat.parseKey(strimzi, "C"));
    byte[] checkpoint = "[\"MirrorCheckpointConnector\",{\"partition\":3,\"topic\":\"A.t\",\"group\":\"g\"}]"
        .getBytes(StandardCharsets.UTF_8);
    assertNull(ProgressFormat.parseKey(checkpoint, "A"));
    assertNull(ProgressFormat.parseKey("garbage".getBytes(StandardCharsets.UTF_8), "A"));
    assertNull(ProgressFormat.parseValue(null));
    assertEquals(7L, ProgressFormat.parseValue("{\"offset\":7}".getBytes(StandardCharsets.UTF_8)));
  }
}
