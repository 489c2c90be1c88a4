package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MM2's properties file to the spec document, and on through the parser (the same model as from JSON). */
class Mm2PropertiesTest {

  private static Map<String, String> props(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
    return m;
  }

  private static Mm2Properties.Translation translate(String text, String... targets) {
    return Mm2Properties.translate(props(text), Set.of(targets));
  }

  private static final String TWO = """
      clusters = A, B
      A.bootstrap.servers = a:9092
      B.bootstrap.servers = b:9092
      """;

  @Test
  void clustersFlowsAndScoping() {
    Mm2Properties.Translation t = translate(TWO + """
        A->B.enabled = true
        replication.factor = 1
        tasks.max = 4
        topics = orders.*, payments
        groups = app-.*
        sync.topic.acls.enabled = false
        emit.heartbeats.enabled = false
        refresh.topics.interval.seconds = 30
        replication.policy.separator = _
        A->B.replication.factor = 3
        A->B.emit.checkpoints.interval.seconds = 5
        A.consumer.max.poll.records = 500
        A.security.protocol = PLAINTEXT
        B.producer.linger.ms = 10
        B.offset.storage.replication.factor = 1
        B.offset.flush.interval.ms = 1000
        """);
    JsonObject spec = t.spec();
    assertEquals(2, spec.getJsonArray("clusters").size());
    JsonObject a = spec.getJsonArray("clusters").getJsonObject(0);
    assertEquals("A", a.getString("alias"));
    assertEquals("a:9092", a.getString("bootstrapServers"));
    assertEquals(new JsonObject().put("consumer.max.poll.records", "500").put("security.protocol", "PLAINTEXT"),
        a.getJsonObject("config"));
    JsonObject b = spec.getJsonArray("clusters").getJsonObject(1);
    assertEquals(new JsonObject().put("offset.storage.replication.factor", "1").put("producer.linger.ms", "10"),
        b.getJsonObject("config"));

    assertEquals(1, spec.getJsonArray("mirrors").size());
    JsonObject m = spec.getJsonArray("mirrors").getJsonObject(0);
    assertEquals("A", m.getString("sourceCluster"));
    assertEquals("B", m.getString("targetCluster"));
    JsonObject source = m.getJsonObject("sourceConnector");
    assertEquals(4, source.getInteger("tasksMax"));
    JsonObject sc = source.getJsonObject("config");
    assertEquals("3", sc.getString("replication.factor"), "the flow's key wins over the top-level default");
    assertEquals("orders.*, payments", sc.getString("topics"));
    assertEquals("false", sc.getString("sync.topic.acls.enabled"));
    assertEquals("30", sc.getString("refresh.topics.interval.seconds"));
    assertEquals("_", sc.getString("replication.policy.separator"));
    assertEquals("1000", sc.getString("offset.flush.interval.ms"), "the target's worker key");
    assertNull(sc.getString("groups"), "groups is a checkpoint key");
    assertNull(sc.getString("emit.heartbeats.enabled"));
    JsonObject cc = m.getJsonObject("checkpointConnector").getJsonObject("config");
    assertEquals("app-.*", cc.getString("groups"));
    assertEquals("5", cc.getString("emit.checkpoints.interval.seconds"));
    assertEquals("_", cc.getString("replication.policy.separator"));
    assertNull(cc.getString("replication.factor"));
    JsonObject hb = m.getJsonObject("heartbeatConnector");
    assertNull(hb.getInteger("tasksMax"));
    assertEquals("false", hb.getJsonObject("config").getString("emit.heartbeats.enabled"));
    assertEquals(List.of(), t.warnings());

    MirrorMakerConfig config = ConfigParser.parse(spec, new Environment(Map.of()));
    assertEquals(1, config.flows().size());
    FlowSpec flow = config.flows().get(0);
    assertEquals("A->B", flow.name());
    assertEquals(4, flow.sourceConnector().tasksMax());
    assertEquals(3, flow.sourceConnector().config().getInt("replication.factor"));
    assertFalse(flow.heartbeatConnector().config().getBoolean("emit.heartbeats.enabled"));
    assertEquals("500", flow.source().config().get("consumer.max.poll.records"));
  }

