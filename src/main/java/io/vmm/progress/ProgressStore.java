package io.vmm.progress;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConnectorKind;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mirror progress in MM2's own format, so MM2 and this mirror can take over from each other without
 * re-mirroring (shared reference mm2-compatibility.md §2, §5). Progress of flow {@code A->B} lives in topic
 * {@code mm2-offsets.A.internal} on B, as Connect's JsonConverter (schemas off) writes it:
 * key {@code ["MirrorSourceConnector",{"cluster":"A","partition":0,"topic":"t1"}]}, value {@code {"offset":41}}
 * where 41 is the upstream offset of the last record written to the target; resume at 42.
 * Records are partitioned by Kafka's default partitioner over the key bytes, as Connect does.
 */
public final class ProgressStore {

  private static final Logger LOG = LoggerFactory.getLogger(ProgressStore.class);

  private ProgressStore() {
  }

  /** The progress topic of flows from {@code sourceAlias}, on their target: {@code mm2-offsets.<source>.internal}. */
  public static String topic(String sourceAlias) {
    return "mm2-offsets." + sourceAlias + ".internal";
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
   * The source partition a progress key is about, if it is a MirrorSourceConnector key of {@code sourceAlias};
   * else null. Connector names ending in {@code MirrorSourceConnector} are accepted (Strimzi names connectors
   * {@code A->B.MirrorSourceConnector}).
   */
  static TopicPartition parseKey(byte[] key, String sourceAlias) {
    if (key == null) {
      return null;
    }
    try {
      JsonArray array = new JsonArray(new String(key, StandardCharsets.UTF_8));
      if (array.size() != 2 || !(array.getValue(0) instanceof String name)
          || !name.endsWith(ConnectorKind.SOURCE.mm2Name()) || !(array.getValue(1) instanceof JsonObject p)) {
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

  /** The stored offset of a value, or null for a tombstone; -1 for a value without a usable offset. */
  static Long parseValue(byte[] value) {
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

  /**
   * Reads the whole progress topic and returns the latest stored offset per source partition of
   * {@code sourceAlias} (last record wins; tombstones delete; negative values are dropped, as Connect ignores
   * them). Blocking: run on a worker thread, never on an event loop.
   *
   * @param consumerConfig target-cluster consumer settings (byte-array deserializers)
   * @throws IllegalStateException if the topic cannot be read to its end within {@code timeout}
   */
  public static Map<TopicPartition, Long> load(Map<String, Object> consumerConfig, String topic, String sourceAlias,
                                               Duration timeout) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    Map<TopicPartition, Long> stored = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        return stored;
      }
      List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
      int records = 0;
      while (!reachedEnd(consumer, end)) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("reading " + topic + " did not reach its end within " + timeout.toMillis()
              + " ms");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          records++;
          TopicPartition tp = parseKey(r.key(), sourceAlias);
          if (tp == null) {
            continue;
          }
          Long offset = parseValue(r.value());
          if (offset == null || offset < 0) {
            stored.remove(tp);
          } else {
            stored.put(tp, offset);
          }
        }
      }
      LOG.info("read {} progress records from {}: stored progress for {} partitions of {}", records, topic,
          stored.size(), sourceAlias);
      return stored;
    }
  }

  private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
