package io.vmm;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.config.Environment;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.SecretsDir;
import io.vmm.testkit.SecuredClusters;
import io.vmm.testkit.SecuredListeners;
import io.vmm.testkit.TestCertificates;
import io.vmm.testkit.TestOAuthServer;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.TIMEOUT;
import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.storedProgress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mirroring between secured clusters configured as Strimzi's {@code KafkaMirrorMaker2} does it, with the Secrets
 * mounted as files ({@code VMM_SECRETS_DIR}): mutual TLS ({@code authentication.type: tls}, trusted certificates
 * by pattern) on both sides with checkpoints and heartbeats, SASL_SSL with SCRAM-SHA-512 on both sides, and
 * SASL_SSL with PLAIN to an mTLS target, and OAUTHBEARER (client credentials against a token endpoint served by the
 * test; the brokers validate the JWTs with Kafka's built-in validator and the test's JWKS). After each run no
 * secret (password, private key, OAuth client secret) appears in the captured
 * log (Kafka clients' and this service's, at INFO and DEBUG), in {@code /api/flows}, in
 * {@code /connectors?expand=status&expand=info} or in {@code /metrics}.
 */
@SecuredClusters
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class SecuredMirrorIT {

  private static final ListAppender<ILoggingEvent> CAPTURED = new ListAppender<>();
  /** Loggers made more verbose while the class runs (Kafka clients print their settings at INFO), old levels. */
  private static final Map<String, Level> LEVELS = new LinkedHashMap<>();

  @TempDir
  static Path tmp;
  private static SecretsDir secrets;
  private static Environment env;

  private final TwoClusters clusters;

  SecuredMirrorIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  @BeforeAll
  static void secretsAndLogCapture() {
    secrets = SecretsDir.standard(tmp.resolve("secrets"));
    env = new Environment(Map.of(Environment.SECRETS_DIR, secrets.root().toString()));
    for (String[] l : new String[][] {{"org.apache.kafka.clients", "INFO"}, {"org.apache.kafka.common.config",
        "INFO"}, {"org.apache.kafka.common.security", "INFO"}, {"io.vmm", "DEBUG"}}) {
      Logger logger = (Logger) LoggerFactory.getLogger(l[0]);
      LEVELS.put(l[0], logger.getLevel());
      logger.setLevel(Level.toLevel(l[1]));
    }
    CAPTURED.start();
    root().addAppender(CAPTURED);
  }

  @AfterAll
  static void noSecretInTheLog() {
    root().detachAppender(CAPTURED);
    LEVELS.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    List<ILoggingEvent> events;
    synchronized (CAPTURED) {
      events = new ArrayList<>(CAPTURED.list);
    }
    assertTrue(events.size() > 50, "the log was captured: " + events.size() + " events");
    assertTrue(events.stream().anyMatch(e -> e.getFormattedMessage().contains("sasl.jaas.config = [hidden]")),
        "Kafka clients' settings dumps were captured");
    StringBuilder text = new StringBuilder();
    for (ILoggingEvent e : events) {
      text.append(e.getLoggerName()).append(' ').append(e.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        text.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    assertNoSecret("log", text.toString());
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** The strings that must never be printed: both passwords (also their escaped forms) and the private keys. */
  private static List<String> secretStrings() {
    List<String> out = new ArrayList<>();
    for (String pw : List.of(SecuredListeners.SCRAM_PASSWORD, SecuredListeners.PLAIN_PASSWORD)) {
      out.add(pw);
      out.add(pw.substring(pw.indexOf('\\') + 1, pw.indexOf(';'))); // the random part, whatever the escaping
    }
    out.add(TestOAuthServer.CLIENT_SECRET);
    out.add(TestOAuthServer.REFRESH_TOKEN);
    TestCertificates pki = TestCertificates.get();
    for (String key : List.of(pki.userKeyPem(), pki.brokerKeyPem())) {
      key.lines().filter(l -> !l.startsWith("-----") && l.length() > 20).forEach(out::add);
    }
    return out;
  }

  private static void assertNoSecret(String where, String text) {
    for (String secret : secretStrings()) {
      assertFalse(text.contains(secret), where + " contains a secret (" + secret.length() + " chars)");
    }
  }

  // ------------------------------------------------------------------------------------------ config

  private static JsonObject trustByPattern() {
    return new JsonObject().put("trustedCertificates", new JsonArray().add(new JsonObject()
        .put("secretName", SecretsDir.CA_SECRET).put("pattern", "*.crt")));
  }

  private static JsonObject mtls() {
    return new JsonObject().put("type", "tls").put("certificateAndKey", new JsonObject()
        .put("secretName", SecretsDir.TLS_USER_SECRET).put("certificate", "user.crt").put("key", "user.key"));
  }

  private static JsonObject sasl(String type, String user, String secretName) {
    return new JsonObject().put("type", type).put("username", user)
        .put("passwordSecret", new JsonObject().put("secretName", secretName).put("password", "password"));
  }

  private static JsonObject cluster(String alias, EmbeddedKafkaCluster c, String listener, JsonObject auth) {
    return new JsonObject().put("alias", alias).put("bootstrapServers", c.bootstrapServers(listener))
        .put("tls", trustByPattern()).put("authentication", auth);
  }

  private static JsonObject config(JsonObject a, JsonObject b, JsonObject mirror) {
    return new JsonObject().put("clusters", new JsonArray().add(a).add(b))
        .put("mirrors", new JsonArray().add(mirror))
        .put("http", new JsonObject().put("port", 0)).put("metrics", new JsonObject().put("port", 0));
  }

  // ------------------------------------------------------------------------------------------ runs

  /**
   * Writes {@code n} records to {@code topic} (2 partitions) on A and commits an offset for group
   * {@code <topic>-app} (over PLAINTEXT), runs the mirror until the records are on B and their progress is stored,
   * runs {@code whileRunning}, and checks the REST and metrics endpoints for secrets.
   */
  private void mirrorAndCheck(JsonObject config, String topic, int n, Runnable whileRunning) throws Exception {
    clusters.a().createTopic(topic, 2);
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, i % 2, ("k" + i).getBytes(StandardCharsets.UTF_8),
            ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    // a consumer group on A with a committed offset, for the checkpoint connector to translate
    clusters.a().admin().alterConsumerGroupOffsets(topic + "-app", Map.of(new TopicPartition(topic, 0),
        new OffsetAndMetadata(n / 4))).all().get(10, TimeUnit.SECONDS);
    try (RunningMirror m = startMirror(config, env)) {
      awaitRecords(clusters.b(), "A." + topic, n);
      Await.until("progress of " + topic + " stored on B", TIMEOUT, () -> {
        Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
        return stored.getOrDefault(new TopicPartition(topic, 0), -1L) >= n / 2 - 1
            && stored.getOrDefault(new TopicPartition(topic, 1), -1L) >= n / 2 - 1;
      });
      whileRunning.run();
      String flows = OperationsIT.http("GET", OperationsIT.api(m, "/api/flows"), null).body();
      assertTrue(flows.contains("A->B"), flows);
      assertNoSecret("/api/flows", flows);
      String connectors = OperationsIT.http("GET", OperationsIT.api(m, "/connectors?expand=status&expand=info"),
          null).body();
      assertTrue(connectors.contains("MirrorSourceConnector"), connectors);
      assertNoSecret("/connectors?expand=status&expand=info", connectors);
      for (String c : List.of("A-%3EB.MirrorSourceConnector", "A-%3EB.MirrorCheckpointConnector")) {
        String info = OperationsIT.http("GET", OperationsIT.api(m, "/connectors/" + c), null).body();
        assertNoSecret("/connectors/" + c, info);
      }
      assertNoSecret("/metrics", OperationsIT.scrape(m));
      assertEquals("RUNNING", m.flow().getJsonObject("connectors").getJsonObject("source").getString("state"),
          m.flow().encodePrettily());
    }
  }

  @Test
  void mutualTlsOnBothSidesWithCheckpointsAndHeartbeats() throws Exception {
    JsonObject mirror = mirror("A", "B", "mtls-data", 2);
    mirror.getJsonObject("checkpointConnector").getJsonObject("config").put("emit.checkpoints.interval.seconds", 1);
    mirror.getJsonObject("heartbeatConnector").getJsonObject("config").put("emit.heartbeats.interval.seconds", 1);
    // heartbeats go to the source A's heartbeats (over A's TLS listener), then to B as A.heartbeats
    long heartbeatsBefore = Math.max(0, count(clusters.a(), "heartbeats"));
    mirrorAndCheck(config(cluster("A", clusters.a(), SecuredListeners.SSL, mtls()),
        cluster("B", clusters.b(), SecuredListeners.SSL, mtls()), mirror), "mtls-data", 40, () -> {
          Await.until("heartbeats on A", TIMEOUT, () -> count(clusters.a(), "heartbeats") > heartbeatsBefore);
          Await.until("checkpoints of mtls-data-app on B", TIMEOUT,
              () -> count(clusters.b(), "A.checkpoints.internal") > 0);
        });
  }

  /** The harness's listeners do enforce authentication: no client certificate, or a wrong password, is refused. */
  @Test
  void listenersRefuseClientsWithoutCredentials() {
    Map<String, Object> trustOnly = Map.of("bootstrap.servers", clusters.a().bootstrapServers(SecuredListeners.SSL),
        "security.protocol", "SSL", "ssl.truststore.type", "PEM",
        "ssl.truststore.certificates", TestCertificates.get().caPem());
    assertRefused(trustOnly, org.apache.kafka.common.errors.SslAuthenticationException.class);
    Map<String, Object> wrongPassword = new java.util.HashMap<>(trustOnly);
    wrongPassword.put("bootstrap.servers", clusters.a().bootstrapServers(SecuredListeners.SASL_SSL));
    wrongPassword.put("security.protocol", "SASL_SSL");
    wrongPassword.put("sasl.mechanism", "SCRAM-SHA-512");
    wrongPassword.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
        + "username=\"" + SecuredListeners.SCRAM_USER + "\" password=\"wrong\";");
    assertRefused(wrongPassword, org.apache.kafka.common.errors.SaslAuthenticationException.class);
  }

  private static void assertRefused(Map<String, Object> settings, Class<? extends Exception> expected) {
    Map<String, Object> s = new java.util.HashMap<>(settings);
    s.put("default.api.timeout.ms", 10_000);
    s.put("request.timeout.ms", 5_000);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(s)) {
      Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
          () -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS));
      assertTrue(expected.isInstance(e.getCause()), e.toString());
    }
  }

  /**
   * A wrong password fails the flow with an authentication error that names what failed (no password in it); the
   * flow retries; once the Secret's file holds the right password, the secret watcher restarts the flow and it
   * mirrors.
   */
  @Test
  void wrongPasswordFailsClearlyThenTheFixedSecretIsPickedUp() throws Exception {
    secrets.put("bad-user", "password", "not-the-password");
    JsonObject bad = sasl("scram-sha-512", SecuredListeners.SCRAM_USER, "bad-user");
    JsonObject good = sasl("scram-sha-512", SecuredListeners.SCRAM_USER, SecretsDir.SCRAM_USER_SECRET);
    JsonObject config = config(cluster("A", clusters.a(), SecuredListeners.SASL_SSL, bad),
        cluster("B", clusters.b(), SecuredListeners.SASL_SSL, good), mirror("A", "B", "badpw-data", 1))
        .put("reload", new JsonObject().put("scanPeriodMs", 300));
    clusters.a().createTopic("badpw-data", 1);
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      for (int i = 0; i < 10; i++) {
        p.send(new ProducerRecord<>("badpw-data", ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    try (RunningMirror m = startMirror(config, env)) {
      JsonObject source = Await.value("source connector FAILED", TIMEOUT, () -> {
        JsonObject c = m.flow().getJsonObject("connectors").getJsonObject("source");
        return "FAILED".equals(c.getString("state")) ? c : null;
      });
      String error = source.getString("error");
      assertTrue(error.contains("source") && error.contains("Authentication failed"), error);
      assertNoSecret("the error", error);
      Path file = secrets.file("bad-user", "password");
      Path next = file.resolveSibling("password.next");
      java.nio.file.Files.writeString(next, SecuredListeners.SCRAM_PASSWORD);
      java.nio.file.Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      awaitRecords(clusters.b(), "A.badpw-data", 10);
      assertEquals("RUNNING", m.flow().getJsonObject("connectors").getJsonObject("source").getString("state"));
    }
  }

  @Test
  void saslSslScramSha512OnBothSides() throws Exception {
    JsonObject scram = sasl("scram-sha-512", SecuredListeners.SCRAM_USER, SecretsDir.SCRAM_USER_SECRET);
    mirrorAndCheck(config(cluster("A", clusters.a(), SecuredListeners.SASL_SSL, scram),
        cluster("B", clusters.b(), SecuredListeners.SASL_SSL, scram), mirror("A", "B", "scram-data", 1)),
        "scram-data", 30, () -> { });
  }

  /**
   * The batch pass-through path over SASL_SSL (SCRAM) on both sides: its own connections (Kafka's network layer)
   * authenticate like the clients'; records written after the first chunk travel as unchanged batches.
   */
  @Test
  void saslSslScramPassThroughOnBothSides() throws Exception {
    JsonObject scram = sasl("scram-sha-512", SecuredListeners.SCRAM_USER, SecretsDir.SCRAM_USER_SECRET);
    JsonObject mirror = mirror("A", "B", "scram-batch", 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("vmm.data.path", "batch");
    mirrorAndCheck(config(cluster("A", clusters.a(), SecuredListeners.SASL_SSL, scram),
        cluster("B", clusters.b(), SecuredListeners.SASL_SSL, scram), mirror), "scram-batch", 30, () -> {
          try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
            for (int i = 30; i < 530; i++) {
              p.send(new ProducerRecord<>("scram-batch", i % 2, ("k" + i).getBytes(StandardCharsets.UTF_8),
                  ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
          }
          awaitRecords(clusters.b(), "A.scram-batch", 530);
        });
  }

  @Test
  void oauthClientCredentialsOnBothSides() throws Exception {
    JsonObject oauth = new JsonObject().put("type", "oauth")
        .put("tokenEndpointUri", TestOAuthServer.get().tokenUrl()).put("clientId", TestOAuthServer.CLIENT_ID)
        .put("clientSecret", new JsonObject().put("secretName", SecretsDir.OAUTH_CLIENT_SECRET)
            .put("key", "client-secret"))
        .put("scope", "kafka").put("connectTimeoutSeconds", 10).put("readTimeoutSeconds", 10);
    int before = TestOAuthServer.get().tokensIssued();
    mirrorAndCheck(config(cluster("A", clusters.a(), SecuredListeners.OAUTH, oauth),
        cluster("B", clusters.b(), SecuredListeners.OAUTH, oauth), mirror("A", "B", "oauth-data", 1)),
        "oauth-data", 30, () -> { });
    assertTrue(TestOAuthServer.get().tokensIssued() > before, "tokens came from the test's token endpoint");
  }

  /** Strimzi's {@code refreshToken} and {@code audience}, through our retriever plugged into Kafka's client. */
  @Test
  void oauthRefreshTokenWithAudience() throws Exception {
    secrets.put("oauth-refresh", "refresh-token", TestOAuthServer.REFRESH_TOKEN + "\n");
    JsonObject oauth = new JsonObject().put("type", "oauth")
        .put("tokenEndpointUri", TestOAuthServer.get().tokenUrl()).put("clientId", TestOAuthServer.CLIENT_ID)
        .put("refreshToken", new JsonObject().put("secretName", "oauth-refresh").put("key", "refresh-token"))
        .put("audience", "kafka-brokers");
    mirrorAndCheck(config(cluster("A", clusters.a(), SecuredListeners.OAUTH, oauth),
        cluster("B", clusters.b(), SecuredListeners.OAUTH, oauth), mirror("A", "B", "oauth-refresh", 1)),
        "oauth-refresh", 20, () -> { });
    assertTrue(TestOAuthServer.get().requests().contains("refresh_token audience=kafka-brokers"),
        TestOAuthServer.get().requests().toString());
  }

  /** A static access token from a Secret (Kafka reads it through a {@code file:} token endpoint URL). */
  @Test
  void oauthStaticAccessToken() throws Exception {
    secrets.put("oauth-token", "access-token", TestOAuthServer.get().mint() + "\n");
    // the test server set Kafka's allow-list as an operator would (-D); an operator lists the token file too
    String allowed = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
    System.setProperty(allowed, System.getProperty(allowed) + ","
        + secrets.file("oauth-token", "access-token").toAbsolutePath().toUri());
    JsonObject oauth = new JsonObject().put("type", "oauth")
        .put("accessToken", new JsonObject().put("secretName", "oauth-token").put("key", "access-token"));
    int before = TestOAuthServer.get().tokensIssued();
    mirrorAndCheck(config(cluster("A", clusters.a(), SecuredListeners.OAUTH, oauth),
        cluster("B", clusters.b(), SecuredListeners.OAUTH, oauth), mirror("A", "B", "oauth-static", 1)),
        "oauth-static", 20, () -> { });
    assertEquals(before, TestOAuthServer.get().tokensIssued(), "no token endpoint call: the token came from the file");
  }

  @Test
  void saslSslPlainSourceToMutualTlsTarget() throws Exception {
    JsonObject plain = sasl("plain", SecuredListeners.PLAIN_USER, SecretsDir.PLAIN_USER_SECRET);
    mirrorAndCheck(config(cluster("A", clusters.a(), SecuredListeners.SASL_SSL, plain),
        cluster("B", clusters.b(), SecuredListeners.SSL, mtls()), mirror("A", "B", "plain-data", 1)),
        "plain-data", 30, () -> { });
  }
}
