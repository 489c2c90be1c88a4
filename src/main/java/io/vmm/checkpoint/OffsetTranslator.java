package io.vmm.checkpoint;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.policy.ReplicationRules;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Translates a consumer group's committed source offsets to its remote partitions with an {@link OffsetSyncStore}
 * (after MM2 {@code MirrorCheckpointTask.checkpoint}), and shapes the reply of a translate request
 * ({@link io.vmm.bus.Addresses#TRANSLATE}). Partitions of topics the flow does not mirror, null offsets and
 * offsets the store cannot translate are left out. Stateless and pure; call it on the store owner's context.
 */
final class OffsetTranslator {

  /**
   * One translated committed offset.
   *
   * @param upstream         the source partition
   * @param downstream       its remote partition on the target, e.g. {@code A.t-0}
   * @param upstreamOffset   the group's committed offset on the source (next offset to read)
   * @param downstreamOffset where the group resumes on the target (next offset to read)
   * @param exact            whether the translation is exact ({@link OffsetSyncStore.Translation#exact()})
   * @param metadata         the commit's metadata, never null
   */
  record Translated(TopicPartition upstream, TopicPartition downstream, long upstreamOffset, long downstreamOffset,
                    boolean exact, String metadata) {
  }

  private OffsetTranslator() {
  }

  /** The translatable offsets of {@code committed}, sorted by upstream topic, then partition. */
  static List<Translated> translate(Map<TopicPartition, OffsetAndMetadata> committed, OffsetSyncStore store,
                                    ReplicationRules rules) {
    List<TopicPartition> sorted = new ArrayList<>(committed.keySet());
    sorted.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    List<Translated> out = new ArrayList<>();
    for (TopicPartition upstream : sorted) {
      OffsetAndMetadata om = committed.get(upstream);
      if (om == null || !rules.shouldReplicateTopic(upstream.topic())) {
        continue;
      }
      OffsetSyncStore.Translation t = store.translate(upstream, om.offset());
      if (t != null) {
        out.add(new Translated(upstream, new TopicPartition(rules.remoteTopic(upstream.topic()), upstream.partition()),
            om.offset(), t.downstream(), t.exact(), om.metadata() == null ? "" : om.metadata()));
      }
    }
    return out;
  }

  /**
   * The translate reply: {@code {"flow","group","partitions":[{"topic" (remote),"partition","upstreamOffset",
   * "offset","exact"}]}}.
   */
  static JsonObject reply(String flowName, String group, List<Translated> translated) {
    JsonArray partitions = new JsonArray();
    for (Translated t : translated) {
      partitions.add(new JsonObject().put("topic", t.downstream().topic()).put("partition", t.downstream().partition())
          .put("upstreamOffset", t.upstreamOffset()).put("offset", t.downstreamOffset()).put("exact", t.exact()));
    }
    return new JsonObject().put("flow", flowName).put("group", group).put("partitions", partitions);
  }
}
