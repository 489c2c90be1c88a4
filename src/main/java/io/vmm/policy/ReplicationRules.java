package io.vmm.policy;

import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.config.TopicFilter;
import org.apache.kafka.connect.mirror.ReplicationPolicy;

/**
 * Which source topics a flow mirrors, and under which name (after MM2
 * {@code MirrorSourceConnector.shouldReplicateTopic} / {@code isCycle}). A topic is mirrored when (the topic
 * filter accepts it, or heartbeats replication is on and the policy calls it a heartbeats topic) and it is not
 * internal and not a cycle, i.e. no hop of its {@code topicSource}/{@code upstreamTopic} chain came from the
 * flow's target. Immutable; thread-safe if the policy is (MM2's are).
 */
public final class ReplicationRules {

  private final ReplicationPolicy policy;
  private final TopicFilter filter;
  private final boolean heartbeatsReplication;
  private final String sourceAlias;
  private final String targetAlias;

  public ReplicationRules(ReplicationPolicy policy, TopicFilter filter, boolean heartbeatsReplication,
                          String sourceAlias, String targetAlias) {
    this.policy = policy;
    this.filter = filter;
    this.heartbeatsReplication = heartbeatsReplication;
    this.sourceAlias = sourceAlias;
    this.targetAlias = targetAlias;
  }

  public static ReplicationRules of(FlowSpec flow) {
    return new ReplicationRules(flow.replicationPolicy(), flow.topicFilter(),
        flow.sourceConnector().config().getBoolean(ConnectorKeys.HEARTBEATS_REPLICATION_ENABLED),
        flow.id().source(), flow.id().target());
  }

  /** True if the flow mirrors this source topic. */
  public boolean shouldReplicateTopic(String topic) {
    return (filter.test(topic) || (heartbeatsReplication && policy.isHeartbeatsTopic(topic)))
        && !policy.isInternalTopic(topic)
        && !isCycle(topic);
  }

  /** The remote (target-side) name of a source topic, e.g. {@code A.orders}. */
  public String remoteTopic(String topic) {
    return policy.formatRemoteTopic(sourceAlias, topic);
  }

  /** True if the topic, or a topic it was mirrored from, came from the flow's target cluster. */
  boolean isCycle(String topic) {
    String current = topic;
    while (true) {
      String source = policy.topicSource(current);
      if (source == null) {
        return false;
      }
      if (source.equals(targetAlias)) {
        return true;
      }
      String upstream = policy.upstreamTopic(current);
      if (upstream == null || upstream.equals(current)) {
        return false; // identity policy: the chain cannot be followed further
      }
      current = upstream;
    }
  }

  public ReplicationPolicy policy() {
    return policy;
  }
}
