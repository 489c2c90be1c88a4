package io.vmm.progress;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Take-over from MM2 run by Strimzi (Kafka Connect mode): its progress is in the Connect cluster's offsets topic
 * ({@code offset.storage.topic}, e.g. {@code mirrormaker2-cluster-offsets}, on the target), in
 * {@link ProgressFormat}'s format keyed by connector name {@code A->B.MirrorSourceConnector}. When the target
 * cluster's config names that topic, one flow's {@code TakeOver} reads it once (the first
 * {@link #connectProgress} call) and {@link #apply} merges it with our own: for each partition the later of
 * the two stored offsets ("last written" upstream offsets, resume at +1) wins, so a hand-over in either
 * direction (Strimzi MM2 to us, us to Strimzi MM2 and back) copies nothing again.
 * <p>
 * A missing Connect topic is an info line, an unreadable one a warning; neither fails the flow (no take-over
 * then). Not thread-safe: call from one context (the flow runner's); the read runs on a worker thread and its
 * Future completes on the calling context.
 */
public final class TakeOver {

  private static final Logger LOG = LoggerFactory.getLogger(TakeOver.class);

  /**
   * Progress after the merge.
   *
   * @param progress  last written upstream offset per source partition: the later of ours and the Connect topic's
   * @param takenOver the partitions whose entry came from the Connect topic (none or a lower one of ours), with
   *                  that offset
   */
  public record Merged(Map<TopicPartition, Long> progress, Map<TopicPartition, Long> takenOver) {
    public Merged {
      progress = Map.copyOf(progress);
      takenOver = Map.copyOf(takenOver);
    }
  }

  private final String flow;
  private final String sourceAlias;
  private final String targetAlias;
  private final String connectTopic;
  private Future<Map<TopicPartition, Long>> connect;
  private boolean logged;

  /**
   * @param flow         the flow's name {@code A->B}, for log lines
   * @param connectTopic the Connect offsets topic on the target ({@code clusters[target].config} key
   *                     {@code offset.storage.topic}), or null: no take-over
   * @param ownTopic     our own progress topic; a Connect topic of the same name is not read twice (no take-over)
   */
  public TakeOver(String flow, String sourceAlias, String targetAlias, String connectTopic, String ownTopic) {
    this.flow = flow;
    this.sourceAlias = sourceAlias;
    this.targetAlias = targetAlias;
    this.connectTopic = connectTopic == null || connectTopic.isBlank() || connectTopic.equals(ownTopic) ? null
        : connectTopic;
  }

  /** The Connect offsets topic read, or null when there is none. */
  public String connectTopic() {
    return connectTopic;
  }

  /**
   * Flow {@code A->B}'s progress stored in the Connect offsets topic (keys of {@code A->B.MirrorSourceConnector}
   * with {@code "cluster":"A"} only), read once: the first call starts the read on a worker thread, bounded by
   * {@code timeout}; later calls return the same Future. Empty without a Connect topic, when it does not exist,
   * or when it cannot be read (logged). Never fails.
   *
   * @param consumerConfig target-cluster consumer settings (byte-array deserializers), evaluated once
   */
  public Future<Map<TopicPartition, Long>> connectProgress(Vertx vertx, Supplier<Map<String, Object>> consumerConfig,
                                                           Duration timeout) {
    if (connectTopic == null) {
      return Future.succeededFuture(Map.of());
    }
    if (connect == null) {
      long started = System.currentTimeMillis();
      connect = vertx.executeBlocking(() -> ProgressReader.loadIfPresent(consumerConfig.get(), connectTopic,
              sourceAlias, targetAlias, timeout), false)
          .map(found -> {
            if (found == null) {
              LOG.info("{} Connect offsets topic {} (offset.storage.topic) does not exist on {}: nothing to take over",
                  flow, connectTopic, targetAlias);
              return Map.<TopicPartition, Long>of();
            }
            LOG.info("{} read Connect offsets topic {} in {} ms: progress of {} for {} partitions", flow,
                connectTopic, System.currentTimeMillis() - started,
                ProgressFormat.connectConnectorName(sourceAlias, targetAlias), found.size());
            return Map.copyOf(found);
          })
          .recover(e -> {
            LOG.warn("{} cannot read Connect offsets topic {} (offset.storage.topic) after {} ms, nothing taken over"
                + " from it: {}", flow, connectTopic, System.currentTimeMillis() - started, e.toString());
            return Future.succeededFuture(Map.of());
          });
    }
    return connect;
  }

  /**
   * Merges {@code own} progress with the Connect topic's ({@link #merge}); the first time a partition is taken
   * over, the taken-over partitions and the topic are logged (once).
   */
  public Map<TopicPartition, Long> apply(Map<TopicPartition, Long> own, Map<TopicPartition, Long> connectProgress) {
    Merged merged = merge(own, connectProgress);
    if (!logged && !merged.takenOver().isEmpty()) {
      logged = true;
      LOG.info("{} taking over {} partitions from Connect offsets topic {} ({}), resuming after the stored offset:"
          + " {}", flow, merged.takenOver().size(), connectTopic,
          ProgressFormat.connectConnectorName(sourceAlias, targetAlias), new TreeMap<>(byName(merged.takenOver())));
    }
    return merged.progress();
  }

  /**
   * The merge rule (pure): per partition the higher of the two entries; a partition in one map only keeps that
   * entry. Positions only grow while one topic incarnation is mirrored, so the higher one is where the later
   * deployment stopped: ours after a hand-over back from Connect-mode MM2, the Connect one after MM2 ran on from
   * where we stopped. (A stale higher entry from before a source topic was recreated is beyond the new log end
   * and handled by the source-reset policy.) Values are "last written" upstream offsets.
   */
  public static Merged merge(Map<TopicPartition, Long> own, Map<TopicPartition, Long> connect) {
    Map<TopicPartition, Long> progress = new HashMap<>(own);
    Map<TopicPartition, Long> takenOver = new HashMap<>();
    connect.forEach((tp, offset) -> {
      Long ours = own.get(tp);
      if (offset != null && offset >= 0 && (ours == null || offset > ours)) {
        progress.put(tp, offset);
        takenOver.put(tp, offset);
      }
    });
    return new Merged(progress, takenOver);
  }

  private static Map<String, Long> byName(Map<TopicPartition, Long> m) {
    Map<String, Long> out = new HashMap<>();
    m.forEach((tp, o) -> out.put(tp.toString(), o));
    return out;
  }
}
