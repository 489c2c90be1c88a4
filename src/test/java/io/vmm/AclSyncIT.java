package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.NoBlockedThreads;
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
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Topic ACL sync between two clusters running StandardAuthorizer (the mirror's principal is a super user). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoBlockedThreads.class)
class AclSyncIT {

  private static final Map<String, String> AUTHORIZER = Map.of(
      "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
      "super.users", "User:ANONYMOUS");

  private EmbeddedKafkaCluster a;
  private EmbeddedKafkaCluster b;

  @BeforeAll
  void start() {
    a = EmbeddedKafkaCluster.start("acl-A", 0, 0, AUTHORIZER);
    b = EmbeddedKafkaCluster.start("acl-B", 0, 0, AUTHORIZER);
  }

  @AfterAll
  void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private static AclBinding acl(String topic, PatternType pattern, String user, AclOperation op,
                                AclPermissionType perm) {
    return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, pattern),
        new AccessControlEntry("User:" + user, "*", op, perm));
  }

  private static Set<AclBinding> topicAcls(EmbeddedKafkaCluster c, String topic) {
    try {
      Collection<AclBinding> all = c.admin().describeAcls(new AclBindingFilter(
          new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.ANY), AccessControlEntryFilter.ANY))
          .values().get(10, TimeUnit.SECONDS);
      return new HashSet<>(all);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void topicAclsAreCopiedWithMm2Transformations() throws Exception {
    a.createTopic("acl-t", 1);
    a.createTopic("other", 1);
    a.admin().createAcls(List.of(
        acl("acl-t", PatternType.LITERAL, "alice", AclOperation.READ, AclPermissionType.ALLOW),
        acl("acl-t", PatternType.LITERAL, "bob", AclOperation.WRITE, AclPermissionType.ALLOW),
        acl("acl-t", PatternType.LITERAL, "carol", AclOperation.ALL, AclPermissionType.ALLOW),
        acl("acl-t", PatternType.LITERAL, "dave", AclOperation.WRITE, AclPermissionType.DENY),
        acl("acl-", PatternType.PREFIXED, "eve", AclOperation.READ, AclPermissionType.ALLOW),
        acl("other", PatternType.LITERAL, "frank", AclOperation.READ, AclPermissionType.ALLOW)))
        .all().get(10, TimeUnit.SECONDS);
    JsonObject mirror = mirror("A", "B", "acl-t", 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("sync.topic.acls.interval.seconds", 1);
    JsonObject config = new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", a.bootstrapServers()))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", b.bootstrapServers())))
        .put("mirrors", new JsonArray().add(mirror))
        .put("http", new JsonObject().put("port", 0));
    try (RunningMirror m = startMirror(config)) {
      Set<AclBinding> expected = Set.of(
          acl("A.acl-t", PatternType.LITERAL, "alice", AclOperation.READ, AclPermissionType.ALLOW),
          acl("A.acl-t", PatternType.LITERAL, "carol", AclOperation.READ, AclPermissionType.ALLOW),
          acl("A.acl-t", PatternType.LITERAL, "dave", AclOperation.WRITE, AclPermissionType.DENY));
      Await.until("ACLs on A.acl-t", Duration.ofSeconds(30), () -> topicAcls(b, "A.acl-t").equals(expected));
      // a new source ACL arrives within an interval; nothing is ever removed from the target
      a.admin().createAcls(List.of(acl("acl-t", PatternType.LITERAL, "gina", AclOperation.DESCRIBE,
          AclPermissionType.ALLOW))).all().get(10, TimeUnit.SECONDS);
      Await.until("new ACL copied", Duration.ofSeconds(30), () -> topicAcls(b, "A.acl-t").size() == 4);
      assertEquals(Set.of(), topicAcls(b, "A.other"));
      assertEquals(Set.of(), topicAcls(b, "acl-"));
    }
  }
}
