package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pure validation rules: every problem reported once, prefixed by its JSON path. */
class ConfigParserTest {

  static JsonObject valid() {
    return new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", "127.0.0.1:19092"))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", "127.0.0.1:29092")
                .put("config", new JsonObject().put("producer.linger.ms", 10).put("security.protocol", "PLAINTEXT"))))
        .put("mirrors", new JsonArray().add(new JsonObject()
            .put("sourceCluster", "A").put("targetCluster", "B").put("topicsPattern", "orders|payments")
            .put("sourceConnector", new JsonObject().put("tasksMax", 4)
                .put("config", new JsonObject().put("replication.factor", 1)))));
  }

  static List<String> problems(JsonObject doc) {
    return assertThrows(ConfigException.class, () -> ConfigParser.parse(doc)).problems();
  }

  static JsonObject mirror0(JsonObject doc) {
    return doc.getJsonArray("mirrors").getJsonObject(0);
  }

  @Test
  void validConfigGetsMm2Defaults() {
    MirrorMakerConfig config = ConfigParser.parse(valid());
    assertEquals(2, config.clusters().size());
    FlowSpec flow = config.flows().get(0);
    assertEquals("A->B", flow.name());
    assertEquals(4, flow.sourceConnector().tasksMax());
    assertEquals(1, flow.sourceConnector().config().getInt(ConnectorKeys.REPLICATION_FACTOR));
    assertEquals(100L, flow.sourceConnector().config().getLong(ConnectorKeys.OFFSET_LAG_MAX));
    assertEquals(60L, flow.checkpointConnector().config().getLong(ConnectorKeys.EMIT_CHECKPOINTS_INTERVAL_SECONDS));
    assertEquals(1L, flow.heartbeatConnector().config().getLong(ConnectorKeys.EMIT_HEARTBEATS_INTERVAL_SECONDS));
    assertTrue(flow.topicFilter().test("orders"));
    assertFalse(flow.topicFilter().test("orders2"));
    assertTrue(flow.groupFilter().test("app"));
    assertFalse(flow.groupFilter().test("console-consumer-1"));
    assertEquals("A.orders", flow.replicationPolicy().formatRemoteTopic("A", "orders"));
    assertEquals("10", flow.target().producerConfig("p").get("linger.ms"));
    assertEquals("PLAINTEXT", flow.target().consumerConfig("c").get("security.protocol"));
    assertEquals("false", flow.source().consumerConfig("c").get("enable.auto.commit"));
    assertEquals(8083, config.httpPort());
  }

  @Test
  void onlyTheConnectorsAMirrorNamesArePresent() {
    FlowSpec flow = ConfigParser.parse(valid()).flows().get(0);
    assertTrue(flow.sourceConnector().present());
    assertFalse(flow.checkpointConnector().present(), "omitted: not run");
    assertFalse(flow.heartbeatConnector().present(), "omitted: not run");
    JsonObject doc = valid();
    mirror0(doc).put("heartbeatConnector", new JsonObject());
    FlowSpec withEmpty = ConfigParser.parse(doc).flows().get(0);
    assertTrue(withEmpty.heartbeatConnector().present(), "{} runs the connector with MM2's defaults");
    assertEquals(1L, withEmpty.heartbeatConnector().config().getLong(ConnectorKeys.EMIT_HEARTBEATS_INTERVAL_SECONDS));
    assertFalse(withEmpty.checkpointConnector().present());
  }

  @Test
  void aMirrorWithoutAnyConnectorIsAnError() {
    JsonObject doc = valid();
    mirror0(doc).remove("sourceConnector");
    assertEquals(List.of("mirrors[0]: names no connector, so it would run nothing: add sourceConnector: {} to "
        + "mirror topics (a connector left out is not run, as in Strimzi; {} runs one with MM2's defaults)"),
        problems(doc));
    mirror0(doc).put("heartbeatConnector", new JsonObject());
    FlowSpec heartbeatsOnly = ConfigParser.parse(doc).flows().get(0);
    assertFalse(heartbeatsOnly.sourceConnector().present());
    assertTrue(heartbeatsOnly.heartbeatConnector().present());
  }

  @Test
  void unknownAlias() {
    JsonObject doc = valid();
    mirror0(doc).put("sourceCluster", "C");
    assertEquals(List.of("mirrors[0].sourceCluster: unknown cluster alias \"C\"; clusters[] has A, B"), problems(doc));
  }

  @Test
  void badRegex() {
    JsonObject doc = valid();
    mirror0(doc).put("topicsPattern", "orders(");
    List<String> p = problems(doc);
    assertEquals(1, p.size());
    assertTrue(p.get(0).startsWith("mirrors[0].topicsPattern: invalid regex \"orders(\""), p.get(0));
  }

  @Test
  void missingBootstrapServers() {
    JsonObject doc = valid();
    doc.getJsonArray("clusters").getJsonObject(1).remove("bootstrapServers");
    assertEquals(List.of("clusters[1].bootstrapServers: required field is missing"), problems(doc));
  }

  @Test
  void unknownFieldSuggestsTheKnownOne() {
    JsonObject doc = valid();
    mirror0(doc).put("topicPattern", "x");
    List<String> p = problems(doc);
    assertEquals(1, p.size());
    assertTrue(p.get(0).startsWith("mirrors[0].topicPattern: unknown field (did you mean topicsPattern?)"), p.get(0));
  }

  @Test
  void wrongType() {
    JsonObject doc = valid();
    mirror0(doc).getJsonObject("sourceConnector").put("tasksMax", "four");
    assertEquals(List.of("mirrors[0].sourceConnector.tasksMax: expected an integer, got string \"four\""),
        problems(doc));
  }

  @Test
  void duplicateFlow() {
    JsonObject doc = valid();
    doc.getJsonArray("mirrors").add(mirror0(doc).copy());
    assertEquals(List.of("mirrors[1]: duplicate flow A->B: each source->target pair may appear once"), problems(doc));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    JsonObject doc = valid();
    doc.getJsonArray("clusters").getJsonObject(0).remove("bootstrapServers");
    mirror0(doc).put("topicsPattern", "[").put("targetCluster", "Z");
    mirror0(doc).getJsonObject("sourceConnector").getJsonObject("config").put("replication.factor", "three")
        .put("offset.lag.maks", 5);
    doc.put("http", new JsonObject().put("port", true));
    List<String> p = problems(doc);
    assertTrue(p.contains("clusters[0].bootstrapServers: required field is missing"), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].targetCluster: unknown cluster alias \"Z\"")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.config.replication.factor: ")
        && s.contains("three")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.config.offset.lag.maks: unknown "
        + "MirrorSourceConnector config key (did you mean offset.lag.max?)")), p.toString());
    assertTrue(p.contains("http.port: expected an integer, got boolean true"), p.toString());
  }

  @Test
  void clientSettingsAreCheckedByKafkasOwnDefinitions() {
    JsonObject doc = valid();
    doc.getJsonArray("clusters").getJsonObject(0).put("config", new JsonObject()
        .put("consumer.max.poll.recrods", 10).put("lingr.ms", 5));
    List<String> p = problems(doc);
    assertTrue(p.contains("clusters[0].config.consumer.max.poll.recrods: not a Kafka consumer setting "
        + "(did you mean max.poll.records?)"), p.toString());
    assertTrue(p.contains("clusters[0].config.lingr.ms: not a Kafka consumer, producer or admin client setting "
        + "(did you mean linger.ms?)"), p.toString());

    JsonObject badValue = valid();
    badValue.getJsonArray("clusters").getJsonObject(0).put("config", new JsonObject().put("producer.acks", "most"));
    List<String> p2 = problems(badValue);
    assertEquals(1, p2.size());
    assertTrue(p2.get(0).startsWith("clusters[0].config: producer settings: Invalid value most for configuration acks"),
        p2.get(0));
  }

  @Test
  void connectorKeysAndSpecOwnedKeys() {
    JsonObject doc = valid();
    mirror0(doc).getJsonObject("sourceConnector").getJsonObject("config").put("tasks.max", 3)
        .put("offset-syncs.topic.location", "middle").put("source.cluster.fetch.min.bytes", 1);
    mirror0(doc).getJsonObject("sourceConnector").put("state", "sleeping");
    List<String> p = problems(doc);
    assertTrue(p.contains("mirrors[0].sourceConnector.config.tasks.max: set by the mirror spec; use tasksMax instead"),
        p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.config.offset-syncs.topic.location: "
        + "Invalid value middle")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.config.source.cluster.fetch.min."
        + "bytes: cluster settings belong in clusters[].config")), p.toString());
    assertTrue(p.contains("mirrors[0].sourceConnector.state: expected running, paused or stopped, got \"sleeping\""),
        p.toString());
  }

  @Test
  void replicationPolicyMustLoad() {
    JsonObject doc = valid();
    mirror0(doc).getJsonObject("sourceConnector").getJsonObject("config")
        .put("replication.policy.class", "com.example.NoSuchPolicy");
    assertEquals(List.of("mirrors[0].sourceConnector.config.replication.policy.class: class "
        + "com.example.NoSuchPolicy not found"), problems(doc));
  }

  @Test
  void identityPolicyCycleIsRejected() {
    JsonObject doc = valid();
    mirror0(doc).getJsonObject("sourceConnector").getJsonObject("config")
        .put("replication.policy.class", ConnectorKeys.IDENTITY_REPLICATION_POLICY);
    doc.getJsonArray("mirrors").add(new JsonObject().put("sourceCluster", "B").put("targetCluster", "A")
        .put("sourceConnector", new JsonObject()));
    List<String> p = problems(doc);
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("mirrors[0]: replication cycle A->B->A with "
        + ConnectorKeys.IDENTITY_REPLICATION_POLICY), p.get(0));
  }

  @Test
  void bidirectionalWithDefaultPolicyIsFine() {
    JsonObject doc = valid();
    doc.getJsonArray("mirrors").add(new JsonObject().put("sourceCluster", "B").put("targetCluster", "A")
        .put("sourceConnector", new JsonObject()));
    assertEquals(2, ConfigParser.parse(doc).flows().size());
  }

  @Test
  void twoAliasesOfTheSameBootstrapServersAreAMirrorOntoItself() {
    for (String[] c : new String[][] {
        {"127.0.0.1:19092", "127.0.0.1:19092", "127.0.0.1:19092"},
        {"Broker-1.example:9092,broker-2.example:9092", " broker-2.example:9092 , BROKER-1.EXAMPLE:9092",
            "broker-2.example:9092"},
        {"a:1,b:2", "c:3,b:2", "b:2"}}) {
      JsonObject doc = valid();
      doc.getJsonArray("clusters").getJsonObject(0).put("bootstrapServers", c[0]);
      doc.getJsonArray("clusters").getJsonObject(1).put("bootstrapServers", c[1]);
      assertEquals(List.of("mirrors[0].targetCluster: \"B\" is the same cluster as sourceCluster \"A\": both "
          + "bootstrapServers list " + c[2]), problems(doc), c[0] + " / " + c[1]);
    }
    JsonObject other = valid(); // same host, other port: another cluster
    other.getJsonArray("clusters").getJsonObject(1).put("bootstrapServers", "127.0.0.1:19093");
    assertEquals(1, ConfigParser.parse(other).flows().size());
  }

  @Test
  void sameSourceAndTargetAndMissingSections() {
    JsonObject doc = valid();
    mirror0(doc).put("targetCluster", "A");
    assertEquals(List.of("mirrors[0].targetCluster: must differ from sourceCluster (\"A\")"), problems(doc));
    List<String> empty = problems(new JsonObject());
    assertEquals(List.of("clusters: required field is missing", "mirrors: required field is missing"), empty);
  }

  @Test
  void patternConflictsWithConnectorKey() {
    JsonObject doc = valid();
    mirror0(doc).getJsonObject("sourceConnector").getJsonObject("config").put("topics", "x");
    assertEquals(List.of("mirrors[0].sourceConnector.config.topics: conflicts with mirrors[0].topicsPattern; "
        + "set only topicsPattern"), problems(doc));
  }

  @Test
  void strimziOnlyFieldsAreIgnoredAndCommaListsWork() {
    JsonObject doc = valid().put("replicas", 3).put("connectCluster", "B").put("version", "4.1.1");
    mirror0(doc).put("topicsPattern", "orders, pay.*").put("topicsExcludePattern", "payments-dlq");
    FlowSpec flow = ConfigParser.parse(doc).flows().get(0);
    assertTrue(flow.topicFilter().test("orders"));
    assertTrue(flow.topicFilter().test("payments"));
    assertFalse(flow.topicFilter().test("payments-dlq"));
    assertFalse(flow.topicFilter().test("orders-x"));
  }
}
