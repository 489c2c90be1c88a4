package io.vmm.checkpoint;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vmm.async.ThrottledLog;
import io.vmm.kafka.FlowAdmins;
import io.vmm.kafka.KafkaFutures;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes checkpointed (translated) offsets to the target's consumer groups: MM2's {@code sync.group.offsets}
 * (after MM2 {@code MirrorCheckpointTask.syncGroupOffset}). Per group, by its state on the target:
 * <ul>
 *   <li>absent (describe fails with {@link GroupIdNotFoundException}, or state DEAD or UNKNOWN): every checkpointed
 *       offset is written;</li>
 *   <li>EMPTY: a partition is written only where the target has no offset or a lower one (a target group is never
 *       rewound);</li>
 *   <li>with active members: left alone, with a log line (MM2 tries and fails; the broker would refuse);</li>
 *   <li>unknown this run (describe or listing its offsets failed for any other reason): skipped this run, with a
 *       throttled warning; it is <b>never</b> taken for absent.</li>
 * </ul>
 * Offsets carry no leader epoch. Admin calls complete on the owner's context, each bounded by
 * {@code admin.timeout.ms}; groups are handled in parallel. Not thread-safe: call from the owner's context.
 */
final class GroupOffsetSync {

  private static final Logger LOG = LoggerFactory.getLogger(GroupOffsetSync.class);

  private final String flowName;
  private final String targetAlias;
  private final FlowAdmins admins;
  private final Context context;
  private final ThrottledLog unknown = new ThrottledLog(LOG);

  GroupOffsetSync(String flowName, String targetAlias, FlowAdmins admins, Context context) {
    this.flowName = flowName;
    this.targetAlias = targetAlias;
    this.admins = admins;
    this.context = context;
  }

  /**
   * Syncs every group of {@code checkpointed} (group → remote partition → downstream offset of its latest
   * checkpoint). Completes on the owner's context when every group was handled; a group's failure is logged and
   * does not fail the others. Fails only if no describe request could be made.
   */
  Future<Void> sync(Map<String, Map<TopicPartition, Long>> checkpointed) {
    if (checkpointed.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, KafkaFuture<ConsumerGroupDescription>> described =
        admins.target().describeConsumerGroups(checkpointed.keySet()).describedGroups();
    List<Future<Void>> groups = new ArrayList<>();
    checkpointed.forEach((group, offsets) -> groups.add(
        state(group, described.get(group)).compose(state -> state == null
            ? Future.succeededFuture() : syncGroup(group, state, offsets))));
    return Future.join(groups).mapEmpty();
  }

  /** The group's state on the target; DEAD if it does not exist; null if unknown this run (logged). */
  private Future<GroupState> state(String group, KafkaFuture<ConsumerGroupDescription> description) {
    if (description == null) {
      unknown.warn("{} group {}: no description from {}, its offsets are not synced this run", flowName, group,
          targetAlias);
      return Future.succeededFuture(null);
    }
    return admins.call(context, description, "describe group " + group + " on " + targetAlias)
        .map(ConsumerGroupDescription::groupState)
        .recover(e -> {
          if (KafkaFutures.causedBy(e, GroupIdNotFoundException.class)) {
            return Future.succeededFuture(GroupState.DEAD);
          }
          unknown.warn("{} group {}: its state on {} is unknown, its offsets are not synced this run: {}", flowName,
              group, targetAlias, e.getMessage());
          return Future.succeededFuture(null);
        });
  }

  private Future<Void> syncGroup(String group, GroupState state, Map<TopicPartition, Long> checkpointed) {
    if (!absent(state) && state != GroupState.EMPTY) {
      LOG.info("{} group {} is {} on {} (consumers are using it): its offsets are not synced", flowName, group, state,
          targetAlias);
      return Future.succeededFuture();
    }
    Future<Map<TopicPartition, OffsetAndMetadata>> current = absent(state) ? Future.succeededFuture(Map.of())
        : admins.call(context, admins.target().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
            "list offsets of group " + group + " on " + targetAlias);
    return current.transform(ar -> {
      if (ar.failed()) {
        unknown.warn("{} group {}: its offsets on {} are unknown, they are not synced this run: {}", flowName, group,
            targetAlias, ar.cause().getMessage());
        return Future.succeededFuture();
      }
      Map<TopicPartition, OffsetAndMetadata> toWrite = plan(state, ar.result(), checkpointed);
      if (toWrite == null || toWrite.isEmpty()) {
        return Future.succeededFuture();
      }
      return admins.call(context, admins.target().alterConsumerGroupOffsets(group, toWrite).all(),
              "alter offsets of group " + group + " on " + targetAlias)
          .onSuccess(v -> LOG.info("{} synced offsets of group {} on {}: {}", flowName, group, targetAlias, toWrite))
          .<Void>transform(alter -> {
            if (alter.failed()) {
              Throwable cause = alter.cause().getCause() != null ? alter.cause().getCause() : alter.cause();
              LOG.warn("{} could not sync offsets of group {} (consumers may have joined it): {}", flowName, group,
                  cause.toString());
            }
            return Future.succeededFuture();
          });
    });
  }

  private static boolean absent(GroupState state) {
    return state == GroupState.DEAD || state == GroupState.UNKNOWN;
  }

  /**
   * The offsets to write to a target group, or null if the group must be left alone. Pure.
   *
   * @param state        the group's state on the target (DEAD or UNKNOWN: absent)
   * @param current      its committed offsets on the target (used when EMPTY)
   * @param checkpointed remote partition → downstream offset of the latest checkpoint
   */
  static Map<TopicPartition, OffsetAndMetadata> plan(GroupState state, Map<TopicPartition, OffsetAndMetadata> current,
                                                     Map<TopicPartition, Long> checkpointed) {
    Map<TopicPartition, OffsetAndMetadata> toWrite = new HashMap<>();
    if (absent(state)) {
      checkpointed.forEach((tp, offset) -> toWrite.put(tp, new OffsetAndMetadata(offset)));
    } else if (state == GroupState.EMPTY) {
      checkpointed.forEach((tp, offset) -> {
        OffsetAndMetadata now = current.get(tp);
        if (now == null || now.offset() < offset) {
          toWrite.put(tp, new OffsetAndMetadata(offset));
        }
      });
    } else {
      return null;
    }
    return toWrite;
  }
}
