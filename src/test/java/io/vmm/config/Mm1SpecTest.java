package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Mm1SpecTest {

  static JsonObject resource() {
    return new JsonObject("""
        {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaMirrorMaker", "metadata": {"name": "mm"},
         "spec": {"version": "3.9.0", "replicas": 1,
           "consumer": {"bootstrapServers": "src:9092", "groupId": "my-group", "numStreams": 3,
                        "offsetCommitInterval": 120000, "config": {"max.poll.records": 500}},
           "producer": {"bootstrapServers": "dst:9092", "abortOnSendFailure": false,
                        "config": {"compression.type": "lz4"}},
           "whitelist": "a, b,*",
           "logging": {"type": "inline", "loggers": {"mirrormaker.root.logger": "DEBUG"}},
           "metrics": {"lowercaseOutputName": true}}}""");
  }

  @Test
  void resourceBecomesOneLegacyIdentityFlow() {
    assertTrue(Mm1Spec.isMm1(resource()));
    MirrorMakerConfig config = ConfigParser.parse(ConfigSource.unwrap(resource()));
    assertEquals(2, config.clusters().size());
    FlowSpec flow = config.flow("source->target");
    assertEquals("src:9092", flow.source().bootstrapServers());
    assertEquals("500", flow.source().config().get("max.poll.records"));
    assertEquals("lz4", flow.target().config().get("compression.type"));
    assertEquals(new LegacySpec("my-group", 120_000, false), flow.legacy());
    assertTrue(flow.commitsLegacyGroup());
    assertTrue(flow.keepsTopicNames());
    assertEquals(3, flow.sourceConnector().tasksMax());
    ConnectorConfig c = flow.sourceConnector().config();
    assertFalse(c.getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED));
    assertFalse(c.getBoolean(ConnectorKeys.SYNC_TOPIC_CONFIGS_ENABLED));
    assertFalse(c.getBoolean(ConnectorKeys.SYNC_TOPIC_ACLS_ENABLED));
    assertEquals(120_000L, c.getLong(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS));
    assertTrue(flow.sourceConnector().present());
    assertFalse(flow.checkpointConnector().present());
    assertFalse(flow.heartbeatConnector().present());
    assertTrue(flow.topicFilter().toString().contains("a|b|.*"), flow.topicFilter().toString());
    assertEquals("DEBUG", config.loggers().get(LoggingSpec.ROOT));
  }

  @Test
  void bareSpecAndDefaults() {
    JsonObject spec = new JsonObject("""
        {"consumer": {"bootstrapServers": "src:9092", "groupId": "g"},
         "producer": {"bootstrapServers": "dst:9092"}, "include": "orders.*"}""");
    assertTrue(Mm1Spec.isMm1(spec));
    FlowSpec flow = ConfigParser.parse(ConfigSource.unwrap(spec)).flows().get(0);
    assertEquals(new LegacySpec("g", 60_000, true), flow.legacy());
    assertEquals(1, flow.sourceConnector().tasksMax());
  }

  @Test
  void whitelistAsMm1ReadIt() {
    assertEquals(".*", Mm1Spec.topicsRegex("*"));
    assertEquals("a|b|c", Mm1Spec.topicsRegex(" a, b|c "));
    assertEquals("x.*", Mm1Spec.topicsRegex("\"x.*\""));
  }

  @Test
  void problemsUseMm1Paths() {
    JsonObject spec = new JsonObject("""
        {"consumer": {"bootstrapServers": "src:9092", "numStreams": 0},
         "producer": {"bootstrapServers": "dst:9092"}, "include": "a", "whitelist": "b", "bogus": 1}""");
    var problems = assertThrows(ConfigException.class, () -> Mm1Spec.toMm2(spec)).problems();
    assertTrue(problems.contains("consumer.groupId: required field is missing"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("consumer.numStreams:")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("whitelist:")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("bogus:")), problems.toString());
  }

  @Test
  void mm2ConfigWithLegacyReplicationPolicyIsLegacyMode() {
    JsonObject doc = new JsonObject("""
        {"clusters": [{"alias": "A", "bootstrapServers": "a:9092"}, {"alias": "B", "bootstrapServers": "b:9092"}],
         "mirrors": [{"sourceCluster": "A", "targetCluster": "B",
           "sourceConnector": {"config": {"replication.policy.class": "org.apache.kafka.mirror.LegacyReplicationPolicy",
                                          "consumer.group.id": "old-mm"}}}]}""");
    JsonObject before = doc.copy();
    FlowSpec flow = ConfigParser.parse(doc).flows().get(0);
    assertEquals(before, doc); // the document is not changed
    assertTrue(flow.keepsTopicNames());
    assertEquals("old-mm", flow.legacy().groupId());
    assertTrue(flow.legacy().abortOnSendFailure());
    assertFalse(flow.sourceConnector().config().getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED));
  }

  @Test
  void mm2ConfigWithoutLegacyHasNone() {
    JsonObject doc = new JsonObject("""
        {"clusters": [{"alias": "A", "bootstrapServers": "a:9092"}, {"alias": "B", "bootstrapServers": "b:9092"}],
         "mirrors": [{"sourceCluster": "A", "targetCluster": "B", "sourceConnector": {}}]}""");
    assertFalse(Mm1Spec.isMm1(doc));
    assertNull(ConfigParser.parse(doc).flows().get(0).legacy());
  }
}
