package io.vmm.checkpoint;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.bus.OffsetSync;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.TopicFilter;
import io.vmm.policy.ReplicationRules;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Translation of a group's committed offsets and the exact JSON of a translate reply. */
class OffsetTranslatorTest {

  static final ReplicationRules RULES = new ReplicationRules(new DefaultReplicationPolicy(),
      new TopicFilter("t.*", ConnectorKeys.TOPICS_EXCLUDE_DEFAULT), false, "A", "B");

  @Test
  void translatesMirroredPartitionsInOrderAndLeavesTheRestOut() {
    OffsetSyncStore store = new OffsetSyncStore(100);
    store.add(new OffsetSync(new TopicPartition("t2", 0), 0, 0));
    store.add(new OffsetSync(new TopicPartition("t1", 1), 10, 7));
    store.add(new OffsetSync(new TopicPartition("t1", 1), 20, 17));
    store.add(new OffsetSync(new TopicPartition("t1", 0), 5, 5));
    store.add(new OffsetSync(new TopicPartition("other", 0), 0, 0));
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(new TopicPartition("t2", 0), new OffsetAndMetadata(3, "meta"));
    committed.put(new TopicPartition("t1", 1), new OffsetAndMetadata(12));
    committed.put(new TopicPartition("t1", 0), new OffsetAndMetadata(2));       // below the oldest sync: unknown
    committed.put(new TopicPartition("t1", 2), new OffsetAndMetadata(2));       // no sync at all
    committed.put(new TopicPartition("other", 0), new OffsetAndMetadata(1));    // not mirrored
    committed.put(new TopicPartition("t3", 0), null);                           // no offset

    List<OffsetTranslator.Translated> t = OffsetTranslator.translate(committed, store, RULES);

    assertEquals(List.of(
        new OffsetTranslator.Translated(new TopicPartition("t1", 1), new TopicPartition("A.t1", 1), 12, 9, true, ""),
        new OffsetTranslator.Translated(new TopicPartition("t2", 0), new TopicPartition("A.t2", 0), 3, 1, false,
            "meta")), t);
  }

  @Test
  void replyHasTheTranslateShape() {
    JsonObject reply = OffsetTranslator.reply("A->B", "g", List.of(new OffsetTranslator.Translated(
        new TopicPartition("t", 0), new TopicPartition("A.t", 0), 15, 14, true, "")));
    assertEquals(new JsonObject().put("flow", "A->B").put("group", "g").put("partitions", new JsonArray().add(
        new JsonObject().put("topic", "A.t").put("partition", 0).put("upstreamOffset", 15L).put("offset", 14L)
            .put("exact", true))), reply);
    assertEquals("{\"flow\":\"A->B\",\"group\":\"g\",\"partitions\":[{\"topic\":\"A.t\",\"partition\":0,"
        + "\"upstreamOffset\":15,\"offset\":14,\"exact\":true}]}", reply.encode());
    assertEquals(new JsonArray(), OffsetTranslator.reply("A->B", "g", List.of()).getJsonArray("partitions"));
  }
}
