package io.vmm.policy;

import io.vmm.config.ConnectorKeys;
import io.vmm.config.TopicFilter;
import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.apache.kafka.connect.mirror.ReplicationPolicy;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MM2's shouldReplicateTopic rules (mm2-compatibility.md §1) with MM2's own policy classes. */
class ReplicationRulesTest {

  static ReplicationRules rules(ReplicationPolicy policy, String include, String source, String target) {
    return new ReplicationRules(policy, new TopicFilter(include, ConnectorKeys.TOPICS_EXCLUDE_DEFAULT), true,
        source, target);
  }

  @Test
  void defaultPolicyFilterInternalTopicsAndCycles() {
    ReplicationRules r = rules(new DefaultReplicationPolicy(), ".*", "A", "B");
    assertTrue(r.shouldReplicateTopic("orders"));
    assertEquals("A.orders", r.remoteTopic("orders"));
    assertFalse(r.shouldReplicateTopic("B.orders"), "came from the target: cycle");
    assertFalse(r.shouldReplicateTopic("C.B.orders"), "came from the target two hops up: cycle");
    assertTrue(r.shouldReplicateTopic("C.orders"), "from a third cluster: mirrored as A.C.orders");
    assertFalse(r.shouldReplicateTopic("__consumer_offsets"));
    assertFalse(r.shouldReplicateTopic("mm2-offsets.A.internal"));
    assertFalse(r.shouldReplicateTopic("mm2-offset-syncs.B.internal"));
    assertFalse(r.shouldReplicateTopic("A.checkpoints.internal"));
    assertFalse(r.shouldReplicateTopic("orders.replica"));
  }

  @Test
  void heartbeatsAreReplicatedWhateverTheFilter() {
    ReplicationRules r = rules(new DefaultReplicationPolicy(), "orders", "A", "B");
    assertFalse(r.shouldReplicateTopic("payments"));
    assertTrue(r.shouldReplicateTopic("heartbeats"));
    assertTrue(r.shouldReplicateTopic("C.heartbeats"));
    assertFalse(r.shouldReplicateTopic("B.heartbeats"));
    ReplicationRules off = new ReplicationRules(new DefaultReplicationPolicy(), new TopicFilter("orders", null),
        false, "A", "B");
    assertFalse(off.shouldReplicateTopic("heartbeats"));
  }

  @Test
  void customSeparator() {
    DefaultReplicationPolicy policy = new DefaultReplicationPolicy();
    policy.configure(Map.of("replication.policy.separator", "_"));
    ReplicationRules r = rules(policy, ".*", "A", "B");
    assertEquals("A_orders", r.remoteTopic("orders"));
    assertFalse(r.shouldReplicateTopic("B_orders"));
    assertTrue(r.shouldReplicateTopic("B.orders"));
  }

  @Test
  void identityPolicyKeepsNames() {
    IdentityReplicationPolicy policy = new IdentityReplicationPolicy();
    policy.configure(Map.of("source.cluster.alias", "A"));
    ReplicationRules r = rules(policy, ".*", "A", "B");
    assertEquals("orders", r.remoteTopic("orders"));
    assertTrue(r.shouldReplicateTopic("orders"));
    assertEquals("A.heartbeats", r.remoteTopic("heartbeats"));
  }
}
