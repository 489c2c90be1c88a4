package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.progress.ProgressFormat;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.topicExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Source topics recreated or truncated: stored progress outside the source log is never followed silently;
 * the partition resumes at the current log start, with a warning and a counted reset.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class SourceTopicChangesIT {

  private final TwoClusters clusters;

  SourceTopicChangesIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private void produce(String topic, String prefix, int n) {
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("enable.idempotence", false,
        "max.in.flight.requests.per.connection", 1))) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, 0, (prefix + i).getBytes(StandardCharsets.UTF_8), new byte[]{1}))
            .get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void storeProgress(String topic, long lastWritten) throws Exception {
    if (!topicExists(clusters.b(), "mm2-offsets.A.internal")) {
      clusters.b().createTopic("mm2-offsets.A.internal", 25, Map.of("cleanup.policy", "compact"));
    }
    try (KafkaProducer<byte[], byte[]> p = clusters.b().newProducer()) {
      p.send(new ProducerRecord<>("mm2-offsets.A.internal", ProgressFormat.key("A", new TopicPartition(topic, 0)),
          ProgressFormat.value(lastWritten))).get(10, TimeUnit.SECONDS);
    }
  }

  private static long resets(RunningMirror m) {
    return m.status().getJsonArray("flows").getJsonObject(0).getLong("sourceResets");
  }

  private static Set<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> out = new HashSet<>();
    records.forEach(r -> out.add(new String(r.key(), StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void storedProgressBeyondTheLogEndResumesAtTheLogStart() throws Exception {
    clusters.a().createTopic("gone", 1);
    produce("gone", "k", 10);
    storeProgress("gone", 500); // e.g. the topic was deleted and recreated while the mirror was down
    try (RunningMirror m = startMirror(config(clusters, mirror("A", "B", "gone", 1)))) {
      assertEquals(Set.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"),
          keys(awaitRecords(clusters.b(), "A.gone", 10)));
      assertEquals(1, resets(m));
    }
  }

  @Test
  void storedProgressBeforeTheLogStartResumesAtTheLogStart() throws Exception {
    clusters.a().createTopic("ret", 1);
    produce("ret", "k", 100);
    clusters.a().admin().deleteRecords(Map.of(new TopicPartition("ret", 0), RecordsToDelete.beforeOffset(60)))
        .all().get(10, TimeUnit.SECONDS); // what retention does
    storeProgress("ret", 19);
    try (RunningMirror m = startMirror(config(clusters, mirror("A", "B", "ret", 1)))) {
      List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "A.ret", 40);
      assertEquals("k60", new String(target.get(0).key(), StandardCharsets.UTF_8));
      assertEquals(1, resets(m));
    }
  }

  @Test
  void topicRecreatedWhileMirroringIsMirroredAgainWithoutHanging() throws Exception {
    clusters.a().createTopic("recr", 1);
    produce("recr", "old", 30);
    JsonObject mirror = mirror("A", "B", "recr", 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("refresh.topics.interval.seconds", 1);
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      awaitRecords(clusters.b(), "A.recr", 30);
      clusters.a().admin().deleteTopics(List.of("recr")).all().get(10, TimeUnit.SECONDS);
      Await.until("source topic deleted", Duration.ofSeconds(30), () -> !topicExists(clusters.a(), "recr"));
      clusters.a().createTopic("recr", 1);
      produce("recr", "new", 5);
      Await.until("reset counted", Duration.ofSeconds(30), () -> resets(m) >= 1);
      Await.until("the recreated topic's records mirrored", MirrorTestSupport.TIMEOUT,
          () -> count(clusters.b(), "A.recr") >= 35
              && keys(clusters.b().readAllNow("A.recr")).containsAll(Set.of("new0", "new1", "new2", "new3", "new4")));
      // and the flow keeps going
      produce("recr", "more", 3);
      Await.until("later records mirrored", MirrorTestSupport.TIMEOUT,
          () -> keys(clusters.b().readAllNow("A.recr")).containsAll(Set.of("more0", "more1", "more2")));
      assertTrue(resets(m) >= 1);
    }
  }
}
