package io.vmm;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.config.ConfigSource;
import io.vmm.config.Environment;
import io.vmm.config.StrimziFields;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.LogCapture;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.SecretsDir;
import io.vmm.testkit.SecuredClusters;
import io.vmm.testkit.SecuredListeners;
import io.vmm.testkit.TestCertificates;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.TIMEOUT;
import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.topicExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "done when": Strimzi's full documented {@code KafkaMirrorMaker2} example resource
 * ({@code src/test/resources/strimzi/kafka-mirror-maker-2-tls.yaml}: mutual TLS to both clusters, trusted
 * certificates by pattern, all three connectors with {@code autoRestart}, IdentityReplicationPolicy, group offset
 * sync, {@code resources}, {@code jvmOptions}, inline {@code logging}, probes, {@code metricsConfig}, {@code rack},
 * {@code template}, {@code tracing}, {@code externalConfiguration}), and its SCRAM-SHA-512 variant, each run as
 * written against two secured local clusters with the Secrets mounted as files. The only text replaced is the two
 * bootstrap hostnames; the test adds {@code http.port: 0} and {@code metrics.port: 0} (this project's fields,
 * absent from a Strimzi resource) so that the run does not take the machine's ports 8083 and 9404.
 * <p>
 * Loaded through the real loading path ({@link ConfigSource#load}, then the parser with an {@link Environment}
 * holding {@code VMM_SECRETS_DIR} and {@code VMM_RACK_ID}); tracing on with the exporter turned off
 * ({@code otel.traces.exporter=none}, the system-property form of {@code OTEL_TRACES_EXPORTER}, read by the SDK's
 * autoconfigure as in production). Checks: the records arrive (with a W3C {@code traceparent}), checkpoints and
 * heartbeats are written, group offsets are synced, a topic outside {@code topicsPattern} is not mirrored, each
 * ignored field gives its warning with its reason, the rack id reaches the consumers, and no secret (password,
 * private key, the CA's {@code ca.password}) appears in the captured log, in {@code /api/flows},
 * {@code /connectors?expand=status&expand=info} or {@code /metrics}.
 */
@SecuredClusters
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class StrimziExampleIT {

  private static final String SOURCE_HOST = "my-cluster-source-kafka-bootstrap:9092";
  private static final String TARGET_HOST = "my-cluster-target-kafka-bootstrap:9092";
  private static final String SOURCE = "my-cluster-source";
  private static final String TARGET = "my-cluster-target";
  /** The fields of the example that are ignored, each with one warning. */
  private static final List<String> IGNORED = List.of("version", "replicas", "connectCluster", "resources",
      "readinessProbe", "livenessProbe", "jvmOptions", "metricsConfig", "template", "externalConfiguration");
  private static final String OTEL_EXPORTER = "otel.traces.exporter";
  /** The content of the CA Secrets' {@code ca.password} (Strimzi's cluster CA Secret has one); never read. */
  private static final String CA_PASSWORD = "ca-pw-" + UUID.randomUUID();

  @TempDir
  static Path tmp;
  private static SecretsDir secrets;
  private static Environment env;
  private static String exporterBefore;

  private final TwoClusters clusters;

  StrimziExampleIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  /** The Secrets the two resources name, as Strimzi's cluster and user operators would create them. */
  @BeforeAll
  static void mountSecrets() {
    TestCertificates pki = TestCertificates.get();
    secrets = SecretsDir.at(tmp.resolve("secrets"));
    for (String cluster : List.of(SOURCE, TARGET)) {
      String caSecret = cluster + "-cluster-ca-cert";
      secrets.put(caSecret, "ca.crt", pki.caPem());
      secrets.put(caSecret, "ca.p12", "PKCS#12 bytes: not matched by *.crt");
      secrets.put(caSecret, "ca.password", CA_PASSWORD);
    }
    secrets.put("my-user-source", "source.crt", pki.userCertPem());
    secrets.put("my-user-source", "source.key", pki.userKeyPem());
    secrets.put("my-user-target", "target.crt", pki.rotatedUserCertPem());
    secrets.put("my-user-target", "target.key", pki.rotatedUserKeyPem());
    for (String user : List.of("my-user-source", "my-user-target")) {
      secrets.put(user, "password", SecuredListeners.SCRAM_PASSWORD + "\n");
    }
    env = new Environment(Map.of(Environment.SECRETS_DIR, secrets.root().toString(), Environment.RACK_ID, "zone-a"));
    exporterBefore = System.getProperty(OTEL_EXPORTER);
    System.setProperty(OTEL_EXPORTER, "none"); // no collector here; OTEL_TRACES_EXPORTER=none in production
  }

  @AfterAll
  static void restoreExporter() {
    if (exporterBefore == null) {
      System.clearProperty(OTEL_EXPORTER);
    } else {
      System.setProperty(OTEL_EXPORTER, exporterBefore);
    }
  }

  @Test
  void strimziDocumentedExampleWithMutualTls() throws Exception {
    run("kafka-mirror-maker-2-tls.yaml", SecuredListeners.SSL, "topic1", "group1");
  }

  @Test
  void scramSha512Variant() throws Exception {
    run("kafka-mirror-maker-2-scram.yaml", SecuredListeners.SASL_SSL, "topic2", "group2");
  }

  /**
   * The resource with its two hostnames replaced by the clusters' {@code listener} addresses, written to a file and
   * read back as MirrorMain reads {@code -conf} ({@link ConfigSource#load}); plus free ports for http and metrics.
   */
  private JsonObject load(String resource, String listener) throws Exception {
    String text;
    try (InputStream in = StrimziExampleIT.class.getResourceAsStream("/strimzi/" + resource)) {
      assertNotNull(in, resource);
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(text.contains(SOURCE_HOST) && text.contains(TARGET_HOST), resource);
    Path file = tmp.resolve(resource);
    Files.writeString(file, text.replace(SOURCE_HOST, clusters.a().bootstrapServers(listener))
        .replace(TARGET_HOST, clusters.b().bootstrapServers(listener)));
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject doc = ConfigSource.load(vertx, file.toString()).await(30, TimeUnit.SECONDS);
      return doc.put("http", new JsonObject().put("port", 0)).put("metrics", new JsonObject().put("port", 0));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private void run(String resource, String listener, String topic, String group) throws Exception {
    EmbeddedKafkaCluster a = clusters.a();
    EmbeddedKafkaCluster b = clusters.b();
    a.createTopic(topic, 2);
    a.createTopic("other-" + topic, 1); // outside topicsPattern
    int n = 40;
    try (KafkaProducer<byte[], byte[]> p = a.newProducer()) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, i % 2, ("k" + i).getBytes(StandardCharsets.UTF_8),
            ("v" + i).getBytes(StandardCharsets.UTF_8)));
        p.send(new ProducerRecord<>("other-" + topic, ("o" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    a.admin().alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(15),
        new TopicPartition(topic, 1), new OffsetAndMetadata(15))).all().get(10, TimeUnit.SECONDS);
    String checkpoints = SOURCE + ".checkpoints.internal";
    long heartbeatsBefore = Math.max(0, count(a, "heartbeats")); // written on the source, mirrored to B
    JsonObject doc = load(resource, listener);

    String logText;
    try (LogCapture log = LogCapture.verbose()) {
      try (RunningMirror m = startMirror(doc, env)) {
        // records, under the same name (IdentityReplicationPolicy), each with the mirror's trace context
        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(b, topic, n);
        Set<String> values = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          values.add(new String(r.value(), StandardCharsets.UTF_8));
          assertNotNull(r.headers().lastHeader("traceparent"), "traced: " + r);
        }
        for (int i = 0; i < n; i++) {
          assertTrue(values.contains("v" + i), "v" + i + " mirrored");
        }
        Await.until("heartbeats on the source", TIMEOUT, () -> count(a, "heartbeats") > heartbeatsBefore);
        awaitCheckpoint(m, b, checkpoints, group, topic);
        Await.until(group + " synced to B", TIMEOUT, () -> syncedOffsets(b, group, topic) > 0);
        JsonObject flow = m.flow();
        for (String c : List.of("source", "checkpoint", "heartbeat")) {
          assertEquals("RUNNING", flow.getJsonObject("connectors").getJsonObject(c).getString("state"),
              flow.encodePrettily());
        }
        assertFalse(topicExists(b, "other-" + topic), "a topic outside topicsPattern is not mirrored");
        assertNoSecret("/api/flows", OperationsIT.http("GET", OperationsIT.api(m, "/api/flows"), null).body());
        assertNoSecret("/connectors", OperationsIT.http("GET",
            OperationsIT.api(m, "/connectors?expand=status&expand=info"), null).body());
        assertNoSecret("/metrics", OperationsIT.scrape(m));
      }
      for (String path : IGNORED) {
        StrimziFields.Field field = StrimziFields.FIELDS.get(path);
        assertEquals(StrimziFields.Handling.IGNORED, field.handling(), path);
        String warning = path + ": Strimzi field ignored: " + field.note();
        assertTrue(log.events(e -> e.getLevel().toString().equals("WARN")
            && e.getFormattedMessage().equals(warning)).size() == 1, "one warning: " + warning + "\n"
            + log.messagesContaining("Strimzi field ignored"));
      }
      assertEquals(IGNORED.size(), log.messagesContaining("Strimzi field ignored").size(),
          log.messagesContaining("Strimzi field ignored").toString());
      assertTrue(log.messagesContaining("client.rack = zone-a").size() > 0, "rack id reached the consumers");
      assertTrue(log.messagesContaining("tracing on").size() > 0, "tracing on");
      assertTrue(log.messagesContaining("sasl.jaas.config = [hidden]").size() > 0
          || log.messagesContaining("ssl.keystore.key = [hidden]").size() > 0, "client settings dumps captured");
      logText = log.text();
    }
    assertNoSecret("log", logText);
  }

  /**
   * Waits for a checkpoint of {@code group} on {@code topic}, restarting the checkpoint connector through REST
   * every 5 s while there is none: the example's {@code emit.checkpoints.interval.seconds: 60} runs once at start
   * (possibly before the first offset syncs exist) and then a minute later; a restart runs it again at once.
   */
  private static void awaitCheckpoint(RunningMirror m, EmbeddedKafkaCluster b, String checkpoints, String group,
                                      String topic) {
    String restart = OperationsIT.api(m, "/connectors/" + SOURCE + "-%3E" + TARGET
        + ".MirrorCheckpointConnector/restart");
    long[] lastRestart = {System.currentTimeMillis()}; // first give the run at start its chance
    Await.until("a checkpoint of " + group + " in " + checkpoints, TIMEOUT, () -> {
      if (hasCheckpoint(b, checkpoints, group, topic)) {
        return true;
      }
      if (System.currentTimeMillis() - lastRestart[0] > 5_000) {
        lastRestart[0] = System.currentTimeMillis();
        assertEquals(204, OperationsIT.http("POST", restart, null).statusCode(), restart);
      }
      return false;
    });
  }

  private static boolean hasCheckpoint(EmbeddedKafkaCluster b, String checkpoints, String group, String topic) {
    if (count(b, checkpoints) <= 0) {
      return false;
    }
    for (ConsumerRecord<byte[], byte[]> r : b.readAllNow(checkpoints)) {
      Checkpoint c = Checkpoint.deserializeRecord(r);
      if (c.consumerGroupId().equals(group) && c.topicPartition().topic().equals(topic)) {
        return true;
      }
    }
    return false;
  }

  /** The sum of {@code group}'s committed offsets on {@code topic} on B (0 when none). */
  private static long syncedOffsets(EmbeddedKafkaCluster b, String group, String topic) {
    try {
      return b.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
          .entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset()).sum();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Passwords (and the random part of the SCRAM password), private key lines and the CA's password. */
  private static List<String> secretStrings() {
    List<String> out = new ArrayList<>();
    String pw = SecuredListeners.SCRAM_PASSWORD;
    out.add(pw);
    out.add(pw.substring(pw.indexOf('\\') + 1, pw.indexOf(';')));
    out.add(CA_PASSWORD);
    TestCertificates pki = TestCertificates.get();
    for (String key : List.of(pki.userKeyPem(), pki.rotatedUserKeyPem(), pki.brokerKeyPem())) {
      key.lines().filter(l -> !l.startsWith("-----") && l.length() > 20).forEach(out::add);
    }
    return out;
  }

  private static void assertNoSecret(String where, String text) {
    for (String secret : secretStrings()) {
      assertFalse(text.contains(secret), where + " contains a secret (" + secret.length() + " chars)");
    }
  }
}
