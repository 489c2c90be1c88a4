package io.vmm.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

import java.util.Set;

/**
 * MM2's connector config keys with MM2 4.1.1's defaults (shared reference mm2-compatibility.md §9), as Kafka
 * {@link ConfigDef}s so that values are parsed and validated by Kafka's own rules. Keys prefixed {@code vmm.}
 * are this project's additions. Defaults that differ from MM2 on purpose are marked "(MM2: ...)".
 */
public final class ConnectorKeys {

  // common
  public static final String REPLICATION_POLICY_CLASS = "replication.policy.class";
  public static final String REPLICATION_POLICY_SEPARATOR = "replication.policy.separator";
  public static final String INTERNAL_TOPIC_SEPARATOR_ENABLED = "replication.policy.internal.topic.separator.enabled";
  public static final String ADMIN_TIMEOUT_MS = "admin.timeout.ms";
  public static final String ENABLED = "enabled";
  public static final String CONSUMER_POLL_TIMEOUT_MS = "consumer.poll.timeout.ms";
  public static final String TOPICS = "topics";
  public static final String TOPICS_EXCLUDE = "topics.exclude";
  public static final String GROUPS = "groups";
  public static final String GROUPS_EXCLUDE = "groups.exclude";
  public static final String OFFSET_SYNCS_TOPIC_LOCATION = "offset-syncs.topic.location";
  // source
  public static final String REPLICATION_FACTOR = "replication.factor";
  public static final String REFRESH_TOPICS_ENABLED = "refresh.topics.enabled";
  public static final String REFRESH_TOPICS_INTERVAL_SECONDS = "refresh.topics.interval.seconds";
  public static final String SYNC_TOPIC_CONFIGS_ENABLED = "sync.topic.configs.enabled";
  public static final String SYNC_TOPIC_CONFIGS_INTERVAL_SECONDS = "sync.topic.configs.interval.seconds";
  public static final String SYNC_TOPIC_ACLS_ENABLED = "sync.topic.acls.enabled";
  public static final String SYNC_TOPIC_ACLS_INTERVAL_SECONDS = "sync.topic.acls.interval.seconds";
  public static final String CONFIG_PROPERTIES_EXCLUDE = "config.properties.exclude";
  public static final String USE_DEFAULTS_FROM = "use.defaults.from";
  public static final String OFFSET_SYNCS_TOPIC_REPLICATION_FACTOR = "offset-syncs.topic.replication.factor";
  public static final String OFFSET_LAG_MAX = "offset.lag.max";
  public static final String EMIT_OFFSET_SYNCS_ENABLED = "emit.offset-syncs.enabled";
  public static final String HEARTBEATS_REPLICATION_ENABLED = "heartbeats.replication.enabled";
  public static final String OFFSET_FLUSH_INTERVAL_MS = "offset.flush.interval.ms";
  /** Connect's interval between transaction commits with exactly-once; unset: {@code offset.flush.interval.ms}. */
  public static final String TRANSACTION_BOUNDARY_INTERVAL_MS = "transaction.boundary.interval.ms";
  public static final String INFLIGHT_PARTITION_MAX_RECORDS = "vmm.inflight.partition.max.records";
  public static final String INFLIGHT_PARTITION_MAX_BYTES = "vmm.inflight.partition.max.bytes";
  public static final String INFLIGHT_TASK_MAX_BYTES = "vmm.inflight.task.max.bytes";
  /** {@code record} (decode and re-encode every record) or {@code batch} (pass record batches through unchanged). */
  public static final String DATA_PATH = "vmm.data.path";
  // checkpoint
  public static final String REFRESH_GROUPS_ENABLED = "refresh.groups.enabled";
  public static final String REFRESH_GROUPS_INTERVAL_SECONDS = "refresh.groups.interval.seconds";
  public static final String EMIT_CHECKPOINTS_ENABLED = "emit.checkpoints.enabled";
  public static final String EMIT_CHECKPOINTS_INTERVAL_SECONDS = "emit.checkpoints.interval.seconds";
  public static final String SYNC_GROUP_OFFSETS_ENABLED = "sync.group.offsets.enabled";
  public static final String SYNC_GROUP_OFFSETS_INTERVAL_SECONDS = "sync.group.offsets.interval.seconds";
  public static final String CHECKPOINTS_TOPIC_REPLICATION_FACTOR = "checkpoints.topic.replication.factor";
  // heartbeat
  public static final String EMIT_HEARTBEATS_ENABLED = "emit.heartbeats.enabled";
  public static final String EMIT_HEARTBEATS_INTERVAL_SECONDS = "emit.heartbeats.interval.seconds";
  public static final String HEARTBEATS_TOPIC_REPLICATION_FACTOR = "heartbeats.topic.replication.factor";

