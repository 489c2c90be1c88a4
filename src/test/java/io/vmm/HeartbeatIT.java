package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.mirror.Heartbeat;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.OperationsIT.api;
import static io.vmm.OperationsIT.http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Heartbeats prove the whole path, as in MM2's dedicated mode: for A->B they are written, in MM2's format, about
 * once a second into the source A's {@code heartbeats} (the record MM2's reverse herder B->A writes there), reach B
 * as {@code A.heartbeats} through the flow's own source connector, and Apache Kafka's RemoteClusterUtils on B sees
 * A one hop upstream. The heartbeat age measures arrival on B, so pausing the data path makes it grow.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class HeartbeatIT {

  private static final String SOURCE_CONNECTOR = "/connectors/A-%3EB.MirrorSourceConnector";

  private final TwoClusters clusters;

  HeartbeatIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static JsonObject heartbeating(String source, String target) {
    JsonObject m = mirror(source, target, "none-here", 1);
    m.getJsonObject("sourceConnector").getJsonObject("config").put("refresh.topics.interval.seconds", 1);
    return m;
  }

  private static long age(RunningMirror m) {
    Long age = m.flow().getLong("heartbeatAgeMs");
    return age == null ? -1 : age;
  }

  @Test
  void heartbeatsGoThroughTheSourceAndTheMirrorAndTheirAgeShowsAStalledPath() throws Exception {
    try (RunningMirror m = startMirror(config(clusters, heartbeating("A", "B")))) {
      // written to the source A, about once a second
      Await.until("heartbeats on A", MirrorTestSupport.TIMEOUT, () -> count(clusters.a(), "heartbeats") > 0);
      long first = count(clusters.a(), "heartbeats");
      long startedAt = System.nanoTime();
      Await.until("6 more heartbeats", Duration.ofSeconds(20), () -> count(clusters.a(), "heartbeats") >= first + 6);
      double seconds = (System.nanoTime() - startedAt) / 1e9;
      assertTrue(seconds > 4 && seconds < 9, "6 heartbeats took " + seconds + " s, expected about 6");
      assertEquals(1, clusters.a().admin().describeTopics(List.of("heartbeats")).allTopicNames().get()
          .get("heartbeats").partitions().size(), "one partition, as MM2's");

      // what MM2's reverse herder B->A writes into A: Heartbeat(B, A, now), record timestamp = value timestamp
      List<ConsumerRecord<byte[], byte[]>> onA = clusters.a().readAllNow("heartbeats");
      ConsumerRecord<byte[], byte[]> last = onA.get(onA.size() - 1);
      Heartbeat h = Heartbeat.deserializeRecord(last);
      assertEquals("B", h.sourceClusterAlias());
      assertEquals("A", h.targetClusterAlias());
      assertEquals(last.timestamp(), h.timestamp());
      assertEquals(0, last.partition());

      // mirrored to B as A.heartbeats, byte for byte, by the flow's own data path
      Await.until("A.heartbeats on B", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), "A.heartbeats") > 0);
      List<ConsumerRecord<byte[], byte[]>> onB = clusters.b().readAllNow("A.heartbeats");
      Heartbeat mirrored = Heartbeat.deserializeRecord(onB.get(onB.size() - 1));
      assertEquals("B", mirrored.sourceClusterAlias());
      assertEquals("A", mirrored.targetClusterAlias());
      assertEquals(onB.get(onB.size() - 1).timestamp(), mirrored.timestamp());

      Map<String, Object> props = Map.of("bootstrap.servers", clusters.b().bootstrapServers());
      assertTrue(RemoteClusterUtils.heartbeatTopics(props).contains("A.heartbeats"),
          RemoteClusterUtils.heartbeatTopics(props).toString());
      assertTrue(RemoteClusterUtils.upstreamClusters(props).contains("A"),
          RemoteClusterUtils.upstreamClusters(props).toString());
      assertEquals(1, RemoteClusterUtils.replicationHops(props, "A"));

      // the age is that of the newest heartbeat that arrived on B
      Await.until("a fresh heartbeat age", MirrorTestSupport.TIMEOUT, () -> age(m) >= 0 && age(m) < 3_000);

      // a stalled data path: heartbeats still go to A, none arrives on B, the age grows
      assertEquals(202, http("PUT", api(m, SOURCE_CONNECTOR + "/pause"), null).statusCode());
      Await.until("source connector paused", MirrorTestSupport.TIMEOUT,
          () -> "PAUSED".equals(m.flow().getJsonObject("connectors").getJsonObject("source").getString("state")));
      long onAWhenPaused = count(clusters.a(), "heartbeats");
      Await.until("heartbeat age above 5 s", Duration.ofSeconds(30), () -> age(m) > 5_000);
      assertTrue(count(clusters.a(), "heartbeats") >= onAWhenPaused + 3, "heartbeats still written to A");
      long onBPaused = count(clusters.b(), "A.heartbeats");
      Thread.sleep(1_500);
      assertEquals(onBPaused, count(clusters.b(), "A.heartbeats"), "none mirrored while paused");

      // resumed: the heartbeats written meanwhile arrive and the age is small again
      assertEquals(202, http("PUT", api(m, SOURCE_CONNECTOR + "/resume"), null).statusCode());
      Await.until("heartbeat age back under 3 s", MirrorTestSupport.TIMEOUT, () -> age(m) >= 0 && age(m) < 3_000);
      assertTrue(count(clusters.b(), "A.heartbeats") > onBPaused);
    }
  }
}
