package io.vmm.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConfigParser;
import io.vmm.config.FlowSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Internal topic names of a flow A->B as MM2 names them (mm2-compatibility.md §1): the progress topic and the
 * heartbeats topic are fixed; offset-syncs and checkpoints come from the replication policy, so a custom separator
 * applies as in MM2 (KIP-949, {@code replication.policy.internal.topic.separator.enabled}, default true).
 */
class InternalTopicsTest {

  /** A config with one flow A->B; {@code sourceConfig} goes into {@code sourceConnector.config}. */
  static FlowSpec flow(JsonObject sourceConfig) {
    JsonObject doc = new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", "127.0.0.1:19092"))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", "127.0.0.1:29092")))
        .put("mirrors", new JsonArray().add(new JsonObject()
            .put("sourceCluster", "A").put("targetCluster", "B").put("topicsPattern", "orders")
            .put("sourceConnector", new JsonObject()
                .put("config", sourceConfig.copy().put("replication.factor", 1)))));
    return ConfigParser.parse(doc).flows().get(0);
  }

  @Test
  void defaults() {
    InternalTopics topics = InternalTopics.of(flow(new JsonObject()));
    assertEquals("mm2-offsets.A.internal", topics.progress());
    assertEquals("mm2-offset-syncs.B.internal", topics.offsetSyncs());
    assertFalse(topics.syncsOnTarget());
    assertEquals("A.checkpoints.internal", topics.checkpoints());
    assertEquals("heartbeats", topics.heartbeats());
    assertEquals(new InternalTopics("mm2-offsets.A.internal", "mm2-offset-syncs.B.internal", false,
        "A.checkpoints.internal", "heartbeats"), topics);
  }

  @Test
  void explicitSourceLocationIsTheDefault() {
    InternalTopics topics = InternalTopics.of(flow(new JsonObject().put("offset-syncs.topic.location", "source")));
    assertEquals("mm2-offset-syncs.B.internal", topics.offsetSyncs());
    assertFalse(topics.syncsOnTarget());
  }

  @Test
  void offsetSyncsOnTheTarget() {
    InternalTopics topics = InternalTopics.of(flow(new JsonObject().put("offset-syncs.topic.location", "target")));
    assertEquals("mm2-offset-syncs.A.internal", topics.offsetSyncs(), "named after the source cluster, on B");
    assertTrue(topics.syncsOnTarget());
    assertEquals("mm2-offsets.A.internal", topics.progress());
    assertEquals("A.checkpoints.internal", topics.checkpoints());
    assertEquals("heartbeats", topics.heartbeats());
  }

  @Test
  void customSeparatorAppliesToPolicyNames() {
    InternalTopics topics = InternalTopics.of(flow(new JsonObject().put("replication.policy.separator", "_")));
    assertEquals("mm2-offset-syncs_B_internal", topics.offsetSyncs());
    assertEquals("A_checkpoints_internal", topics.checkpoints());
    // Connect's offset storage topic and MM2's heartbeats topic do not follow the separator
    assertEquals("mm2-offsets.A.internal", topics.progress());
    assertEquals("heartbeats", topics.heartbeats());
  }

  @Test
  void customSeparatorWithOffsetSyncsOnTheTarget() {
    InternalTopics topics = InternalTopics.of(flow(new JsonObject().put("replication.policy.separator", "_")
        .put("offset-syncs.topic.location", "target")));
    assertEquals("mm2-offset-syncs_A_internal", topics.offsetSyncs());
    assertTrue(topics.syncsOnTarget());
  }

  @Test
  void multiCharacterSeparator() {
    InternalTopics topics = InternalTopics.of(flow(new JsonObject().put("replication.policy.separator", "__")));
    assertEquals("mm2-offset-syncs__B__internal", topics.offsetSyncs());
    assertEquals("A__checkpoints__internal", topics.checkpoints());
  }

  @Test
  void customSeparatorNotForInternalTopicsWhenDisabled() {
    // MM2 before KIP-949 kept the "." in internal topic names
    InternalTopics topics = InternalTopics.of(flow(new JsonObject().put("replication.policy.separator", "_")
        .put("replication.policy.internal.topic.separator.enabled", false)));
    assertEquals("mm2-offset-syncs.B.internal", topics.offsetSyncs());
    assertEquals("A.checkpoints.internal", topics.checkpoints());
    assertEquals("mm2-offsets.A.internal", topics.progress());
  }

  @Test
  void identityPolicyKeepsTheDefaultInternalNames() {
    InternalTopics topics = InternalTopics.of(flow(new JsonObject()
        .put("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy")));
    assertEquals("mm2-offset-syncs.B.internal", topics.offsetSyncs());
    assertEquals("A.checkpoints.internal", topics.checkpoints());
  }

  @Test
  void progressTopicOfAnAlias() {
    assertEquals("mm2-offsets.A.internal", InternalTopics.progressTopic("A"));
    assertEquals("mm2-offsets.east-1.internal", InternalTopics.progressTopic("east-1"));
    assertEquals("heartbeats", InternalTopics.HEARTBEATS);
  }
}
