package io.vmm.progress;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vmm.async.Budgets;
import io.vmm.kafka.KafkaFutures;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Legacy MirrorMaker (MM1) progress: a consumer group's committed offsets on the SOURCE cluster, as MM1 kept it.
 * A committed offset is the next offset to read, i.e. last written + 1 (our progress is "last written"). Written
 * with {@code Admin.alterConsumerGroupOffsets}, which the broker allows while the group has no active member: the
 * mirror's consumers use assign mode and never join it (an MM1 still running in the group makes commits fail,
 * reported as a failed progress store). Read with {@code Admin.listConsumerGroupOffsets}.
 * <p>
 * One instance per target producer ({@link io.vmm.target.TargetProducerVerticle} commits through it instead of
 * writing the progress topic). Threading: {@link #open}/{@link #close} block (Admin creation and close): call them
 * on a worker thread; {@link #commit} never blocks and completes on the given context.
 */
public final class GroupProgress {

  private static final Logger LOG = LoggerFactory.getLogger(GroupProgress.class);

  private final String flow;
  private final String groupId;
  private final Map<String, Object> adminConfig;
  private final Duration timeout;
  private Admin admin;

  /**
   * @param flow        flow name {@code A->B}, for logs
   * @param groupId     the MM1 consumer group
   * @param adminConfig admin-client settings of the SOURCE cluster
   * @param timeout     per Admin call (the flow's {@code admin.timeout.ms})
   */
  public GroupProgress(String flow, String groupId, Map<String, Object> adminConfig, Duration timeout) {
    this.flow = flow;
    this.groupId = groupId;
    this.adminConfig = adminConfig;
    this.timeout = timeout;
  }

  /** Creates the Admin client. Blocking: worker thread only. */
  public void open() {
    admin = Admin.create(adminConfig);
  }

  /**
   * Commits {@code lastWritten + 1} per partition for the group. Completes on {@code context}; fails when the
   * broker refuses (e.g. the group has active members) or after the timeout.
   *
   * @param lastWritten upstream offset of the last record acknowledged by the target, per source partition
   */
  public Future<Void> commit(Context context, Map<TopicPartition, Long> lastWritten) {
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    lastWritten.forEach((tp, last) -> next.put(tp, new OffsetAndMetadata(last + 1)));
    return KafkaFutures.on(context, admin.alterConsumerGroupOffsets(groupId, next).all(), timeout,
        flow + " committing " + next.size() + " offset(s) of group " + groupId).mapEmpty();
  }

  /** Closes the Admin client within {@link Budgets#CLIENT_CLOSE_MS}. Blocking: worker thread only. */
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS));
    }
  }

  /**
   * The group's committed offsets as stored progress: last written = committed - 1 per partition (a committed 0
   * means nothing written yet and is left out). A short-lived Admin is created and closed on a worker thread; the
   * lookup itself does not block. Completes on {@code context}.
   */
  public static Future<Map<TopicPartition, Long>> read(Vertx vertx, Context context, String flow, String groupId,
                                                       Map<String, Object> adminConfig, Duration timeout) {
    long started = System.nanoTime();
    return vertx.executeBlocking(() -> Admin.create(adminConfig), false).compose(admin -> KafkaFutures.on(context,
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), timeout,
            flow + " reading the offsets of group " + groupId)
        .map(committed -> {
          Map<TopicPartition, Long> stored = new HashMap<>();
          committed.forEach((tp, om) -> {
            if (om != null && om.offset() > 0) {
              stored.put(tp, om.offset() - 1);
            }
          });
          LOG.info("{} legacy mode: resuming from group {}'s committed offsets on {} partition(s) ({} ms)", flow,
              groupId, stored.size(), (System.nanoTime() - started) / 1_000_000);
          return stored;
        })
        .andThen(ar -> vertx.executeBlocking(() -> {
          admin.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS));
          return null;
        }, false)));
  }
}
