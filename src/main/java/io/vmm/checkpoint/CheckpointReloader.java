package io.vmm.checkpoint;

import io.vmm.checkpoint.CheckpointLedger.Checkpointed;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.Checkpoint;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the checkpoints topic back once at start, keeping the latest checkpoint per group and downstream
 * partition (MM2 KAFKA-15905: a restarted checkpointer must not write a checkpoint older than one it wrote
 * before). MM2's Checkpoint bytes are decoded with MM2's own {@link Checkpoint#deserializeRecord}; records that
 * fail to decode are counted ({@link UnreadableRecords}), not applied.
 * <p>
 * Threading: {@link #load} blocks (a consumer of its own, created and closed inside the call): run it on a worker
 * thread, e.g. {@code vertx.executeBlocking(..., true)}. Stateless.
 */
final class CheckpointReloader {

  /**
   * What was read back.
   *
   * @param latest     group → downstream partition → latest checkpoint
   * @param records    records read
   * @param end        the end offset of partition 0 when the read began
   * @param position   the offset reached (below {@code end} if the timeout passed first)
   * @param unreadable records that failed to decode
   */
  record Reloaded(Map<String, Map<TopicPartition, Checkpointed>> latest, long records, long end, long position,
                  UnreadableRecords unreadable) {

    /** True if the topic was read up to the end it had when the read began. */
    boolean complete() {
      return position >= end;
    }
  }

  private CheckpointReloader() {
  }

  /**
   * Reads partition 0 of {@code topic} from its beginning to the end it has now, for at most {@code timeoutMs}.
   * Blocking: worker thread only. Fails (throws) if the end offset cannot be read within {@code timeoutMs}.
   *
   * @param consumerConfig consumer settings for the target cluster (no group)
   */
  static Reloaded load(Map<String, Object> consumerConfig, String topic, long timeoutMs) {
    Map<String, Map<TopicPartition, Checkpointed>> latest = new HashMap<>();
    UnreadableRecords unreadable = new UnreadableRecords("checkpoints");
    long records = 0;
    try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(consumerConfig)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      reader.assign(List.of(tp));
      reader.seekToBeginning(List.of(tp));
      long end = reader.endOffsets(List.of(tp), Duration.ofMillis(timeoutMs)).get(tp);
      long deadline = System.currentTimeMillis() + timeoutMs;
      long position = reader.position(tp, Duration.ofMillis(timeoutMs));
      while (position < end && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          records++;
          apply(r, latest, unreadable);
        }
        position = reader.position(tp, Duration.ofMillis(Math.max(1, deadline - System.currentTimeMillis())));
      }
      return new Reloaded(latest, records, end, position, unreadable);
    }
  }

  /** Decodes one record into {@code latest} (a later record of the same key wins), or counts it unreadable. */
  static void apply(ConsumerRecord<byte[], byte[]> r, Map<String, Map<TopicPartition, Checkpointed>> latest,
                    UnreadableRecords unreadable) {
    if (r.key() == null || r.value() == null) {
      unreadable.add(r, null);
      return;
    }
    Checkpoint cp;
    try {
      cp = Checkpoint.deserializeRecord(r);
    } catch (RuntimeException e) {
      unreadable.add(r, e);
      return;
    }
    latest.computeIfAbsent(cp.consumerGroupId(), g -> new HashMap<>())
        .put(cp.topicPartition(), new Checkpointed(cp.upstreamOffset(), cp.downstreamOffset()));
  }
}
