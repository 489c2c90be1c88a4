package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.config.Environment;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.topicExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MM2's dedicated-mode file with two flows, A->B and B->A, run as {@code connect-mirror-maker.sh file --clusters B}
 * runs: only A->B on this node, with MM2's remote topic and internal topic names. Real brokers (once per class);
 * the mirror runs in this JVM from the document the command line would load.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class PropertiesFileIT {

  private final TwoClusters clusters;

  @TempDir
  Path dir;

  PropertiesFileIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private String properties() {
    return """
        # as connect-mirror-maker.properties
        clusters = A, B
        A.bootstrap.servers = %s
        B.bootstrap.servers = %s
        A->B.enabled = true
        B->A.enabled = true
        topics = t, t2
        groups = .*
        replication.factor = 1
        offset-syncs.topic.replication.factor = 1
        checkpoints.topic.replication.factor = 1
        heartbeats.topic.replication.factor = 1
        refresh.topics.interval.seconds = 1
        B.offset.storage.replication.factor = 1
        B.offset.flush.interval.ms = 500
        A.offset.storage.replication.factor = 1
        """.formatted(clusters.a().bootstrapServers(), clusters.b().bootstrapServers());
  }

  private static void produce(KafkaProducer<byte[], byte[]> producer, String topic, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      producer.send(new ProducerRecord<>(topic, ("v" + i).getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void clustersLimitsTheNodeToFlowsIntoBWithMm2Names() throws Exception {
    Path file = Files.writeString(dir.resolve("connect-mirror-maker.properties"), properties());
    clusters.a().createTopic("t", 2);
    clusters.b().createTopic("t2", 1);
    try (KafkaProducer<byte[], byte[]> a = clusters.a().newProducer();
         KafkaProducer<byte[], byte[]> b = clusters.b().newProducer()) {
      produce(a, "t", 20);
      produce(b, "t2", 5);
    }
    // what `java -jar ... connect-mirror-maker.properties --clusters B` loads
    MirrorMain.Arguments args = MirrorMain.Arguments.parse(new String[]{file.toString(), "--clusters", "B"});
    assertEquals(Set.of("B"), args.clusters());
    JsonObject doc = MirrorMain.load(args.conf(), args.clusters());
    assertEquals(1, doc.getJsonArray("mirrors").size(), doc.encodePrettily());
    doc.put("http", new JsonObject().put("port", 0)).put("metrics", new JsonObject().put("port", 0));

    try (RunningMirror m = startMirror(doc, new Environment(java.util.Map.of()))) {
      assertEquals(List.of("A->B"), m.status().getJsonArray("flows").stream()
          .map(f -> ((JsonObject) f).getString("flow")).toList());
      Await.until("A.t holds the 20 records on B", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), "A.t") == 20);
      Await.until("MM2's internal topics of A->B", MirrorTestSupport.TIMEOUT,
          () -> topicExists(clusters.b(), "mm2-offsets.A.internal")
              && topicExists(clusters.a(), "mm2-offset-syncs.B.internal")
              && topicExists(clusters.b(), "A.checkpoints.internal"));
      // heartbeats of A->B are written to A and reach B through the flow itself, as A.heartbeats (as behind MM2)
      Await.until("heartbeats of A->B on B", MirrorTestSupport.TIMEOUT,
          () -> count(clusters.b(), "A.heartbeats") > 0);
      Map<String, Object> onB = Map.of("bootstrap.servers", clusters.b().bootstrapServers());
      assertEquals(1, org.apache.kafka.connect.mirror.RemoteClusterUtils.replicationHops(onB, "A"),
          "Apache Kafka's RemoteClusterUtils sees the heartbeat chain, as behind MM2");
      Thread.sleep(2_000); // several topic refreshes: B->A would have created B.t2 on A by now
      assertFalse(topicExists(clusters.a(), "B.t2"), "B->A does not run on a node limited to --clusters B");
      assertFalse(topicExists(clusters.a(), "mm2-offsets.B.internal"), "no progress topic of B->A");
      assertTrue(count(clusters.b(), "t2") == 5);
    }
  }
}
