package io.vmm.config;

import org.apache.kafka.common.Configurable;
import org.apache.kafka.connect.mirror.ReplicationPolicy;
import org.apache.kafka.connect.mirror.SourceAndTarget;

import java.util.HashMap;
import java.util.Map;

/**
 * One mirror of {@code mirrors[]}: the flow {@code source->target} and its three connectors.
 *
 * @param id                  the flow, printed {@code A->B}
 * @param source              source cluster
 * @param target              target cluster
 * @param topicFilter         topics to replicate (topicsPattern / topicsExcludePattern, MM2 defaults)
 * @param groupFilter         groups to checkpoint (groupsPattern / groupsExcludePattern, MM2 defaults)
 * @param sourceConnector     MirrorSourceConnector settings
 * @param checkpointConnector MirrorCheckpointConnector settings
 * @param heartbeatConnector  MirrorHeartbeatConnector settings
 * @param legacy              legacy MirrorMaker (MM1) semantics, or null for MM2's ({@link LegacySpec})
 */
public record FlowSpec(SourceAndTarget id, ClusterSpec source, ClusterSpec target,
                       TopicFilter topicFilter, TopicFilter groupFilter,
                       ConnectorSpec sourceConnector, ConnectorSpec checkpointConnector,
                       ConnectorSpec heartbeatConnector, LegacySpec legacy) {

  /** A flow with MM2's semantics ({@code legacy} null). */
  public FlowSpec(SourceAndTarget id, ClusterSpec source, ClusterSpec target, TopicFilter topicFilter,
                  TopicFilter groupFilter, ConnectorSpec sourceConnector, ConnectorSpec checkpointConnector,
                  ConnectorSpec heartbeatConnector) {
    this(id, source, target, topicFilter, groupFilter, sourceConnector, checkpointConnector, heartbeatConnector,
        null);
  }

  /** The connector of {@code kind}. */
  public ConnectorSpec connector(ConnectorKind kind) {
    return switch (kind) {
      case SOURCE -> sourceConnector;
      case CHECKPOINT -> checkpointConnector;
      case HEARTBEAT -> heartbeatConnector;
    };
  }

  /** True when the flow's progress is the MM1 group's committed offsets on the source ({@link LegacySpec}). */
  public boolean commitsLegacyGroup() {
    return legacy != null && legacy.commitsGroup();
  }

  /**
   * The flow, its clusters and connectors. Secrets stay hidden: cluster and connector settings print through
   * {@link Secrets#redacted}.
   */
  @Override
  public String toString() {
    return "FlowSpec[" + name() + ", source=" + source + ", target=" + target + ", topics=" + topicFilter
        + ", groups=" + groupFilter + ", sourceConnector=" + sourceConnector + ", checkpointConnector="
        + checkpointConnector + ", heartbeatConnector=" + heartbeatConnector
        + (legacy == null ? "" : ", legacy=" + legacy) + "]";
  }

  /**
   * True when the flow mirrors exactly once: its target cluster's config sets MM2's
   * {@code exactly.once.source.support=enabled} ({@link ClusterSpec#exactlyOnce()}).
   */
  public boolean exactlyOnce() {
    return target.exactlyOnce();
  }

  /**
   * The {@code transactional.id} of source task {@code task} with exactly-once, stable across restarts and
   * replicas, derived as Connect derives a source task's ({@code <group.id>-<connector>-<task>}, after Connect's
   * {@code Worker.taskTransactionalId}): the target cluster's Connect {@code group.id} if set (Strimzi users
   * have it), else MM2 dedicated mode's {@code <source>-mm2}; the connector name as Strimzi names it, e.g.
   * {@code A-mm2-A->B.MirrorSourceConnector-0}.
   */
  public String transactionalId(int task) {
    String groupId = target.config().get("group.id");
    if (groupId == null || groupId.isBlank()) {
      groupId = id.source() + "-mm2";
    }
    return groupId.trim() + "-" + name() + "." + ConnectorKind.SOURCE.mm2Name() + "-" + task;
  }

  /** The longest default time between two transaction commits, ms (see {@link #transactionIntervalMs()}). */
  public static final long DEFAULT_TRANSACTION_INTERVAL_MS = 100;

  /**
   * With exactly-once, the longest time between two transaction commits of a task, ms:
   * {@code transaction.boundary.interval.ms}; unset: {@code offset.flush.interval.ms} (Connect's fallback), at most
   * {@link #DEFAULT_TRANSACTION_INTERVAL_MS}. Records wait for the commit before {@code read_committed} readers
   * see them, so the interval is their added latency at low rates (MM2's exactly-once commits every poll); at high
   * rates commits come earlier anyway (half the in-flight marks), so throughput does not depend on it (measured:
   * p99 219 ms at 5,000 records/s and the same records/s as with 5,000 ms; bench/README.md).
   */
  public long transactionIntervalMs() {
    Object v = sourceConnector.config().values().get(ConnectorKeys.TRANSACTION_BOUNDARY_INTERVAL_MS);
    return v instanceof Number n ? n.longValue()
        : Math.min(DEFAULT_TRANSACTION_INTERVAL_MS,
            sourceConnector.config().getLong(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS));
  }

  /** The flow name, {@code A->B}. */
  public String name() {
    return id.toString();
  }

  /**
   * A new, configured instance of the flow's {@code replication.policy.class} (taken from the source connector).
   * Policies are cheap; callers keep their own.
   *
   * @throws IllegalArgumentException if the class cannot be loaded or is not a {@link ReplicationPolicy}
   */
  public ReplicationPolicy replicationPolicy() {
    return newPolicy(sourceConnector.config(), id.source());
  }

  static ReplicationPolicy newPolicy(ConnectorConfig config, String sourceAlias) {
    String className = config.getString(ConnectorKeys.REPLICATION_POLICY_CLASS);
    Object instance;
    try {
      instance = Class.forName(className).getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("class " + className + " not found");
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalArgumentException("cannot instantiate " + className + ": " + e);
    }
    if (!(instance instanceof ReplicationPolicy policy)) {
      throw new IllegalArgumentException(className + " is not an org.apache.kafka.connect.mirror.ReplicationPolicy");
    }
    if (policy instanceof Configurable configurable) {
      Map<String, Object> props = new HashMap<>();
      props.put("source.cluster.alias", sourceAlias);
      props.put(ConnectorKeys.REPLICATION_POLICY_SEPARATOR, config.getString(ConnectorKeys.REPLICATION_POLICY_SEPARATOR));
      props.put(ConnectorKeys.INTERNAL_TOPIC_SEPARATOR_ENABLED,
          Boolean.toString(config.getBoolean(ConnectorKeys.INTERNAL_TOPIC_SEPARATOR_ENABLED)));
      configurable.configure(props);
    }
    return policy;
  }

  /** True if the policy keeps topic names (IdentityReplicationPolicy and the like): it cannot detect cycles. */
  public boolean keepsTopicNames() {
    return "t".equals(replicationPolicy().formatRemoteTopic(id.source(), "t"));
  }
}