  public static final String DEFAULT_REPLICATION_POLICY = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy";
  public static final String IDENTITY_REPLICATION_POLICY = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy";
  /** MM2 4.x default of {@code topics.exclude}. */
  public static final String TOPICS_EXCLUDE_DEFAULT = "mm2.*\\.internal, .*\\.replica, __.*";
  /** MM2 default of {@code groups.exclude}. */
  public static final String GROUPS_EXCLUDE_DEFAULT = "console-consumer-.*, connect-.*, __.*";
  /** MM2 4.1.1 default of {@code config.properties.exclude}. */
  public static final String CONFIG_PROPERTIES_EXCLUDE_DEFAULT = "follower\\.replication\\.throttled\\.replicas, "
      + "leader\\.replication\\.throttled\\.replicas, message\\.timestamp\\.difference\\.max\\.ms, "
      + "message\\.timestamp\\.type, unclean\\.leader\\.election\\.enable, min\\.insync\\.replicas";

  /**
   * Connect framework and Strimzi keys that are accepted in a connector {@code config} but have no effect here
   * (a warning is logged); for example converters, which MM2 sets to ByteArrayConverter anyway.
   */
  public static final Set<String> IGNORED = Set.of(
      "key.converter", "value.converter", "header.converter", "connector.class", "name",
      "errors.tolerance", "errors.log.enable", "errors.log.include.messages", "errors.retry.timeout",
      "errors.retry.delay.max.ms", "metric.reporters", "forwarding.admin.class", "exactly.once.support",
      "transaction.boundary", "offsets.storage.topic", "config.action.reload", "transforms", "predicates");

  /** Keys that Strimzi's spec owns: setting them in {@code config} is an error that names the field to use. */
  public static final java.util.Map<String, String> SPEC_OWNED = java.util.Map.of(
      "tasks.max", "tasksMax",
      "source.cluster.alias", "sourceCluster",
      "target.cluster.alias", "targetCluster",
      "source.cluster.bootstrap.servers", "clusters[].bootstrapServers",
      "target.cluster.bootstrap.servers", "clusters[].bootstrapServers");

  private ConnectorKeys() {
  }

  /** A validator for an optional number key without a default: unset (null), or at least {@code min}. */
  private static ConfigDef.Validator unsetOrAtLeast(long min) {
    return (name, value) -> {
      if (value != null && ((Number) value).longValue() < min) {
        throw new org.apache.kafka.common.config.ConfigException(name, value, "Value must be at least " + min);
      }
    };
  }

  /** {@link #INFLIGHT_TASK_MAX_BYTES} when unset on the batch path, bytes. */
  public static final int TASK_MAX_BYTES_BATCH_PATH = 8 << 20;
  /**
   * {@link #INFLIGHT_TASK_MAX_BYTES} when unset on the record path, bytes: its records are decoded objects on the
   * heap until acknowledged, so fewer of them in flight keeps them out of the old generation (README
   * "Performance", record path).
   */
  public static final int TASK_MAX_BYTES_RECORD_PATH = 4 << 20;

  /**
   * A source connector's un-acked bytes per task ({@link #INFLIGHT_TASK_MAX_BYTES}): the configured value, else
   * {@link #TASK_MAX_BYTES_BATCH_PATH} or {@link #TASK_MAX_BYTES_RECORD_PATH}.
   *
   * @param batchPath whether the tasks pass batches through ({@code vmm.data.path=batch} and nothing forcing the
   *                  record path)
   */
  public static int inflightTaskMaxBytes(ConnectorConfig config, boolean batchPath) {
    Object set = config.values().get(INFLIGHT_TASK_MAX_BYTES);
    return set != null ? ((Number) set).intValue() : batchPath ? TASK_MAX_BYTES_BATCH_PATH : TASK_MAX_BYTES_RECORD_PATH;
  }

