package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.config.ConfigSource;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.ofPartition;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.topicExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Legacy MirrorMaker (MM1, issue 14 item 3): a {@code KafkaMirrorMaker} resource runs in place of a running MM1:
 * it resumes from the MM1 group's committed offsets on the source, keeps topic names, commits the group's
 * offsets (acknowledged prefix) on the source, and runs no MM2 extras (no offset syncs, heartbeats, checkpoints).
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class LegacyMirrorIT {

  private static final int PER_PARTITION = 30;
  private static final int PARTITIONS = 3;
  private static final long GROUP_AT = 10;

  private final TwoClusters clusters;

  LegacyMirrorIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void produce(String topic) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      for (int part = 0; part < PARTITIONS; part++) {
        for (int i = 0; i < PER_PARTITION; i++) {
          p.send(new ProducerRecord<>(topic, part, bytes("p" + part + "-" + i), bytes("v" + i)))
              .get(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  private Map<TopicPartition, Long> committed(String group) {
    Map<TopicPartition, Long> out = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> m;
    try {
      m = clusters.a().admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10,
          TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    m.forEach((tp, om) -> out.put(tp, om == null ? null : om.offset()));
    return out;
  }

  /** The Strimzi resource as MM1 users have it, with this test's servers; free HTTP and metrics ports. */
  private JsonObject resource(String group, String topic) {
    return resource(group, topic, true);
  }

  private JsonObject resource(String group, String topic, boolean abortOnSendFailure) {
    JsonObject spec = new JsonObject()
        .put("replicas", 1)
        .put("consumer", new JsonObject().put("bootstrapServers", clusters.a().bootstrapServers())
            .put("groupId", group).put("numStreams", 2).put("offsetCommitInterval", 500))
        .put("producer", new JsonObject().put("bootstrapServers", clusters.b().bootstrapServers())
            .put("abortOnSendFailure", abortOnSendFailure))
        .put("whitelist", topic);
    JsonObject doc = ConfigSource.unwrap(new JsonObject().put("apiVersion", "kafka.strimzi.io/v1beta2")
        .put("kind", "KafkaMirrorMaker").put("spec", spec));
    return doc.put("http", new JsonObject().put("port", 0)).put("metrics", new JsonObject().put("port", 0));
  }

  @Test
  void resumesFromTheMm1GroupAndCommitsItOnTheSource() throws Exception {
    String topic = "legacy-t";
    String group = "mm1-group";
    clusters.a().createTopic(topic, PARTITIONS);
    produce(topic);
    Map<TopicPartition, OffsetAndMetadata> at = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      at.put(new TopicPartition(topic, p), new OffsetAndMetadata(GROUP_AT));
    }
    clusters.a().admin().alterConsumerGroupOffsets(group, at).all().get(10, TimeUnit.SECONDS);

    long expected = PARTITIONS * (PER_PARTITION - GROUP_AT);
    try (RunningMirror m = startMirror(resource(group, topic))) {
      awaitRecords(clusters.b(), topic, expected); // identical name: no "source." prefix
      Thread.sleep(2000); // anything copied again from before the group's offsets would arrive by now
      assertEquals(expected, count(clusters.b(), topic));
      List<ConsumerRecord<byte[], byte[]>> target = clusters.b().readAllNow(topic);
      for (int p = 0; p < PARTITIONS; p++) {
        List<String> keys = new ArrayList<>();
        ofPartition(target, p).forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        List<String> want = new ArrayList<>();
        for (long i = GROUP_AT; i < PER_PARTITION; i++) {
          want.add("p" + p + "-" + i);
        }
        assertEquals(want, keys, "partition " + p + " from the group's offset on");
      }
      Await.until("the group's offsets reach the log ends", MirrorTestSupport.TIMEOUT, () -> {
        Map<TopicPartition, Long> c = committed(group);
        for (int p = 0; p < PARTITIONS; p++) {
          if (!Long.valueOf(PER_PARTITION).equals(c.get(new TopicPartition(topic, p)))) {
            return false;
          }
        }
        return true;
      });
      assertFalse(topicExists(clusters.b(), "source." + topic));
      assertFalse(topicExists(clusters.b(), "heartbeats"), "no heartbeat connector in legacy mode");
      assertFalse(topicExists(clusters.a(), "mm2-offset-syncs.target.internal"), "no offset syncs");
      assertFalse(topicExists(clusters.b(), "mm2-offsets.source.internal"), "progress is the group's, not a topic");
    }
    // after a clean stop: more records, then a new start copies exactly those
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      p.send(new ProducerRecord<>(topic, 0, bytes("late"), bytes("late"))).get(30, TimeUnit.SECONDS);
    }
    assertEquals(clusters.a().endOffsets(topic).get(new TopicPartition(topic, 1)),
        committed(group).get(new TopicPartition(topic, 1)), "group at the end offset after the stop");
    try (RunningMirror m = startMirror(resource(group, topic))) {
      awaitRecords(clusters.b(), topic, expected + 1);
      Thread.sleep(1500);
      assertEquals(expected + 1, count(clusters.b(), topic));
    }
    assertEquals(clusters.a().endOffsets(topic), committed(group), "group at the end offsets after a clean stop");
  }

  /** Topic {@code topic} (one partition) with k0..k9 on the source, k5 too large for the target's producer. */
  private void produceWithTooLargeK5(String topic) throws Exception {
    clusters.a().createTopic(topic, 1, Map.of("max.message.bytes", "3000000"));
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("max.request.size", 3_000_000))) {
      for (int i = 0; i < 10; i++) {
        p.send(new ProducerRecord<>(topic, 0, bytes("k" + i), i == 5 ? new byte[2_000_000] : bytes("v" + i)))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * {@code abortOnSendFailure: false} (MM1's behaviour): a record the target refuses for good (too large) is
   * logged, counted in {@code vmm_skipped_records_total} and skipped; the partition goes on and the group's offset
   * passes it; no exit is requested.
   */
  @Test
  void skipsARefusedRecordWhenAbortOnSendFailureIsFalse() throws Exception {
    String topic = "legacy-skip";
    String group = "mm1-skip";
    produceWithTooLargeK5(topic);
    java.util.concurrent.atomic.AtomicReference<String> exit = new java.util.concurrent.atomic.AtomicReference<>();
    io.vmm.async.ExitRequest.install(exit::set);
    try (RunningMirror m = startMirror(resource(group, topic, false))) {
      awaitRecords(clusters.b(), topic, 9);
      Await.until("the group's offset passes the skipped record", MirrorTestSupport.TIMEOUT,
          () -> Long.valueOf(10).equals(committed(group).get(new TopicPartition(topic, 0))));
      List<String> keys = new ArrayList<>();
      clusters.b().readAllNow(topic).forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
      assertEquals(List.of("k0", "k1", "k2", "k3", "k4", "k6", "k7", "k8", "k9"), keys);
      String metrics = OperationsIT.scrape(m);
      assertEquals(1.0, OperationsIT.sum(metrics, "vmm_skipped_records_total", "topic=\"" + topic + "\"",
          "partition=\"0\""), metrics);
      JsonObject flow = m.flow();
      assertEquals(0, flow.getInteger("failedPartitions"), flow.encodePrettily());
      assertEquals(0, flow.getJsonArray("failures").size(), flow.encodePrettily());
      assertEquals("RUNNING", flow.getJsonObject("connectors").getJsonObject("source").getString("state"));
      // mirroring goes on after the skip
      try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
        p.send(new ProducerRecord<>(topic, 0, bytes("k10"), bytes("v10"))).get(30, TimeUnit.SECONDS);
      }
      awaitRecords(clusters.b(), topic, 10);
      Await.until("the group's offset reaches 11", MirrorTestSupport.TIMEOUT,
          () -> Long.valueOf(11).equals(committed(group).get(new TopicPartition(topic, 0))));
      org.junit.jupiter.api.Assertions.assertNull(exit.get(), "no exit requested");
    } finally {
      io.vmm.async.ExitRequest.install(null);
    }
    assertEquals(11L, committed(group).get(new TopicPartition(topic, 0)));
  }

  /**
   * {@code abortOnSendFailure: true}: a record the target refuses for good (too large) asks the process to exit
   * non-zero ({@link io.vmm.async.ExitRequest}; MirrorMain then stops cleanly and exits 1); the group stays before
   * the failed record.
   */
  @Test
  void abortOnSendFailureRequestsExit() throws Exception {
    String topic = "legacy-big";
    String group = "mm1-big";
    produceWithTooLargeK5(topic);
    java.util.concurrent.atomic.AtomicReference<String> exit = new java.util.concurrent.atomic.AtomicReference<>();
    io.vmm.async.ExitRequest.install(exit::set);
    try (RunningMirror m = startMirror(resource(group, topic))) {
      Await.until("an exit request", MirrorTestSupport.TIMEOUT, () -> exit.get() != null);
      org.junit.jupiter.api.Assertions.assertTrue(exit.get().contains(topic + "-0 FAILED at offset 5"), exit.get());
    } finally {
      io.vmm.async.ExitRequest.install(null);
    }
    assertEquals(5L, committed(group).get(new TopicPartition(topic, 0)), "committed up to the failed record");
  }
}
