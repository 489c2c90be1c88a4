package io.vmm.progress;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads mirror progress back from the target ({@link ProgressFormat}), as Connect's offset store reads its topic
 * at start. Stateless; blocking (a consumer reads the topic to its end): call on a worker thread.
 */
public final class ProgressReader {

  private static final Logger LOG = LoggerFactory.getLogger(ProgressReader.class);

  private ProgressReader() {
  }

  /**
   * Reads the whole progress topic and returns the latest stored offset per source partition of
   * {@code sourceAlias} (last record wins; tombstones delete; negative values are dropped, as Connect ignores
   * them). Keys of any {@code sourceAlias->X.MirrorSourceConnector} count ({@link ProgressFormat#parseKey}).
   * A missing topic gives an empty map. Blocking: run on a worker thread, never on an event loop.
   *
   * @param consumerConfig target-cluster consumer settings (byte-array deserializers)
   * @throws IllegalStateException if the topic cannot be read to its end within {@code timeout}
   */
  public static Map<TopicPartition, Long> load(Map<String, Object> consumerConfig, String topic, String sourceAlias,
                                               Duration timeout) {
    return load(consumerConfig, topic, sourceAlias, null, timeout);
  }

  /**
   * {@link #load(Map, String, String, Duration)} keeping only progress of flow {@code sourceAlias->targetAlias}
   * ({@link ProgressFormat#parseKey(byte[], String, String)}; null {@code targetAlias}: any target).
   */
  public static Map<TopicPartition, Long> load(Map<String, Object> consumerConfig, String topic, String sourceAlias,
                                               String targetAlias, Duration timeout) {
    Map<TopicPartition, Long> stored = loadIfPresent(consumerConfig, topic, sourceAlias, targetAlias, timeout);
    return stored == null ? new HashMap<>() : stored;
  }

  /**
   * {@link #load(Map, String, String, String, Duration)}, but null when {@code topic} does not exist (or has no
   * partitions) on the cluster, so a caller can tell "no such topic" from "no progress in it". Blocking.
   *
   * @throws IllegalStateException if the topic cannot be read to its end within {@code timeout}
   * @throws org.apache.kafka.common.KafkaException on other client errors (e.g. authorization)
   */
  public static Map<TopicPartition, Long> loadIfPresent(Map<String, Object> consumerConfig, String topic,
                                                        String sourceAlias, String targetAlias, Duration timeout) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    Map<TopicPartition, Long> stored = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        return null;
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
          TopicPartition tp = ProgressFormat.parseKey(r.key(), sourceAlias, targetAlias);
          if (tp == null) {
            continue;
          }
          Long offset = ProgressFormat.parseValue(r.value());
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