  private static ConfigDef common() {
    return new ConfigDef()
        .define(REPLICATION_POLICY_CLASS, Type.STRING, DEFAULT_REPLICATION_POLICY, Importance.LOW,
            "ReplicationPolicy class naming remote topics (DefaultReplicationPolicy or IdentityReplicationPolicy)")
        .define(REPLICATION_POLICY_SEPARATOR, Type.STRING, ".", new ConfigDef.NonEmptyString(), Importance.LOW,
            "Separator between the source cluster alias and the topic name in remote topic names")
        .define(INTERNAL_TOPIC_SEPARATOR_ENABLED, Type.BOOLEAN, true, Importance.LOW,
            "Whether the custom separator is also used in internal topic names (KIP-949)")
        .define(ADMIN_TIMEOUT_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.LOW,
            "Timeout of admin calls, in milliseconds")
        .define(ENABLED, Type.BOOLEAN, true, Importance.LOW, "Whether this connector runs")
        .define(TOPICS, Type.STRING, ".*", Importance.LOW,
            "Topics to replicate: regexes, comma-separated; prefer the mirror's topicsPattern")
        .define(TOPICS_EXCLUDE, Type.STRING, TOPICS_EXCLUDE_DEFAULT, Importance.LOW,
            "Topics not to replicate: regexes, comma-separated; prefer the mirror's topicsExcludePattern")
        .define("topic.filter.class", Type.STRING, "org.apache.kafka.connect.mirror.DefaultTopicFilter",
            ValidString.in("org.apache.kafka.connect.mirror.DefaultTopicFilter"), Importance.LOW,
            "Only MM2's DefaultTopicFilter is supported")
        .define(OFFSET_SYNCS_TOPIC_LOCATION, Type.STRING, "source", ValidString.in("source", "target"),
            Importance.LOW, "Cluster holding the offset-syncs topic")
        .define(CONSUMER_POLL_TIMEOUT_MS, Type.LONG, 1000L, Range.atLeast(1), Importance.LOW,
            "Consumer poll timeout, in milliseconds");
  }

  /** Keys of {@code sourceConnector.config} (MirrorSourceConnector). */
  public static final ConfigDef SOURCE = common()
      .define(REPLICATION_FACTOR, Type.INT, 2, Range.between(-1, Short.MAX_VALUE), Importance.LOW,
          "Replication factor of remote topics; -1 uses the target broker default")
      .define(REFRESH_TOPICS_ENABLED, Type.BOOLEAN, true, Importance.LOW, "Whether to look for new topics")
      .define(REFRESH_TOPICS_INTERVAL_SECONDS, Type.LONG, 600L, Range.atLeast(1), Importance.LOW,
          "Topic refresh interval, in seconds")
      .define(SYNC_TOPIC_CONFIGS_ENABLED, Type.BOOLEAN, true, Importance.LOW, "Whether to sync topic configs")
      .define(SYNC_TOPIC_CONFIGS_INTERVAL_SECONDS, Type.LONG, 600L, Range.atLeast(1), Importance.LOW,
          "Topic config sync interval, in seconds")
      .define(SYNC_TOPIC_ACLS_ENABLED, Type.BOOLEAN, true, Importance.LOW, "Whether to sync topic ACLs")
      .define(SYNC_TOPIC_ACLS_INTERVAL_SECONDS, Type.LONG, 600L, Range.atLeast(1), Importance.LOW,
          "Topic ACL sync interval, in seconds")
      .define(CONFIG_PROPERTIES_EXCLUDE, Type.STRING, CONFIG_PROPERTIES_EXCLUDE_DEFAULT, Importance.LOW,
          "Topic config keys never synced: regexes, comma-separated")
      .define("config.property.filter.class", Type.STRING,
          "org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter",
          ValidString.in("org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter"), Importance.LOW,
          "Only MM2's DefaultConfigPropertyFilter is supported")
      .define(USE_DEFAULTS_FROM, Type.STRING, "target", ValidString.in("target", "source"), Importance.LOW,
          "Whose defaults apply to topic config entries that are defaults on the source")
      .define(OFFSET_SYNCS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.between(-1, Short.MAX_VALUE),
          Importance.LOW, "Replication factor of the offset-syncs topic")
      .define(OFFSET_LAG_MAX, Type.LONG, 100L, Range.atLeast(0), Importance.LOW,
          "How far the downstream offset may run ahead of the last offset sync")
      .define(EMIT_OFFSET_SYNCS_ENABLED, Type.BOOLEAN, true, Importance.LOW, "Whether to emit offset syncs")
      .define(HEARTBEATS_REPLICATION_ENABLED, Type.BOOLEAN, true, Importance.LOW,
          "Whether heartbeats topics are replicated whatever the topic filter says")
      .define(OFFSET_FLUSH_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(100), Importance.LOW,
          "How often progress is stored in mm2-offsets.<source>.internal, in ms (MM2: 60000, a worker key)")
      .define(TRANSACTION_BOUNDARY_INTERVAL_MS, Type.LONG, null, unsetOrAtLeast(10), Importance.LOW,
          "With exactly-once: the longest time between transaction commits, in ms; unset: offset.flush.interval.ms,"
              + " at most 100"
              + " A transaction is also committed early when its records reach the in-flight limits")
      .define(INFLIGHT_PARTITION_MAX_RECORDS, Type.INT, 5_000, Range.atLeast(2), Importance.LOW,
          "Un-acked records per partition above which the partition is paused (resumed below half)")
      .define(INFLIGHT_PARTITION_MAX_BYTES, Type.INT, 4 << 20, Range.atLeast(1024), Importance.LOW,
          "Un-acked bytes per partition above which the partition is paused (resumed below half)")
      .define(INFLIGHT_TASK_MAX_BYTES, Type.INT, null, unsetOrAtLeast(1024), Importance.LOW,
          "Un-acked bytes per task above which all its partitions are paused (resumed below half); unset: "
              + "8 MiB on the batch path, 4 MiB on the record path; keep tasksMax x this below the producer's "
              + "buffer.memory")
      .define(DATA_PATH, Type.STRING, "batch", ValidString.in("record", "batch"), Importance.LOW,
          "How records travel: 'batch' (default) passes fetched record batches through unchanged, still "
              + "compressed, where eligible; 'record' decodes and re-encodes each one with Kafka's consumer and "
              + "producer, as MM2 does (vmm addition)");

