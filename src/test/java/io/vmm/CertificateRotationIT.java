package io.vmm;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.config.Environment;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.LogCapture;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.SecretsDir;
import io.vmm.testkit.SecuredListeners;
import io.vmm.testkit.TestCertificates;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.vmm.MirrorTestSupport.TIMEOUT;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Certificate rotation (issue 13, item 3): the client certificate and key of a running mTLS mirror are replaced
 * in the mounted Secret, the way the kubelet updates a Secret volume ({@link SecretsDir#mount}: new files, then
 * one atomic switch of {@code ..data}), while records are being produced. The mirror notices the change within
 * {@code reload.scanPeriodMs}, restarts the flow's clients with the new files (progress stored first) and goes on;
 * every record arrives (duplicates allowed: at-least-once).
 * <p>
 * To show that the NEW certificate is the one in use, both clusters run Kafka's {@code StandardAuthorizer}: the
 * old ({@code User:CN=vmm-user}) and the new ({@code User:CN=vmm-user-2}) principal may do everything until the
 * flow has restarted; then the old principal's ACLs are deleted (a revocation Kafka can do), and the records
 * produced after that must still arrive. The PLAINTEXT listener (test set-up and checks) is a super user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoBlockedThreads.class)
class CertificateRotationIT {

  private static final String OLD_PRINCIPAL = "User:CN=vmm-user";
  private static final String NEW_PRINCIPAL = "User:CN=vmm-user-2";
  /** The mirror's KafkaUser Secret (Strimzi: user.crt, user.key, ca.crt), mounted the kubelet's way. */
  private static final String USER_SECRET = "mm2-user";
  private static final String TOPIC = "rotation-data";

  @TempDir
  static Path tmp;
  private EmbeddedKafkaCluster a;
  private EmbeddedKafkaCluster b;
  private SecretsDir secrets;
  private LogCapture log;

  @BeforeAll
  void start() {
    Map<String, String> broker = new HashMap<>(SecuredListeners.brokerSettings());
    broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    broker.put("super.users", "User:ANONYMOUS"); // PLAINTEXT: test set-up, checks and the controller
    a = EmbeddedKafkaCluster.start("rot-A", broker, SecuredListeners.listeners());
    b = EmbeddedKafkaCluster.start("rot-B", broker, SecuredListeners.listeners());
    for (EmbeddedKafkaCluster c : List.of(a, b)) {
      grantAll(c, OLD_PRINCIPAL);
      grantAll(c, NEW_PRINCIPAL);
    }
    secrets = SecretsDir.standard(tmp.resolve("secrets"));
    TestCertificates pki = TestCertificates.get();
    secrets.mount(USER_SECRET, Map.of("user.crt", pki.userCertPem(), "user.key", pki.userKeyPem(),
        "ca.crt", pki.caPem()));
    log = LogCapture.verbose();
  }

