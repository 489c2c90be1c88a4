package io.vmm.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates the compacted internal topics (progress, offset syncs, checkpoints, heartbeats) when they are missing,
 * as MM2 does: {@code cleanup.policy=compact}, the given partitions and replication factor (-1 = broker default).
 * A topic that already exists (or was created meanwhile by another replica or by MM2) is fine.
 */
public final class CompactedTopics {

  private CompactedTopics() {
  }

  /**
   * Completes on {@code context} with true when this call created the topic, false when it already existed.
   * Fails after {@code timeout} or on any other error, with a message naming the topic.
   */
  public static Future<Boolean> ensure(Context context, Admin admin, String topic, int partitions,
                                       short replicationFactor, Duration timeout) {
    NewTopic newTopic = new NewTopic(topic, Optional.of(partitions),
        replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
        .configs(Map.of("cleanup.policy", "compact"));
    return KafkaFutures.on(context, admin.createTopics(List.of(newTopic)).all(), timeout, "create " + topic)
        .map(true)
        .recover(e -> KafkaFutures.causedBy(e, TopicExistsException.class)
            ? Future.succeededFuture(false) : Future.failedFuture(e));
  }
}
