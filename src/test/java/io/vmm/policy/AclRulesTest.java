package io.vmm.policy;

import io.vmm.config.ConnectorKeys;
import io.vmm.config.TopicFilter;
import io.vmm.policy.ReplicationRules;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** MM2's ACL transformations (mm2-compatibility.md §4). */
class AclRulesTest {

  static final AclRules RULES = new AclRules(new ReplicationRules(new DefaultReplicationPolicy(),
      new TopicFilter("orders.*", ConnectorKeys.TOPICS_EXCLUDE_DEFAULT), true, "A", "B"));

  static AclBinding acl(ResourceType type, String name, PatternType pattern, AclOperation op, AclPermissionType perm) {
    return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry("User:alice", "*", op, perm));
  }

  static AclBinding topic(String name, AclOperation op, AclPermissionType perm) {
    return acl(ResourceType.TOPIC, name, PatternType.LITERAL, op, perm);
  }

  @Test
  void transformations() {
    assertEquals(Optional.of(topic("A.orders", AclOperation.READ, AclPermissionType.ALLOW)),
        RULES.targetBinding(topic("orders", AclOperation.READ, AclPermissionType.ALLOW)));
    assertEquals(Optional.of(topic("A.orders", AclOperation.READ, AclPermissionType.ALLOW)),
        RULES.targetBinding(topic("orders", AclOperation.ALL, AclPermissionType.ALLOW)), "ALLOW ALL -> ALLOW READ");
    assertEquals(Optional.empty(), RULES.targetBinding(topic("orders", AclOperation.WRITE, AclPermissionType.ALLOW)),
        "ALLOW WRITE dropped");
    assertEquals(Optional.of(topic("A.orders", AclOperation.WRITE, AclPermissionType.DENY)),
        RULES.targetBinding(topic("orders", AclOperation.WRITE, AclPermissionType.DENY)), "DENY WRITE kept");
    assertEquals(Optional.of(topic("A.orders", AclOperation.ALL, AclPermissionType.DENY)),
        RULES.targetBinding(topic("orders", AclOperation.ALL, AclPermissionType.DENY)));
    assertEquals(Optional.empty(), RULES.targetBinding(acl(ResourceType.TOPIC, "orders", PatternType.PREFIXED,
        AclOperation.READ, AclPermissionType.ALLOW)), "only LITERAL");
    assertEquals(Optional.empty(), RULES.targetBinding(topic("payments", AclOperation.READ, AclPermissionType.ALLOW)),
        "topic not replicated");
    assertEquals(Optional.empty(), RULES.targetBinding(acl(ResourceType.GROUP, "orders", PatternType.LITERAL,
        AclOperation.READ, AclPermissionType.ALLOW)), "group ACLs are not synced");
  }
}