  @Test
  void pairsAreDisabledUnlessEnabledAndClustersFilterTargets() {
    String text = TWO + "C.bootstrap.servers = c:9092\nclusters = A, B, C\n"
        + "A->B.enabled = true\nB->A.enabled = true\nA->C.enabled = false\nC->A.topics = x\n";
    Mm2Properties.Translation all = translate(text);
    assertEquals(List.of("A->B", "B->A"), names(all.spec()));
    assertEquals(2, all.spec().getJsonArray("clusters").size(), "C is used by no enabled flow");
    assertTrue(all.warnings().stream().anyMatch(w -> w.startsWith("C->A.*: ignored: the flow is not enabled")),
        all.warnings().toString());

    Mm2Properties.Translation onlyB = translate(text, "B");
    assertEquals(List.of("A->B"), names(onlyB.spec()));
    ConfigException e = assertThrows(ConfigException.class, () -> translate(text, "C"));
    assertEquals(List.of("--clusters: no enabled flow targets C"), e.problems());
    e = assertThrows(ConfigException.class, () -> translate(text, "D"));
    assertTrue(e.problems().get(0).startsWith("--clusters: \"D\" is not in clusters"), e.problems().toString());
  }

  @Test
  void exactlyOnceIsScopedToTheTargetClusterAsInMm2() {
    Mm2Properties.Translation t = translate("""
        clusters = A, B
        A.bootstrap.servers = a:1
        B.bootstrap.servers = b:1
        A->B.enabled = true
        B.exactly.once.source.support = enabled
        exactly.once.source.support = enabled
        """);
    MirrorMakerConfig config = ConfigParser.parse(t.spec());
    assertTrue(config.flows().get(0).exactlyOnce(), "B.exactly.once.source.support reaches the flow into B");
    assertTrue(t.warnings().stream().anyMatch(w -> w.startsWith("exactly.once.source.support: ignored: a worker "
        + "key that MM2 reads per target cluster only")), t.warnings().toString());
  }

  @Test
  void keysMm2WouldDropAreReported() {
    Mm2Properties.Translation t = translate(TWO + """
        A->B.enabled = true
        A->C.enabled = true
        D.bootstrap.servers = d:9092
        no.such.key = 1
        use.defaults.from = source
        offset.flush.interval.ms = 100
        dedicated.mode.enable.internal.rest = true
        key.converter = org.apache.kafka.connect.converters.ByteArrayConverter
        A.no.such.setting = x
        A->B.no.such.key = y
        A->B.admin.request.timeout.ms = 1000
        """);
    List<String> w = t.warnings();
    for (String prefix : List.of("A->C.enabled: ignored: \"C\" is not in clusters",
        "D.bootstrap.servers: ignored: not a cluster alias", "no.such.key: ignored:",
        "use.defaults.from: ignored: MM2 reads it per flow only", "offset.flush.interval.ms: ignored: a worker key",
        "dedicated.mode.enable.internal.rest: ignored", "key.converter: ignored", "A.no.such.setting: ignored",
        "A->B.no.such.key: ignored: no connector reads this key", "A->B.admin.request.timeout.ms: ignored")) {
      assertTrue(w.stream().anyMatch(l -> l.startsWith(prefix)), prefix + " in " + w);
    }
    assertEquals(10, w.size(), w.toString());
    ConfigParser.parse(t.spec(), new Environment(Map.of())); // what is left is valid
  }

