package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.progress.ProgressFormat;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.ofPartition;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.storedProgress;
import static io.vmm.MirrorTestSupport.topicExists;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Take-over from running MM2 deployments (issue 14 item 4), with progress records written by hand in MM2's bytes:
 * Strimzi's Connect-mode offsets topic ({@code offset.storage.topic} in the target's config) and MM2 dedicated
 * mode's {@code mm2-offsets.A.internal}, in both directions. Nothing before the stored position is copied again,
 * nothing after it is missing.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class TakeOverIT {

  private static final String CONNECT_OFFSETS = "mirrormaker2-cluster-offsets";
  private static final int PER_PARTITION = 30;

  private final TwoClusters clusters;

  TakeOverIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code PER_PARTITION} records into each partition of {@code topic}; key {@code p<partition>-<offset>}. */
  private void produce(String topic, int partitions) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("enable.idempotence", false,
        "max.in.flight.requests.per.connection", 1))) {
      for (int part = 0; part < partitions; part++) {
        for (int i = 0; i < PER_PARTITION; i++) {
          p.send(new ProducerRecord<>(topic, part, bytes("p" + part + "-" + i), bytes("v" + i)))
              .get(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Connect's key bytes (JsonConverter, schemas off) for {@code connector}'s source partition. */
  private static byte[] key(String connector, String cluster, String topic, int partition) {
    return bytes("[\"" + connector + "\",{\"cluster\":\"" + cluster + "\",\"partition\":" + partition
        + ",\"topic\":\"" + topic + "\"}]");
  }

  private static void write(EmbeddedKafkaCluster cluster, String topic, List<byte[][]> records) throws Exception {
    if (!topicExists(cluster, topic)) {
      cluster.createTopic(topic, 25, Map.of("cleanup.policy", "compact"));
    }
    try (KafkaProducer<byte[], byte[]> p = cluster.newProducer()) {
      for (byte[][] r : records) {
        p.send(new ProducerRecord<>(topic, r[0], r[1])).get(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The keys of one target partition, in order. */
  private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records, int partition) {
    List<String> out = new ArrayList<>();
    ofPartition(records, partition).forEach(r -> out.add(new String(r.key(), StandardCharsets.UTF_8)));
    return out;
  }

  private static List<String> expected(int partition, int from) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < PER_PARTITION; i++) {
      out.add("p" + partition + "-" + i);
    }
    return out;
  }

  /** Waits until {@code topic} holds {@code n} records and stays there for a while; returns them. */
  private List<ConsumerRecord<byte[], byte[]>> exactly(String topic, int n) throws InterruptedException {
    awaitRecords(clusters.b(), topic, n);
    Thread.sleep(2000); // anything re-copied from before a stored position would arrive by now
    assertEquals(n, count(clusters.b(), topic), "records in " + topic);
    return clusters.b().readAllNow(topic);
  }

  @Test
  void takesOverFromStrimziConnectOffsetsTopic() throws Exception {
    String topic = "strimzi-t";
    clusters.a().createTopic(topic, 4);
    produce(topic, 4);
    write(clusters.b(), CONNECT_OFFSETS, List.of(
        // p0: Strimzi's MM2 wrote offset 3, then 9 (last wins): resume at 10
        new byte[][]{key("A->B.MirrorSourceConnector", "A", topic, 0), bytes("{\"offset\":3}")},
        new byte[][]{key("A->B.MirrorSourceConnector", "A", topic, 0), bytes("{\"offset\":9}")},
        // p1: stored in the Connect topic at 19, later than our own progress (4): MM2 ran on after us
        new byte[][]{key("A->B.MirrorSourceConnector", "A", topic, 1), bytes("{\"offset\":19}")},
        // p2: only other flows' and other connectors' entries: must be ignored, so p2 starts at 0
        new byte[][]{key("C->B.MirrorSourceConnector", "A", topic, 2), bytes("{\"offset\":25}")},
        new byte[][]{key("A->B.MirrorSourceConnector", "C", topic, 2), bytes("{\"offset\":25}")},
        new byte[][]{key("A->C.MirrorSourceConnector", "A", topic, 2), bytes("{\"offset\":25}")},
        new byte[][]{key("A->B.MirrorCheckpointConnector", "A", topic, 2), bytes("{\"offset\":25}")},
        // p3: taken over at 28: only the last record is copied
        new byte[][]{key("A->B.MirrorSourceConnector", "A", topic, 3), bytes("{\"offset\":28}")}));
    write(clusters.b(), "mm2-offsets.A.internal", List.<byte[][]>of(
        new byte[][]{ProgressFormat.key("A", new TopicPartition(topic, 1)), ProgressFormat.value(4)}));

    JsonObject config = config(clusters, mirror("A", "B", topic, 2));
    config.getJsonArray("clusters").getJsonObject(1).put("config",
        new JsonObject().put("offset.storage.topic", CONNECT_OFFSETS));
    try (RunningMirror m = startMirror(config)) {
      List<ConsumerRecord<byte[], byte[]>> target = exactly("A." + topic, 20 + 10 + 30 + 1);
      assertEquals(expected(0, 10), keys(target, 0), "p0 resumes after the Connect topic's offset 9");
      assertEquals(expected(1, 20), keys(target, 1), "p1 resumes after the later position, the Connect topic's 19");
      assertEquals(expected(2, 0), keys(target, 2), "other flows' entries are ignored");
      assertEquals(expected(3, 29), keys(target, 3), "p3 resumes after 28");
      Await.until("our progress reaches the ends", MirrorTestSupport.TIMEOUT, () -> {
        Map<TopicPartition, Long> s = storedProgress(clusters.b(), "A");
        for (int p = 0; p < 4; p++) {
          if (!Long.valueOf(PER_PARTITION - 1).equals(s.get(new TopicPartition(topic, p)))) {
            return false;
          }
        }
        return true;
      });
    }
  }

  /**
   * First start on a target where only Strimzi's MM2 ran: our progress topic does not exist yet (source alias S,
   * so {@code mm2-offsets.S.internal} is new), so everything comes from the Connect topic.
   */
  @Test
  void takesOverWhenOurProgressTopicIsNew() throws Exception {
    String topic = "fresh-t";
    clusters.a().createTopic(topic, 2);
    produce(topic, 2);
    write(clusters.b(), CONNECT_OFFSETS, List.of(
        new byte[][]{key("S->T.MirrorSourceConnector", "S", topic, 0), bytes("{\"offset\":14}")},
        new byte[][]{key("A->B.MirrorSourceConnector", "S", topic, 1), bytes("{\"offset\":14}")}));
    JsonObject config = config(clusters, mirror("S", "T", topic, 1));
    JsonArray cl = config.getJsonArray("clusters");
    cl.getJsonObject(0).put("alias", "S");
    cl.getJsonObject(1).put("alias", "T").put("config", new JsonObject().put("offset.storage.topic",
        CONNECT_OFFSETS));
    try (RunningMirror m = startMirror(config)) {
      List<ConsumerRecord<byte[], byte[]>> target = exactly("S." + topic, 15 + 30);
      assertEquals(expected(0, 15), keys(target, 0));
      assertEquals(expected(1, 0), keys(target, 1), "A->B's entry is not S->T's");
    }
  }

  /** A Connect topic named in the config that does not exist: the flow runs from its own progress (none here). */
  @Test
  void missingConnectTopicIsFine() throws Exception {
    String topic = "noconnect-t";
    clusters.a().createTopic(topic, 1);
    produce(topic, 1);
    JsonObject config = config(clusters, mirror("A", "B", topic, 1));
    config.getJsonArray("clusters").getJsonObject(1).put("config",
        new JsonObject().put("offset.storage.topic", "no-such-connect-offsets"));
    try (RunningMirror m = startMirror(config)) {
      assertEquals(expected(0, 0), keys(exactly("A." + topic, 30), 0));
      assertEquals("RUNNING", m.flow().getString("state"));
    }
  }

  /**
   * MM2 dedicated mode in both directions through {@code mm2-offsets.A.internal}: we resume after MM2's stored
   * position, and what we store is MM2's exact key and value bytes, so MM2 started after us resumes after ours.
   */
  @Test
  void dedicatedModeBothWays() throws Exception {
    String topic = "dedicated-t";
    clusters.a().createTopic(topic, 1);
    produce(topic, 1);
    byte[] mm2Key = key("MirrorSourceConnector", "A", topic, 0);
    write(clusters.b(), "mm2-offsets.A.internal", List.<byte[][]>of(new byte[][]{mm2Key, bytes("{\"offset\":11}")}));
    try (RunningMirror m = startMirror(config(clusters, mirror("A", "B", topic, 1)))) {
      assertEquals(expected(0, 12), keys(exactly("A." + topic, 18), 0));
    }
    // after a clean stop, the newest record for the partition is MM2's own bytes with the last written offset
    ConsumerRecord<byte[], byte[]> last = null;
    for (ConsumerRecord<byte[], byte[]> r : clusters.b().readAllNow("mm2-offsets.A.internal")) {
      if (java.util.Arrays.equals(mm2Key, r.key()) && (last == null || r.timestamp() >= last.timestamp())) {
        last = r;
      }
    }
    assertEquals("{\"offset\":" + (PER_PARTITION - 1) + "}", new String(last.value(), StandardCharsets.UTF_8),
        "MM2 (dedicated mode) started now resumes after offset 29");
  }
}
