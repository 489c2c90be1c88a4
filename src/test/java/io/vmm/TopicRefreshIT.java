package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.LogCapture;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.ofPartition;
import static io.vmm.MirrorTestSupport.partitionNames;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** MM2's topic refresh: new topics and partition increases mirrored within one interval, no restart. */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class TopicRefreshIT {

  private final TwoClusters clusters;

  TopicRefreshIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private void produce(String topic, int partition, int from, int n) {
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("enable.idempotence", false,
        "max.in.flight.requests.per.connection", 1))) {
      for (int i = from; i < from + n; i++) {
        p.send(new ProducerRecord<>(topic, partition, ("k" + i).getBytes(StandardCharsets.UTF_8),
            ("v" + i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError("producing to " + topic + "-" + partition, e);
    }
  }

  private static JsonObject refreshingMirror(String pattern, int tasksMax) {
    JsonObject m = mirror("A", "B", pattern, tasksMax);
    // only the pattern's topics: heartbeats (written to A, mirrored by the flow) would add a partition
    m.getJsonObject("sourceConnector").getJsonObject("config").put("refresh.topics.interval.seconds", 1)
        .put("heartbeats.replication.enabled", false);
    m.remove("heartbeatConnector");
    return m;
  }

  private static Set<String> assignedPartitions(RunningMirror m) {
    Set<String> out = new HashSet<>();
    JsonArray tasks = tasks(m.flow());
    for (int i = 0; i < tasks.size(); i++) {
      out.addAll(partitionNames(tasks.getJsonObject(i)));
    }
    return out;
  }

  @Test
  void newTopicAndPartitionIncreaseAreMirroredWithoutRestart() throws Exception {
    clusters.a().createTopic("refresh-a", 2);
    produce("refresh-a", 0, 0, 50);
    produce("refresh-a", 1, 50, 50);
    try (RunningMirror m = startMirror(config(clusters, refreshingMirror("refresh-.*", 2)))) {
      awaitRecords(clusters.b(), "A.refresh-a", 100);

      clusters.a().createTopic("refresh-b", 3);
      for (int p = 0; p < 3; p++) {
        produce("refresh-b", p, p * 30, 30);
      }
      List<ConsumerRecord<byte[], byte[]>> b = awaitRecords(clusters.b(), "A.refresh-b", 90);
      assertEquals(30, ofPartition(b, 2).size());

      clusters.a().admin().createPartitions(Map.of("refresh-a", NewPartitions.increaseTo(4)))
          .all().get(30, TimeUnit.SECONDS);
      produce("refresh-a", 2, 100, 20);
      produce("refresh-a", 3, 120, 20);
      List<ConsumerRecord<byte[], byte[]>> a = awaitRecords(clusters.b(), "A.refresh-a", 140);
      assertEquals(4, clusters.b().endOffsets("A.refresh-a").size(), "remote topic grown to 4 partitions");
      assertEquals(List.of("k120", "k121"), keys(ofPartition(a, 3)).subList(0, 2));
      assertEquals(Set.of("refresh-a-0", "refresh-a-1", "refresh-a-2", "refresh-a-3", "refresh-b-0", "refresh-b-1",
          "refresh-b-2"), assignedPartitions(m));
      assertEquals(2, tasks(m.flow()).size(),
          "no more tasks than tasksMax");
      // records keep flowing on the partitions mirrored from the start
      produce("refresh-a", 0, 140, 10);
      Await.until("new records on an old partition", MirrorTestSupport.TIMEOUT,
          () -> clusters.b().endOffsets("A.refresh-a").get(new TopicPartition("A.refresh-a", 0)) == 60L);
    }
  }

  /**
   * 405 new partitions (more than twice RemoteTopics.STAGE_PARTITIONS): the first three topics (243 partitions, at
   * least 200) are created and mirrored first, the other two join as soon as they are writable, without a topic
   * refresh (disabled here).
   */
  @Test
  void manyNewPartitionsAreCreatedInStagesAndAllMirrored() {
    for (int i = 0; i < 5; i++) {
      clusters.a().createTopic("staged-" + i, 81);
      produce("staged-" + i, 80, i * 10, 10);
    }
    JsonObject mirror = refreshingMirror("staged-.*", 2);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("refresh.topics.enabled", false);
    try (LogCapture logs = LogCapture.start(Map.of("io.vmm", "INFO"));
         RunningMirror m = startMirror(config(clusters, mirror))) {
      for (int i = 0; i < 5; i++) {
        List<ConsumerRecord<byte[], byte[]>> got = awaitRecords(clusters.b(), "A.staged-" + i, 10);
        assertEquals(10, ofPartition(got, 80).size());
      }
      assertEquals(1, logs.messagesContaining("mirroring starts with 3 new remote topics; the other 2 "
          + "(162 partitions) are being created").size(), "staged: " + logs.messagesContaining("staged"));
      Await.until("all 405 partitions assigned", MirrorTestSupport.TIMEOUT, () -> assignedPartitions(m).size() == 405);
      assertEquals(2, tasks(m.flow()).size(), "tasksMax tasks from the first stage on");
      for (int i = 0; i < 5; i++) {
        assertEquals(81, clusters.b().endOffsets("A.staged-" + i).size());
      }
    }
  }

  @Test
  void flowWithoutTopicsStartsTasksWhenOneAppears() {
    try (RunningMirror m = startMirror(config(clusters, refreshingMirror("late-.*", 3)))) {
      assertEquals(0, tasks(m.flow()).size());
      clusters.a().createTopic("late-x", 2);
      produce("late-x", 0, 0, 25);
      produce("late-x", 1, 25, 25);
      awaitRecords(clusters.b(), "A.late-x", 50);
      assertEquals(2, tasks(m.flow()).size(),
          "one task per partition, up to tasksMax");
    }
  }

  private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    List<String> out = new ArrayList<>();
    records.forEach(r -> out.add(new String(r.key(), StandardCharsets.UTF_8)));
    return out;
  }
}
