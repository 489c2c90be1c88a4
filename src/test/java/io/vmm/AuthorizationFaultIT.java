package io.vmm;

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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authorization revoked on the target while mirroring, then granted again (issue 15 item 7): the target B runs
 * the standard authorizer and the mirror writes to it as a SCRAM user. A DENY WRITE ACL on the remote topic makes
 * its partitions FAIL loudly, with an error that names the missing ACL (operation, resource, cluster); once the
 * DENY is removed, {@code autoRestart} restarts the task and mirroring resumes by itself: every record is on B.
 */
@ExtendWith(NoBlockedThreads.class)
class AuthorizationFaultIT {

  private static final String UNIT_PROPERTY = "vmm.autoRestart.unitMs";
  private static final String PRINCIPAL = "User:" + SecuredListeners.SCRAM_USER;
  private static final String TOPIC = "authz";
  private static final String REMOTE = "A." + TOPIC;

  @TempDir
  static Path tmp;
  private static EmbeddedKafkaCluster a;
  private static EmbeddedKafkaCluster b;
  private static SecretsDir secrets;
  private static String previousUnit;

  @BeforeAll
  static void start() {
    previousUnit = System.getProperty(UNIT_PROPERTY);
    System.setProperty(UNIT_PROPERTY, "1000");
    a = EmbeddedKafkaCluster.start("authz-A");
    Map<String, String> broker = new HashMap<>(SecuredListeners.brokerSettings());
    broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    broker.put("super.users", "User:ANONYMOUS"); // PLAINTEXT: test set-up, checks and the controller
    b = EmbeddedKafkaCluster.start("authz-B", broker, SecuredListeners.listeners());
    SecuredListeners.createUsers(b);
    List<AclBinding> all = new ArrayList<>();
    for (ResourcePattern p : List.of(new ResourcePattern(ResourceType.TOPIC, "*", PatternType.LITERAL),
        new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL),
        new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL))) {
      all.add(new AclBinding(p, new AccessControlEntry(PRINCIPAL, "*", AclOperation.ALL, AclPermissionType.ALLOW)));
    }
    acls(() -> b.admin().createAcls(all).all().get(30, TimeUnit.SECONDS));
    secrets = SecretsDir.standard(tmp.resolve("secrets"));
  }

  @AfterAll
  static void stop() {
    if (previousUnit == null) {
      System.clearProperty(UNIT_PROPERTY);
    } else {
      System.setProperty(UNIT_PROPERTY, previousUnit);
    }
    for (EmbeddedKafkaCluster c : new EmbeddedKafkaCluster[] {b, a}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static void acls(Call call) {
    try {
      call.run();
    } catch (Exception e) {
      throw new AssertionError("ACL change on B failed: " + e, e);
    }
  }

  private static AclBinding denyWrite() {
    return new AclBinding(new ResourcePattern(ResourceType.TOPIC, REMOTE, PatternType.LITERAL),
        new AccessControlEntry(PRINCIPAL, "*", AclOperation.WRITE, AclPermissionType.DENY));
  }

  private static JsonObject config() {
    JsonObject mirror = mirror("A", "B", TOPIC, 1);
    mirror.remove("checkpointConnector");
    mirror.remove("heartbeatConnector");
    mirror.getJsonObject("sourceConnector").put("autoRestart", new JsonObject().put("enabled", true));
    JsonObject scram = new JsonObject().put("type", "scram-sha-512").put("username", SecuredListeners.SCRAM_USER)
        .put("passwordSecret", new JsonObject().put("secretName", SecretsDir.SCRAM_USER_SECRET)
            .put("password", "password"));
    JsonObject trust = new JsonObject().put("trustedCertificates", new JsonArray().add(new JsonObject()
        .put("secretName", SecretsDir.CA_SECRET).put("pattern", "*.crt")));
    return new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", a.bootstrapServers()))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", b.bootstrapServers(SecuredListeners.SASL_SSL))
                .put("tls", trust).put("authentication", scram)))
        .put("mirrors", new JsonArray().add(mirror))
        .put("http", new JsonObject().put("port", 0)).put("metrics", new JsonObject().put("port", 0));
  }

  private static void produce(int from, int to) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = a.newProducer()) {
      for (int i = from; i < to; i++) {
        p.send(new ProducerRecord<>(TOPIC, i % 2, ("k" + i).getBytes(StandardCharsets.UTF_8),
            ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
      p.flush();
    }
  }

  private static Set<String> keysOnB() {
    Set<String> keys = new HashSet<>();
    b.readAllNow(REMOTE).forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
    return keys;
  }

  @Test
  void deniedWriteFailsLoudlyNamingTheAclThenResumesWhenGranted() throws Exception {
    a.createTopic(TOPIC, 2);
    produce(0, 500);
    Environment env = new Environment(Map.of(Environment.SECRETS_DIR, secrets.root().toString()));
    try (LogCapture logs = LogCapture.start(Map.of("io.vmm", "INFO"));
         RunningMirror m = startMirror(config(), env)) {
      Await.until("the first 500 records on B", MirrorTestSupport.TIMEOUT, () -> keysOnB().size() == 500);

      acls(() -> b.admin().createAcls(List.of(denyWrite())).all().get(30, TimeUnit.SECONDS));
      Thread.sleep(1_000); // the authorizer applies the ACL through the metadata log
      produce(500, 1_000);
      String expected = "cluster B denied WRITE on TOPIC '" + REMOTE + "'";
      Await.until("a FAILED partition naming the ACL", MirrorTestSupport.TIMEOUT,
          () -> !logs.messagesContaining(expected).isEmpty());
      assertTrue(logs.messagesContaining(expected).stream().anyMatch(l -> l.contains("FAILED")),
          logs.messagesContaining(expected).toString());
      JsonObject failedStatus = m.flow();
      assertTrue(failedStatus.encode().contains(expected) || failedStatus.getInteger("failedPartitions") > 0
          || failedStatus.encode().contains("autoRestart"), failedStatus.encodePrettily());

      acls(() -> b.admin().deleteAcls(List.of(new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC,
          REMOTE, PatternType.LITERAL), new AccessControlEntryFilter(PRINCIPAL, null, AclOperation.WRITE,
          AclPermissionType.DENY)))).all().get(30, TimeUnit.SECONDS));
      Await.until("every record on B after the grant (autoRestart)", Duration.ofSeconds(90),
          () -> keysOnB().size() == 1_000);
      Await.until("the flow RUNNING with no failed partition", Duration.ofSeconds(30),
          () -> m.flow().getInteger("failedPartitions") == 0);
      assertFalse(logs.text().contains(SecuredListeners.SCRAM_PASSWORD), "the password is not logged");
    }
  }
}
