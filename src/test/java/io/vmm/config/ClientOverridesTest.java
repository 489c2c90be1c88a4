package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.vmm.config.ConfigParserTest.mirror0;
import static io.vmm.config.ConfigParserTest.problems;
import static io.vmm.config.ConfigParserTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-connector client overrides: parsing, validation against Kafka's definitions, precedence. */
class ClientOverridesTest {

  private static JsonObject connectorConfig(JsonObject doc, String connector) {
    JsonObject c = mirror0(doc).getJsonObject(connector);
    if (c == null) {
      c = new JsonObject();
      mirror0(doc).put(connector, c);
    }
    if (c.getJsonObject("config") == null) {
      c.put("config", new JsonObject());
    }
    return c.getJsonObject("config");
  }

  private static FlowSpec flow(JsonObject doc) {
    return ConfigParser.parse(doc).flows().get(0);
  }

  @Test
  void sourceConnectorPrefixesReachTheirClients() {
    JsonObject doc = valid(); // cluster B sets producer.linger.ms=10
    connectorConfig(doc, "sourceConnector").put("producer.override.linger.ms", 50)
        .put("producer.override.compression.type", "zstd").put("producer.compression.type", "lz4")
        .put("consumer.max.poll.records", 77).put("consumer.poll.timeout.ms", 250);
    FlowSpec flow = flow(doc);
    ClientOverrides o = flow.sourceConnector().config().clients();
    assertEquals(Map.of("linger.ms", "50", "compression.type", "zstd"), o.producerOverride());
    assertEquals(Map.of("compression.type", "lz4"), o.producer());
    assertEquals(Map.of("max.poll.records", "77"), o.consumer());
    // consumer.poll.timeout.ms is MM2's own connector key, not a consumer override
    assertEquals(250L, flow.sourceConnector().config().getLong(ConnectorKeys.CONSUMER_POLL_TIMEOUT_MS));

    // precedence: override > clusters[].config (producer.linger.ms=10) > the project's default (5)
    Map<String, Object> producer = ClientOverrides.apply(flow.target().producerConfig("p"), o.producerOverride());
    assertEquals("50", producer.get("linger.ms"));
    assertEquals("zstd", producer.get("compression.type"));
    assertEquals("all", producer.get("acks"));
    Map<String, Object> consumer = ClientOverrides.apply(flow.source().consumerConfig("c"), o.consumer());
    assertEquals("77", consumer.get("max.poll.records"));
    assertEquals("false", consumer.get("enable.auto.commit"));
  }

  @Test
  void applyNeverChangesProtectedKeys() {
    Map<String, Object> base = Map.of("bootstrap.servers", "a:1", "key.deserializer", "K",
        "value.deserializer", "V", "enable.auto.commit", "false", "client.id", "c");
    Map<String, Object> out = ClientOverrides.apply(base, Map.of("bootstrap.servers", "evil:1",
        "key.deserializer", "X", "enable.auto.commit", "true", "group.id", "g", "client.id", "mine"));
    assertEquals("a:1", out.get("bootstrap.servers"));
    assertEquals("K", out.get("key.deserializer"));
    assertEquals("false", out.get("enable.auto.commit"));
    assertFalse(out.containsKey("group.id"));
    assertEquals("mine", out.get("client.id"));
  }