  @Test
  void errorsNameThePropertyKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> translate("A.bootstrap.servers = a:1\n"));
    assertEquals(List.of("clusters: required: the cluster aliases, e.g. clusters = A, B"), e.problems());
    e = assertThrows(ConfigException.class, () -> translate("clusters = A, B\nA->B.enabled = yes\n"
        + "tasks.max = many\n"));
    assertTrue(e.problems().contains("A->B.enabled: expected true or false, got \"yes\""), e.problems().toString());
    assertTrue(e.problems().contains("tasks.max: expected a positive integer, got \"many\""), e.problems().toString());
    assertTrue(e.problems().contains("no flow is enabled: set e.g. A->B.enabled = true"), e.problems().toString());
    e = assertThrows(ConfigException.class, () -> translate("clusters = A, B\nA.bootstrap.servers = a:1\n"
        + "A->B.enabled = true\n"));
    assertEquals(List.of("B.bootstrap.servers: required (or a top-level bootstrap.servers)"), e.problems());
  }

  @Test
  void topLevelClientKeysAreClusterDefaultsAndProvidersPassThrough() {
    Mm2Properties.Translation t = translate("""
        clusters = A, B
        bootstrap.servers = shared:9092
        B.bootstrap.servers = b:9092
        security.protocol = SASL_PLAINTEXT
        sasl.mechanism = PLAIN
        A.sasl.jaas.config = ${file:/etc/secret.properties:jaas}
        config.providers = file
        config.providers.file.class = org.apache.kafka.common.config.provider.FileConfigProvider
        offset.storage.replication.factor = 1
        A->B.enabled = true
        A->B.producer.override.linger.ms = 7
        A->B.consumer.fetch.min.bytes = 2
        A->B.producer.acks = all
        """);
    JsonObject a = t.spec().getJsonArray("clusters").getJsonObject(0);
    assertEquals("shared:9092", a.getString("bootstrapServers"));
    assertEquals("${file:/etc/secret.properties:jaas}", a.getJsonObject("config").getString("sasl.jaas.config"));
    assertEquals("file", a.getJsonObject("config").getString("config.providers"));
    assertEquals("PLAIN", a.getJsonObject("config").getString("sasl.mechanism"));
    JsonObject b = t.spec().getJsonArray("clusters").getJsonObject(1);
    assertEquals("b:9092", b.getString("bootstrapServers"));
    assertEquals("1", b.getJsonObject("config").getString("offset.storage.replication.factor"));
    JsonObject m = t.spec().getJsonArray("mirrors").getJsonObject(0);
    JsonObject sc = m.getJsonObject("sourceConnector").getJsonObject("config");
    assertEquals("7", sc.getString("producer.override.linger.ms"));
    assertEquals("2", sc.getString("consumer.fetch.min.bytes"));
    assertEquals("all", sc.getString("producer.acks"));
    JsonObject cc = m.getJsonObject("checkpointConnector").getJsonObject("config");
    assertEquals("2", cc.getString("consumer.fetch.min.bytes"));
    assertNull(cc.getString("producer.acks"));
    assertEquals("7", m.getJsonObject("heartbeatConnector").getJsonObject("config")
        .getString("producer.override.linger.ms"));
    assertEquals(List.of(), t.warnings());
  }

  @Test
  void printedSpecHidesSecrets() {
    Mm2Properties.Translation t = translate(TWO + """
        A->B.enabled = true
        A.sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required password="s3cret";
        B.ssl.truststore.password = changeit
        A->B.producer.override.ssl.key.password = k3y
        """);
    String printed = PrintableSpec.redacted(t.spec().put("http", new JsonObject().put("token", "t0k")))
        .encodePrettily();
    for (String secret : List.of("s3cret", "changeit", "k3y", "t0k")) {
      assertFalse(printed.contains(secret), printed);
    }
    assertTrue(printed.contains("\"sasl.jaas.config\" : \"[hidden]\""), printed);
    assertTrue(printed.contains("\"bootstrapServers\" : \"a:9092\""), printed);
  }

  private static List<String> names(JsonObject spec) {
    return spec.getJsonArray("mirrors").stream().map(o -> (JsonObject) o)
        .map(m -> m.getString("sourceCluster") + "->" + m.getString("targetCluster")).toList();
  }
}
