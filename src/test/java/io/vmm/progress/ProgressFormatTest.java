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

  private static byte[] key(String connector, String cluster) {
    return ("[\"" + connector + "\",{\"cluster\":\"" + cluster + "\",\"partition\":2,\"topic\":\"t\"}]")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void connectTopicKeysOfTheFlowOnly() {
    TopicPartition t2 = new TopicPartition("t", 2);
    assertEquals("A->B.MirrorSourceConnector", ProgressFormat.connectConnectorName("A", "B"));
    // Strimzi's exact name and MM2 dedicated mode's name count for A->B
    assertEquals(t2, ProgressFormat.parseKey(key("A->B.MirrorSourceConnector", "A"), "A", "B"));
    assertEquals(t2, ProgressFormat.parseKey(key("MirrorSourceConnector", "A"), "A", "B"));
    // another flow's connector, even with cluster A; another target; the right name with another cluster
    assertNull(ProgressFormat.parseKey(key("C->B.MirrorSourceConnector", "A"), "A", "B"));
    assertNull(ProgressFormat.parseKey(key("A->C.MirrorSourceConnector", "A"), "A", "B"));
    assertNull(ProgressFormat.parseKey(key("A->B.MirrorSourceConnector", "C"), "A", "B"));
    assertNull(ProgressFormat.parseKey(key("AA->B.MirrorSourceConnector", "A"), "A", "B"));
    // other connectors of the same Connect cluster
    assertNull(ProgressFormat.parseKey(key("A->B.MirrorCheckpointConnector", "A"), "A", "B"));
    assertNull(ProgressFormat.parseKey(key("my-file-source", "A"), "A", "B"));
    assertNull(ProgressFormat.parseKey(key("xA->B.MirrorSourceConnector", "A"), "A", "B"));
  }

  @Test
  void anyTargetStillNeedsTheSourcePrefix() {
    TopicPartition t2 = new TopicPartition("t", 2);
    assertEquals(t2, ProgressFormat.parseKey(key("A->B.MirrorSourceConnector", "A"), "A"));
    assertEquals(t2, ProgressFormat.parseKey(key("A->C.MirrorSourceConnector", "A"), "A"));
    assertEquals(t2, ProgressFormat.parseKey(key("MirrorSourceConnector", "A"), "A"));
    assertNull(ProgressFormat.parseKey(key("C->B.MirrorSourceConnector", "A"), "A"));
    assertNull(ProgressFormat.parseKey(key("A->.MirrorSourceConnector", "A"), "A"));
    assertNull(ProgressFormat.parseKey(key("OtherMirrorSourceConnector", "A"), "A"));
  }
}