  @Test
  void protectedKeysAreProblems() {
    JsonObject doc = valid();
    connectorConfig(doc, "sourceConnector").put("consumer.bootstrap.servers", "x:1")
        .put("consumer.enable.auto.commit", true).put("producer.override.value.serializer", "S")
        .put("consumer.group.id", "g");
    List<String> p = problems(doc);
    String at = "mirrors[0].sourceConnector.config.";
    assertTrue(p.contains(at + "consumer.bootstrap.servers: cannot be overridden: set clusters[].bootstrapServers "
        + "instead"), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith(at + "consumer.enable.auto.commit: cannot be overridden: "
        + "forced to false")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith(at + "producer.override.value.serializer: cannot be "
        + "overridden")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith(at + "consumer.group.id: cannot be overridden")), p.toString());
    assertEquals(4, p.size(), p.toString());
  }

  @Test
  void unknownKeysAndBadValuesAreProblemsWithAHint() {
    JsonObject doc = valid();
    connectorConfig(doc, "sourceConnector").put("producer.override.lingr.ms", 5)
        .put("consumer.max.pol.records", 5).put("producer.override.batch.size", "big")
        .put("producer.override.compression.type", "brotli");
    List<String> p = problems(doc);
    String at = "mirrors[0].sourceConnector.config.";
    assertTrue(p.contains(at + "producer.override.lingr.ms: not a Kafka producer setting (did you mean linger.ms?)"),
        p.toString());
    assertTrue(p.contains(at + "consumer.max.pol.records: not a Kafka consumer setting (did you mean "
        + "max.poll.records?)"), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith(at + "producer.override.batch.size: Invalid value big")),
        p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith(at + "producer.override.compression.type: Invalid value "
        + "brotli")), p.toString());
    assertEquals(4, p.size(), p.toString());
  }

  @Test
  void checkpointAndHeartbeatTakeProducerOverrideAndConsumer() {
    JsonObject doc = valid();
    connectorConfig(doc, "checkpointConnector").put("producer.override.linger.ms", 20)
        .put("consumer.fetch.max.wait.ms", 100);
    connectorConfig(doc, "heartbeatConnector").put("producer.override.client.id", "hb")
        .put("consumer.fetch.max.wait.ms", 100);
    FlowSpec flow = flow(doc);
    ClientOverrides cp = flow.checkpointConnector().config().clients();
    assertEquals(Map.of("linger.ms", "20"), cp.producerOverride());
    assertEquals(Map.of("fetch.max.wait.ms", "100"), cp.consumer());
    assertEquals(Map.of(), cp.producer());
    ClientOverrides hb = flow.heartbeatConnector().config().clients();
    assertEquals(Map.of("client.id", "hb"), hb.producerOverride());
    assertEquals(Map.of(), hb.consumer(), "the heartbeat connector has no consumer: validated, no effect");
  }

  @Test
  void keysThatReachNoClientAreProblems() {
    JsonObject doc = valid();
    connectorConfig(doc, "checkpointConnector").put("producer.linger.ms", 20);
    connectorConfig(doc, "heartbeatConnector").put("producer.acks", "all").put("consumer.fetch.max.wait.mz", 1);
    connectorConfig(doc, "sourceConnector").put("admin.request.timeout.ms", 1000)
        .put("consumer.override.max.poll.records", 5);
    List<String> p = problems(doc);
    assertTrue(p.contains("mirrors[0].checkpointConnector.config.producer.linger.ms: MM2's MirrorCheckpointConnector "
        + "has no producer of its own; set producer.override.linger.ms for the producer that writes its checkpoints"),
        p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].heartbeatConnector.config.producer.acks: MM2's "
        + "MirrorHeartbeatConnector has no producer of its own; set producer.override.acks")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].heartbeatConnector.config.consumer.fetch.max.wait.mz: "
        + "not a Kafka consumer setting (did you mean fetch.max.wait.ms?)")), p.toString());
    assertTrue(p.contains("mirrors[0].sourceConnector.config.admin.request.timeout.ms: admin clients are not "
        + "configured per connector here; set admin.request.timeout.ms in clusters[].config"), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.config.consumer.override."
        + "max.poll.records: ") && s.endsWith("use consumer.max.poll.records")), p.toString());
    assertEquals(5, p.size(), p.toString());
  }

  @Test
  void acksBelowAllNeedsIdempotenceOff() {
    JsonObject doc = valid();
    connectorConfig(doc, "sourceConnector").put("producer.override.acks", "1");
    assertEquals(List.of("mirrors[0].sourceConnector.config.producer.override.acks: acks=1 needs "
        + "producer.override.enable.idempotence: false (the mirror's producers are idempotent, which requires "
        + "acks=all)"), problems(doc));

    connectorConfig(doc, "sourceConnector").put("producer.override.enable.idempotence", false);
    assertEquals("1", flow(doc).sourceConnector().config().clients().producerOverride().get("acks"));

    JsonObject viaCluster = valid();
    viaCluster.getJsonArray("clusters").getJsonObject(1).getJsonObject("config")
        .put("producer.enable.idempotence", false);
    connectorConfig(viaCluster, "heartbeatConnector").put("producer.override.acks", "1");
    assertEquals("1", flow(viaCluster).heartbeatConnector().config().clients().producerOverride().get("acks"));
  }

  @Test
  void configProviderReferencesAreLeftToTheClient() {
    JsonObject doc = valid();
    connectorConfig(doc, "sourceConnector").put("producer.override.batch.size", "${file:/etc/x.properties:batch}");
    assertEquals("${file:/etc/x.properties:batch}",
        flow(doc).sourceConnector().config().clients().producerOverride().get("batch.size"));
  }

  @Test
  void secretOverridesArePrintedHidden() {
    JsonObject doc = valid();
    connectorConfig(doc, "sourceConnector").put("consumer.sasl.jaas.config", "secret-jaas-value")
        .put("producer.override.ssl.key.password", "secret-key-password").put("producer.override.linger.ms", 7);
    FlowSpec flow = flow(doc);
    String printed = flow.toString();
    assertFalse(printed.contains("secret-jaas-value"), printed);
    assertFalse(printed.contains("secret-key-password"), printed);
    assertTrue(printed.contains("consumer.sasl.jaas.config=[hidden]"), printed);
    assertTrue(printed.contains("producer.override.linger.ms=7"), printed);
  }

  @Test
  void noOverridesIsNone() {
    assertSame(ClientOverrides.NONE, flow(valid()).sourceConnector().config().clients());
    assertTrue(ClientOverrides.NONE.isEmpty());
  }
}
