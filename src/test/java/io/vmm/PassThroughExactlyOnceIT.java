package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.TwoClusters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.vmm.MirrorTestSupport.ofPartition;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.storedProgress;
import static io.vmm.PassThroughSupport.assertSameRecords;
import static io.vmm.PassThroughSupport.readCommitted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@link PassThroughIT} case with exactly-once on ({@code exactly.once.source.support=enabled} on B): the
 * batches pass through the transactional wire writer ({@code target.PassThroughTransactions}), built batches
 * carry what may not pass through, and the same record-for-record expectations hold (codecs, mixed sizes, null
 * keys and tombstones, source transactions, the too-large fallbacks, compacted sources, take-overs between paths).
 * A record too large for the target fails its partition at its first uncommitted record, as in every
 * exactly-once case: nothing of the aborted transaction is visible.
 */
class PassThroughExactlyOnceIT extends PassThroughIT {

  PassThroughExactlyOnceIT(TwoClusters clusters) {
    super(clusters);
  }

  @Override
  JsonObject configOf(JsonObject mirror) {
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("transaction.boundary.interval.ms", 500);
    JsonObject config = super.configOf(mirror);
    JsonObject target = config.getJsonArray("clusters").getJsonObject(1);
    target.put("config", target.getJsonObject("config", new JsonObject()).put("exactly.once.source.support", "enabled"));
    return config;
  }

  @Override
  @Test
  @Order(6)
  void recordLargerThanTargetMaxMessageBytesFailsItsPartitionLoudly() {
    String topic = "pt-large-record";
    JsonObject config = largeRecordSource(topic);
    try (RunningMirror m = startMirror(config)) {
      JsonObject flow = Await.value("a FAILED partition in the status", MirrorTestSupport.TIMEOUT, () -> {
        JsonObject f = m.flow();
        return f.getJsonArray("failures").isEmpty() ? null : f;
      });
      JsonObject failed = flow.getJsonArray("failures").getJsonObject(0);
      assertEquals(0, failed.getInteger("partition"));
      long at = failed.getLong("offset");
      assertTrue(at >= 0 && at <= 5, "FAILED at its first uncommitted record: " + at);
      assertTrue(failed.getString("error").contains("RecordTooLarge"), failed.getString("error"));
      List<ConsumerRecord<byte[], byte[]>> source = clusters.a().readAllNow(topic);
      Await.until("the other partition goes on", MirrorTestSupport.TIMEOUT,
          () -> ofPartition(readCommitted(clusters.b(), "A." + topic), 1).size() >= 10);
      List<ConsumerRecord<byte[], byte[]>> target = readCommitted(clusters.b(), "A." + topic);
      assertSameRecords(ofPartition(source, 1), ofPartition(target, 1), 2, topic + " partition 1");
      assertSameRecords(ofPartition(source, 0).subList(0, (int) at), ofPartition(target, 0), 2,
          topic + " partition 0: committed records before the aborted transaction only");
      Await.until("progress of partition 1 at its end", MirrorTestSupport.TIMEOUT, () -> {
        Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
        return Long.valueOf(9).equals(stored.get(new TopicPartition(topic, 1)));
      });
    }
  }
}
