package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.ofPartition;
import static io.vmm.MirrorTestSupport.partitionNames;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.tasks;
import static io.vmm.MirrorTestSupport.storedProgress;
import static io.vmm.MirrorTestSupport.topicExists;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Core mirroring between two real KRaft clusters (started once for the class). Each test uses its own topics. */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class MirrorIT {

  private final TwoClusters clusters;

  MirrorIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Produces {@code n} records round-robin over partitions; value "v-<i>" or null every 10th; two headers.
   * Every send is checked. One request in flight and no idempotence: a brand-new partition may answer
   * NOT_LEADER at first, and the idempotent producer's retry can then fail with OutOfOrderSequence.
   */
  private void produce(String topic, int partitions, int from, int n) {
    List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sends = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = clusters.a().newProducer(Map.of("enable.idempotence", false,
        "max.in.flight.requests.per.connection", 1, "linger.ms", 5))) {
      for (int i = from; i < from + n; i++) {
        List<Header> headers = List.of(new RecordHeader("seq", bytes(Integer.toString(i))),
            new RecordHeader("h2", i % 3 == 0 ? null : bytes("x" + i)));
        sends.add(producer.send(new ProducerRecord<>(topic, i % partitions, 1_700_000_000_000L + i, bytes("k" + i),
            i % 10 == 0 ? null : bytes("v-" + i), headers)));
      }
      producer.flush();
      for (java.util.concurrent.Future<?> f : sends) {
        f.get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError("producing test data to " + topic + " failed", e);
    }
  }

  @Test
  void mirrorsEveryRecordIdenticallyAndInOrder() {
    clusters.a().createTopic("basic", 6);
    produce("basic", 6, 0, 12_000);
    try (RunningMirror m = startMirror(config(clusters, mirror("A", "B", "basic", 3)))) {
      List<ConsumerRecord<byte[], byte[]>> source = clusters.a().readAll("basic", 12_000, MirrorTestSupport.TIMEOUT);
      List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "A.basic", 12_000);
      assertEquals(12_000, target.size());
      for (int p = 0; p < 6; p++) {
        List<ConsumerRecord<byte[], byte[]>> s = ofPartition(source, p);
        List<ConsumerRecord<byte[], byte[]>> t = ofPartition(target, p);
        assertEquals(s.size(), t.size(), "partition " + p);
        for (int i = 0; i < s.size(); i++) {
          ConsumerRecord<byte[], byte[]> a = s.get(i);
          ConsumerRecord<byte[], byte[]> b = t.get(i);
          assertArrayEquals(a.key(), b.key(), "key at " + p + "/" + i);
          assertArrayEquals(a.value(), b.value(), "value at " + p + "/" + i);
          assertEquals(a.timestamp(), b.timestamp(), "timestamp at " + p + "/" + i);
          assertEquals(headers(a), headers(b), "headers at " + p + "/" + i);
        }
      }
      assertNull(ofPartition(target, 0).get(0).value(), "null values (tombstones) are kept");
      JsonObject status = m.status().getJsonArray("flows").getJsonObject(0);
      assertEquals("RUNNING", status.getString("state"));
      assertEquals(3, tasks(status).size());
      Await.until("progress stored for 6 partitions", MirrorTestSupport.TIMEOUT,
          () -> storedProgress(clusters.b(), "A").entrySet().stream()
              .filter(e -> e.getKey().topic().equals("basic") && e.getValue() == 1_999L).count() == 6);
    }
  }

  private static List<String> headers(ConsumerRecord<byte[], byte[]> r) {
    List<String> out = new ArrayList<>();
    for (Header h : r.headers()) {
      out.add(h.key() + "=" + (h.value() == null ? "null" : new String(h.value(), StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void stopAndRestartResumesWithNothingMissing() {
    clusters.a().createTopic("resume", 3);
    produce("resume", 3, 0, 3_000);
    JsonObject config = config(clusters, mirror("A", "B", "resume", 2));
    try (RunningMirror m = startMirror(config)) {
      awaitRecords(clusters.b(), "A.resume", 3_000);
    }
    Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
    for (int p = 0; p < 3; p++) {
      assertEquals(999L, stored.get(new TopicPartition("resume", p)), "stored at clean stop, partition " + p);
    }
    produce("resume", 3, 3_000, 3_000);
    try (RunningMirror m = startMirror(config)) {
      List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "A.resume", 6_000);
      Set<String> seen = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : target) {
        assertTrue(seen.add(new String(r.key(), StandardCharsets.UTF_8)), "duplicate after clean restart: "
            + new String(r.key(), StandardCharsets.UTF_8));
      }
      assertEquals(6_000, seen.size());
      Await.until("no more records than produced", java.time.Duration.ofSeconds(2),
          () -> count(clusters.b(), "A.resume") == 6_000);
    }
  }

  @Test
  void tinyInFlightLimitsPauseAndResumeWithoutLosingOrder() {
    clusters.a().createTopic("tiny", 2);
    produce("tiny", 2, 0, 4_000);
    JsonObject mirror = mirror("A", "B", "tiny", 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config")
        .put("vmm.inflight.partition.max.records", 10)
        .put("vmm.inflight.partition.max.bytes", 1024)
        .put("vmm.inflight.task.max.bytes", 2048);
    JsonObject config = config(clusters, mirror);
    config.getJsonArray("clusters").getJsonObject(0).put("config",
        new JsonObject().put("consumer.max.poll.records", 50));
    try (RunningMirror m = startMirror(config)) {
      List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "A.tiny", 4_000);
      for (int p = 0; p < 2; p++) {
        List<ConsumerRecord<byte[], byte[]>> t = ofPartition(target, p);
        assertEquals(2_000, t.size());
        for (int i = 0; i < t.size(); i++) {
          assertEquals("k" + (i * 2 + p), new String(t.get(i).key(), StandardCharsets.UTF_8), "order in partition " + p);
        }
      }
    }
  }

  @Test
  void includeAndExcludePatterns() {
    for (String t : List.of("inc-a", "inc-b", "inc-skip", "other")) {
      clusters.a().createTopic(t, 1);
      produce(t, 1, 0, 10);
    }
    JsonObject mirror = mirror("A", "B", "inc-.*, other", 1).put("topicsExcludePattern", "inc-skip");
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      awaitRecords(clusters.b(), "A.inc-a", 10);
      awaitRecords(clusters.b(), "A.inc-b", 10);
      awaitRecords(clusters.b(), "A.other", 10);
      assertFalse(topicExists(clusters.b(), "A.inc-skip"));
    }
  }

  @Test
  void identityPolicyKeepsTopicNames() {
    clusters.a().createTopic("ident", 2);
    produce("ident", 2, 0, 100);
    JsonObject mirror = mirror("A", "B", "ident", 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config")
        .put("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "ident", 100);
      assertEquals(50, ofPartition(target, 1).size());
      assertFalse(topicExists(clusters.b(), "A.ident"));
    }
  }

  @Test
  void bidirectionalFlowsMakeNoLoops() throws Exception {
    clusters.a().createTopic("bidi-a", 1);
    clusters.b().createTopic("bidi-b", 1);
    produce("bidi-a", 1, 0, 20);
    try (KafkaProducer<byte[], byte[]> p = clusters.b().newProducer()) {
      for (int i = 0; i < 20; i++) {
        p.send(new ProducerRecord<>("bidi-b", 0, bytes("k" + i), bytes("b" + i))).get(30, TimeUnit.SECONDS);
      }
    }
    JsonObject config = config(clusters, mirror("A", "B", ".*bidi.*", 1), mirror("B", "A", ".*bidi.*", 1));
    try (RunningMirror m = startMirror(config)) {
      awaitRecords(clusters.b(), "A.bidi-a", 20);
      awaitRecords(clusters.a(), "B.bidi-b", 20);
    }
    // second start: now each side also holds the other's remote topic, which must not go back
    try (RunningMirror m = startMirror(config)) {
      JsonArray flows = m.status().getJsonArray("flows");
      for (int i = 0; i < 2; i++) {
        assertEquals("RUNNING", flows.getJsonObject(i).getString("state"));
        List<String> partitions = partitionNames(tasks(flows.getJsonObject(i)).getJsonObject(0));
        // each side's own topic, plus its heartbeats topic (mirrored whatever the filter says, as MM2 does);
        // never the remote topic that came from the other side
        assertTrue(partitions.contains(i == 0 ? "bidi-a-0" : "bidi-b-0"), partitions.toString());
        String otherSide = i == 0 ? "B." : "A.";
        assertTrue(partitions.stream().noneMatch(p -> p.toString().startsWith(otherSide)), partitions.toString());
      }
      assertFalse(topicExists(clusters.b(), "A.B.bidi-b"));
      assertFalse(topicExists(clusters.a(), "B.A.bidi-a"));
      assertEquals(20, count(clusters.b(), "A.bidi-a"));
      assertEquals(20, count(clusters.a(), "B.bidi-b"));
    }
  }

  @Test
  void resumesFromProgressWrittenByMirrorMaker2() throws Exception {
    clusters.a().createTopic("legacy", 2);
    produce("legacy", 2, 0, 200); // 100 per partition, offsets 0..99
    // what MM2 (dedicated mode) leaves in B after mirroring p0 up to offset 49 and p1 up to 79
    if (!topicExists(clusters.b(), "mm2-offsets.A.internal")) {
      clusters.b().createTopic("mm2-offsets.A.internal", 25, Map.of("cleanup.policy", "compact"));
    }
    try (KafkaProducer<byte[], byte[]> p = clusters.b().newProducer()) {
      p.send(new ProducerRecord<>("mm2-offsets.A.internal",
          bytes("[\"MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":0,\"topic\":\"legacy\"}]"),
          bytes("{\"offset\":49}"))).get(10, TimeUnit.SECONDS);
      p.send(new ProducerRecord<>("mm2-offsets.A.internal",
          bytes("[\"MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":1,\"topic\":\"legacy\"}]"),
          bytes("{\"offset\":79}"))).get(10, TimeUnit.SECONDS);
    }
    try (RunningMirror m = startMirror(config(clusters, mirror("A", "B", "legacy", 1)))) {
      List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "A.legacy", 70);
      assertEquals("k100", new String(ofPartition(target, 0).get(0).key(), StandardCharsets.UTF_8),
          "partition 0 resumes at upstream offset 50 (record 100)");
      assertEquals("k161", new String(ofPartition(target, 1).get(0).key(), StandardCharsets.UTF_8),
          "partition 1 resumes at upstream offset 80 (record 161)");
      Await.until("progress moved to the ends", MirrorTestSupport.TIMEOUT, () -> {
        Map<TopicPartition, Long> s = storedProgress(clusters.b(), "A");
        return Long.valueOf(99).equals(s.get(new TopicPartition("legacy", 0)))
            && Long.valueOf(99).equals(s.get(new TopicPartition("legacy", 1)));
      });
      assertEquals(70, count(clusters.b(), "A.legacy"));
    }
  }

  @Test
  void recordTooLargeFailsOnlyItsPartition() throws Exception {
    clusters.a().createTopic("big", 2, Map.of("max.message.bytes", "3000000"));
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("max.request.size", 3_000_000))) {
      for (int i = 0; i < 10; i++) {
        p.send(new ProducerRecord<>("big", 0, bytes("k" + i), i == 5 ? new byte[2_000_000] : bytes("v" + i)))
            .get(30, TimeUnit.SECONDS);
        p.send(new ProducerRecord<>("big", 1, bytes("k" + i), bytes("v" + i))).get(30, TimeUnit.SECONDS);
      }
      p.flush();
    }
    try (RunningMirror m = startMirror(config(clusters, mirror("A", "B", "big", 1)))) {
      awaitRecords(clusters.b(), "A.big", 15);
      JsonObject flow = Await.value("a FAILED partition in the status", MirrorTestSupport.TIMEOUT, () -> {
        JsonObject f = m.status().getJsonArray("flows").getJsonObject(0);
        return f.getJsonArray("failures").isEmpty() ? null : f;
      });
      JsonObject failed = flow.getJsonArray("failures").getJsonObject(0);
      assertEquals("big", failed.getString("topic"));
      assertEquals(0, failed.getInteger("partition"));
      assertEquals(5L, failed.getLong("offset"));
      assertTrue(failed.getString("error").contains("RecordTooLarge"), failed.getString("error"));
      Map<TopicPartition, Long> ends = clusters.b().endOffsets("A.big");
      assertEquals(5L, ends.get(new TopicPartition("A.big", 0)), "nothing after the failed record");
      assertEquals(10L, ends.get(new TopicPartition("A.big", 1)), "the other partition goes on");
    }
    Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
    assertEquals(4L, stored.get(new TopicPartition("big", 0)), "progress stops before the failed record");
    assertEquals(9L, stored.get(new TopicPartition("big", 1)));
  }

  /**
   * A remote topic that accepts smaller batches than the producer's 128 KB default: the producer's batch.size
   * follows the topic's max.message.bytes (Kafka's producer would split a refused batch into batch.size pieces,
   * i.e. the same batch, and retry it until delivery.timeout.ms).
   */
  @Test
  void remoteTopicWithASmallMaxMessageBytesGetsBatchesItAccepts() throws Exception {
    clusters.a().createTopic("small-limit", 1);
    clusters.b().createTopic("A.small-limit", 1, Map.of("max.message.bytes", "20000"));
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("batch.size", 16_000, "linger.ms", 50))) {
      for (int i = 0; i < 2_000; i++) {
        p.send(new ProducerRecord<>("small-limit", 0, bytes("k" + i), new byte[500]));
      }
      p.flush();
    }
    JsonObject flow = mirror("A", "B", "small-limit", 1);
    // the first config sync would set max.message.bytes to the source's (default): keep the target's
    flow.getJsonObject("sourceConnector").getJsonObject("config").put("sync.topic.configs.enabled", false);
    try (RunningMirror m = startMirror(config(clusters, flow))) {
      awaitRecords(clusters.b(), "A.small-limit", 2_000);
      assertEquals(0, m.status().getJsonArray("flows").getJsonObject(0).getJsonArray("failures").size());
    }
  }
}
