package io.vmm.progress;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConnectorKind;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;

/**
 * Mirror progress in MM2's own format, so MM2 and this mirror can take over from each other without
 * re-mirroring (shared reference mm2-compatibility.md §2, §5). Progress of flow {@code A->B} lives in topic
 * {@code mm2-offsets.A.internal} on B, as Connect's JsonConverter (schemas off) writes it:
 * key {@code ["MirrorSourceConnector",{"cluster":"A","partition":0,"topic":"t1"}]}, value {@code {"offset":41}}
 * where 41 is the upstream offset of the last record written to the target; resume at 42.
 * Records are partitioned by Kafka's default partitioner over the key bytes, as Connect does. The topic name is
 * {@link io.vmm.policy.InternalTopics#progressTopic}; {@link ProgressReader} reads it back. Stateless.
 */
public final class ProgressFormat {

  private ProgressFormat() {
  }

  /** Key bytes for one source partition; field order cluster, partition, topic as Connect writes them. */
  public static byte[] key(String sourceAlias, TopicPartition tp) {
    JsonObject partition = new JsonObject().put("cluster", sourceAlias).put("partition", tp.partition())
        .put("topic", tp.topic());
    return new JsonArray().add(ConnectorKind.SOURCE.mm2Name()).add(partition).encode()
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Value bytes: {@code {"offset":<last written upstream offset>}}. */
  public static byte[] value(long lastWritten) {
    return ("{\"offset\":" + lastWritten + "}").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The name Strimzi (Kafka Connect) gives flow {@code source->target}'s source connector, under which its
   * progress is keyed in the Connect cluster's offsets topic: {@code A->B.MirrorSourceConnector}.
   */
  public static String connectConnectorName(String sourceAlias, String targetAlias) {
    return sourceAlias + "->" + targetAlias + "." + ConnectorKind.SOURCE.mm2Name();
  }

  /** {@link #parseKey(byte[], String, String)} for any target: {@code A->*.MirrorSourceConnector} also counts. */
  public static TopicPartition parseKey(byte[] key, String sourceAlias) {
    return parseKey(key, sourceAlias, null);
  }

  /**
   * The source partition a progress key is about, if it is progress of flow {@code sourceAlias->targetAlias};
   * else null. The rule: the key's {@code cluster} field is {@code sourceAlias}, and the connector name is
   * MM2 dedicated mode's (and this mirror's) {@code MirrorSourceConnector} or Strimzi's
   * {@link #connectConnectorName} {@code sourceAlias->targetAlias.MirrorSourceConnector}. With a null
   * {@code targetAlias} any {@code sourceAlias->X.MirrorSourceConnector} counts. So in a Connect offsets topic
   * shared by several connectors, another flow's key ({@code C->B.MirrorSourceConnector}, even with
   * {@code "cluster":"A"}), a checkpoint or heartbeat connector's key, or any other connector's key is ignored.
   */
  public static TopicPartition parseKey(byte[] key, String sourceAlias, String targetAlias) {
    if (key == null) {
      return null;
    }
    try {
      JsonArray array = new JsonArray(new String(key, StandardCharsets.UTF_8));
      if (array.size() != 2 || !(array.getValue(0) instanceof String name) || !isFlowName(name, sourceAlias,
          targetAlias) || !(array.getValue(1) instanceof JsonObject p)) {
        return null;
      }
      if (!sourceAlias.equals(p.getValue("cluster")) || !(p.getValue("topic") instanceof String topic)
          || !(p.getValue("partition") instanceof Number partition)) {
        return null;
      }
      return new TopicPartition(topic, partition.intValue());
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static boolean isFlowName(String name, String sourceAlias, String targetAlias) {
    String dedicated = ConnectorKind.SOURCE.mm2Name();
    if (name.equals(dedicated)) {
      return true;
    }
    if (targetAlias != null) {
      return name.equals(connectConnectorName(sourceAlias, targetAlias));
    }
    String prefix = sourceAlias + "->";
    return name.startsWith(prefix) && name.endsWith("." + dedicated) && name.length() > prefix.length()
        + dedicated.length() + 1 && !name.substring(prefix.length()).contains("->");
  }

  /** The stored offset of a value, or null for a tombstone; -1 for a value without a usable offset. */
  public static Long parseValue(byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      Object offset = new JsonObject(new String(value, StandardCharsets.UTF_8)).getValue("offset");
      return offset instanceof Number n ? n.longValue() : -1L;
    } catch (DecodeException e) {
      return -1L;
    }
  }

}
