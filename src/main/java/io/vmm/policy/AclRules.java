package io.vmm.policy;

import io.vmm.policy.ReplicationRules;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Optional;

/**
 * How a source topic ACL maps to the target (after MM2 {@code MirrorSourceConnector.shouldReplicateAcl} /
 * {@code targetAclBinding}): only TOPIC bindings with pattern type LITERAL on a replicated topic are copied;
 * ALLOW WRITE is dropped (only the mirror writes remote topics); ALLOW ALL becomes ALLOW READ; everything else
 * (DENY WRITE included) is copied as is, onto the remote topic name. Immutable.
 */
public final class AclRules {

  private final ReplicationRules rules;

  public AclRules(ReplicationRules rules) {
    this.rules = rules;
  }

  /** The binding to create on the target for a source binding, or empty if it is not copied. */
  public Optional<AclBinding> targetBinding(AclBinding source) {
    ResourcePattern pattern = source.pattern();
    AccessControlEntry ace = source.entry();
    if (pattern.resourceType() != ResourceType.TOPIC || pattern.patternType() != PatternType.LITERAL
        || !rules.shouldReplicateTopic(pattern.name())) {
      return Optional.empty();
    }
    if (ace.permissionType() == AclPermissionType.ALLOW && ace.operation() == AclOperation.WRITE) {
      return Optional.empty();
    }
    AclOperation operation = ace.permissionType() == AclPermissionType.ALLOW && ace.operation() == AclOperation.ALL
        ? AclOperation.READ : ace.operation();
    return Optional.of(new AclBinding(
        new ResourcePattern(ResourceType.TOPIC, rules.remoteTopic(pattern.name()), PatternType.LITERAL),
        new AccessControlEntry(ace.principal(), ace.host(), operation, ace.permissionType())));
  }
}