  @AfterAll
  void stop() {
    if (log != null) {
      log.close();
    }
    for (EmbeddedKafkaCluster c : new EmbeddedKafkaCluster[] {b, a}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** ALL on every topic and group and on the cluster (idempotent writes, topic creation, configs). */
  private static void grantAll(EmbeddedKafkaCluster c, String principal) {
    List<AclBinding> acls = new ArrayList<>();
    for (ResourcePattern p : List.of(new ResourcePattern(ResourceType.TOPIC, "*", PatternType.LITERAL),
        new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL),
        new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL))) {
      acls.add(new AclBinding(p, new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW)));
    }
    try {
      c.admin().createAcls(acls).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("granting " + principal + " on " + c.name() + ": " + e, e);
    }
  }

  private static void revoke(EmbeddedKafkaCluster c, String principal) throws Exception {
    c.admin().deleteAcls(List.of(new AclBindingFilter(ResourcePatternFilter.ANY,
        new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY))))
        .all().get(30, TimeUnit.SECONDS);
  }

  /**
   * Whether a client with {@code certPem}/{@code keyPem} may describe the mirrored topic ({@link #TOPIC} on A, its
   * remote topic on B) on {@code c}'s SSL listener.
   */
  private boolean authorized(EmbeddedKafkaCluster c, String certPem, String keyPem) throws Exception {
    TestCertificates pki = TestCertificates.get();
    Map<String, Object> s = new HashMap<>();
    s.put("bootstrap.servers", c.bootstrapServers(SecuredListeners.SSL));
    s.put("security.protocol", "SSL");
    s.put("ssl.truststore.type", "PEM");
    s.put("ssl.truststore.certificates", pki.caPem());
    s.put("ssl.keystore.type", "PEM");
    s.put("ssl.keystore.certificate.chain", certPem);
    s.put("ssl.keystore.key", keyPem);
    s.put("default.api.timeout.ms", 10_000);
    s.put("request.timeout.ms", 5_000);
    try (Admin admin = Admin.create(s)) {
      admin.describeTopics(List.of(c == a ? TOPIC : a.name() + "." + TOPIC)).allTopicNames()
          .get(15, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicAuthorizationException) {
        return false;
      }
      throw e;
    }
  }

  /** Produces sequence numbers {@code 0, 1, 2, ...} to {@link #TOPIC} on A (PLAINTEXT) until closed. */
  private static final class Feeder implements AutoCloseable {
    final AtomicInteger acked = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    Feeder(EmbeddedKafkaCluster cluster) {
      thread = new Thread(() -> {
        try (KafkaProducer<byte[], byte[]> p = cluster.newProducer(Map.of("linger.ms", 0))) {
          for (int i = 0; running; i++) {
            p.send(new ProducerRecord<>(TOPIC, i % 2, ("k" + i).getBytes(StandardCharsets.UTF_8),
                Integer.toString(i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            acked.incrementAndGet();
            Thread.sleep(4);
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "rotation-feeder");
      thread.setDaemon(true);
      thread.start();
    }

    /** Waits until {@code n} records in all were produced. */
    void awaitAcked(int n) {
      Await.until(n + " records produced", TIMEOUT, () -> {
        assertNull(failure.get(), () -> "producing failed: " + failure.get());
        return acked.get() >= n;
      });
    }

    /** Stops producing; returns how many records were produced (sequence numbers 0..n-1). */
    @Override
    public void close() {
      running = false;
      try {
        thread.join(TimeUnit.SECONDS.toMillis(40));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertNull(failure.get(), () -> "producing failed: " + failure.get());
    }
  }

  /** Whether B's remote topic holds every sequence number below {@code n} (cheap count first, then a read). */
  private boolean mirroredBelow(int n, AtomicInteger duplicates) {
    return count(b, "rot-A." + TOPIC) >= n && mirrored(duplicates).nextClearBit(0) >= n;
  }

  /** The distinct sequence numbers on B's remote topic; counts duplicates in {@code duplicates}. */
  private BitSet mirrored(AtomicInteger duplicates) {
    BitSet seen = new BitSet();
    duplicates.set(0);
    for (ConsumerRecord<byte[], byte[]> r : b.readAllNow("rot-A." + TOPIC)) {
      int seq = Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8));
      if (seen.get(seq)) {
        duplicates.incrementAndGet();
      }
      seen.set(seq);
    }
    return seen;
  }

  private JsonObject config() {
    JsonObject trust = new JsonObject().put("trustedCertificates", new JsonArray().add(new JsonObject()
        .put("secretName", SecretsDir.CA_SECRET).put("pattern", "*.crt")));
    JsonObject auth = new JsonObject().put("type", "tls").put("certificateAndKey", new JsonObject()
        .put("secretName", USER_SECRET).put("certificate", "user.crt").put("key", "user.key"));
    JsonObject mirror = mirror("rot-A", "rot-B", TOPIC, 2);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("sync.topic.acls.enabled", false);
    JsonArray clusters = new JsonArray();
    for (EmbeddedKafkaCluster c : List.of(a, b)) {
      clusters.add(new JsonObject().put("alias", c.name())
          .put("bootstrapServers", c.bootstrapServers(SecuredListeners.SSL)).put("tls", trust.copy())
          .put("authentication", auth.copy()));
    }
    return new JsonObject().put("clusters", clusters).put("mirrors", new JsonArray().add(mirror))
        .put("reload", new JsonObject().put("scanPeriodMs", 300))
        .put("http", new JsonObject().put("port", 0)).put("metrics", new JsonObject().put("port", 0));
  }

  @Test
  void replacingTheClientCertificateRestartsTheFlowWithNothingLost() throws Exception {
    TestCertificates pki = TestCertificates.get();
    a.createTopic(TOPIC, 2);
    Environment env = new Environment(Map.of(Environment.SECRETS_DIR, secrets.root().toString()));
    String flow = "rot-A->rot-B";
    AtomicInteger duplicates = new AtomicInteger();
    try (Feeder feeder = new Feeder(a); RunningMirror m = startMirror(config(), env)) {
      feeder.awaitAcked(150);
      Await.until("mirroring with the first certificate", TIMEOUT, () -> count(b, "rot-A." + TOPIC) >= 100);
      assertEquals(pki.userCertPem(), m.supervisor.config().flows().get(0).source().security()
          .get("ssl.keystore.certificate.chain"));

      long swapped = System.currentTimeMillis();
      secrets.mount(USER_SECRET, Map.of("user.crt", pki.rotatedUserCertPem(), "user.key", pki.rotatedUserKeyPem(),
          "ca.crt", pki.caPem()));
      int producedAtSwap = feeder.acked.get();

      // the watcher notices within reload.scanPeriodMs; the flow stops (progress stored) and starts again
      JsonObject reload = Await.value("the secret refresh in the status", TIMEOUT, () -> {
        JsonObject r = m.status().getJsonObject("reload");
        return r != null && r.containsKey("secretsChanged") ? r : null;
      });
      assertEquals(new JsonArray().add(flow), reload.getJsonArray("secretsChanged"), reload.encode());
      ILoggingEvent restarted = Await.value("the flow started again after the swap", TIMEOUT, () -> log.events(e ->
          e.getTimeStamp() >= swapped && e.getFormattedMessage().startsWith(flow + " started in")).stream()
          .findFirst().orElse(null));
      assertFalse(log.events(e -> e.getTimeStamp() >= swapped && e.getTimeStamp() <= restarted.getTimeStamp()
          && e.getFormattedMessage().startsWith(flow + " stopped in")).isEmpty(), "the old flow stopped first");
      assertTrue(log.messagesContaining("secret files changed").stream()
          .anyMatch(msg -> msg.contains(secrets.file(USER_SECRET, "user.crt").toString())),
          log.messagesContaining("secret files changed").toString());
      assertFalse(log.messagesContaining("secrets changed: restarting flow " + flow).isEmpty());
      assertEquals(pki.rotatedUserCertPem(), m.supervisor.config().flows().get(0).source().security()
          .get("ssl.keystore.certificate.chain"), "the running config holds the new certificate");

      // revoke the old certificate's principal: from now on only the new certificate can mirror
      for (EmbeddedKafkaCluster c : List.of(a, b)) {
        revoke(c, OLD_PRINCIPAL);
        Await.until("old certificate refused on " + c.name(), TIMEOUT,
            () -> !authorizedQuietly(c, pki.userCertPem(), pki.userKeyPem()));
        assertTrue(authorized(c, pki.rotatedUserCertPem(), pki.rotatedUserKeyPem()), "new certificate allowed");
      }
      int producedAtRevocation = feeder.acked.get();
      feeder.awaitAcked(producedAtRevocation + 200);
      Await.until("records produced after the revocation mirrored", TIMEOUT,
          () -> mirroredBelow(producedAtRevocation + 200, duplicates));
      feeder.close();
      int produced = feeder.acked.get();
      assertTrue(producedAtSwap < producedAtRevocation && producedAtRevocation + 200 <= produced);

      Await.until("all " + produced + " records on B, no gap", TIMEOUT,
          () -> mirroredBelow(produced, duplicates));
      JsonObject status = m.flow();
      assertEquals("RUNNING", status.getJsonObject("connectors").getJsonObject("source").getString("state"),
          status.encodePrettily());
      assertEquals(0, status.getInteger("failedPartitions"), status.encodePrettily());
    }
    String text = log.text();
    for (String key : List.of(pki.userKeyPem(), pki.rotatedUserKeyPem(), pki.brokerKeyPem())) {
      key.lines().filter(l -> !l.startsWith("-----") && l.length() > 20)
          .forEach(l -> assertFalse(text.contains(l), "a private key is in the log"));
    }
    org.slf4j.LoggerFactory.getLogger(CertificateRotationIT.class).info("rotation: {} duplicates (at-least-once)",
        duplicates.get());
  }

  private boolean authorizedQuietly(EmbeddedKafkaCluster c, String cert, String key) {
    try {
      return authorized(c, cert, key);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