  /** Keys of {@code checkpointConnector.config} (MirrorCheckpointConnector). */
  public static final ConfigDef CHECKPOINT = common()
      .define(GROUPS, Type.STRING, ".*", Importance.LOW,
          "Groups to checkpoint: regexes, comma-separated; prefer the mirror's groupsPattern")
      .define(GROUPS_EXCLUDE, Type.STRING, GROUPS_EXCLUDE_DEFAULT, Importance.LOW,
          "Groups not to checkpoint; prefer the mirror's groupsExcludePattern")
      .define("group.filter.class", Type.STRING, "org.apache.kafka.connect.mirror.DefaultGroupFilter",
          ValidString.in("org.apache.kafka.connect.mirror.DefaultGroupFilter"), Importance.LOW,
          "Only MM2's DefaultGroupFilter is supported")
      .define(REFRESH_GROUPS_ENABLED, Type.BOOLEAN, true, Importance.LOW, "Whether to look for new groups")
      .define(REFRESH_GROUPS_INTERVAL_SECONDS, Type.LONG, 600L, Range.atLeast(1), Importance.LOW,
          "Group refresh interval, in seconds")
      .define(EMIT_CHECKPOINTS_ENABLED, Type.BOOLEAN, true, Importance.LOW, "Whether to emit checkpoints")
      .define(EMIT_CHECKPOINTS_INTERVAL_SECONDS, Type.LONG, 60L, Range.atLeast(1), Importance.LOW,
          "Checkpoint interval, in seconds")
      .define(SYNC_GROUP_OFFSETS_ENABLED, Type.BOOLEAN, false, Importance.LOW,
          "Whether to write translated offsets to target consumer groups")
      .define(SYNC_GROUP_OFFSETS_INTERVAL_SECONDS, Type.LONG, 60L, Range.atLeast(1), Importance.LOW,
          "Group offset sync interval, in seconds")
      .define(CHECKPOINTS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.between(-1, Short.MAX_VALUE),
          Importance.LOW, "Replication factor of <source>.checkpoints.internal");

  /** Keys of {@code heartbeatConnector.config} (MirrorHeartbeatConnector). */
  public static final ConfigDef HEARTBEAT = common()
      .define(EMIT_HEARTBEATS_ENABLED, Type.BOOLEAN, true, Importance.LOW, "Whether to emit heartbeats")
      .define(EMIT_HEARTBEATS_INTERVAL_SECONDS, Type.LONG, 1L, Range.atLeast(1), Importance.LOW,
          "Heartbeat interval, in seconds")
      .define(HEARTBEATS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.between(-1, Short.MAX_VALUE),
          Importance.LOW, "Replication factor of the heartbeats topic");

  /** The definition for one connector kind. */
  public static ConfigDef of(ConnectorKind kind) {
    return switch (kind) {
      case SOURCE -> SOURCE;
      case CHECKPOINT -> CHECKPOINT;
      case HEARTBEAT -> HEARTBEAT;
    };
  }
}
