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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Heartbeats in MM2's format, about one a second, readable by Apache Kafka's own RemoteClusterUtils. */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class HeartbeatIT {

  private final TwoClusters clusters;

  HeartbeatIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static JsonObject heartbeating(String source, String target) {
    JsonObject m = mirror(source, target, "none-here", 1);
    m.getJsonObject("sourceConnector").getJsonObject("config").put("refresh.topics.interval.seconds", 1);
    return m;
  }

  @Test
  void heartbeatsAboutOncePerSecondAndChainsVisibleToMm2Clients() throws Exception {
    try (RunningMirror m = startMirror(config(clusters, heartbeating("A", "B"), heartbeating("B", "A")))) {
      Await.until("heartbeats on B", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), "heartbeats") > 0);
      long first = count(clusters.b(), "heartbeats");
      long startedAt = System.nanoTime();
      Await.until("6 more heartbeats", Duration.ofSeconds(20), () -> count(clusters.b(), "heartbeats") >= first + 6);
      double seconds = (System.nanoTime() - startedAt) / 1e9;
      assertTrue(seconds > 4 && seconds < 9, "6 heartbeats took " + seconds + " s, expected about 6");

      List<ConsumerRecord<byte[], byte[]>> records = clusters.b().readAllNow("heartbeats");
      Heartbeat h = Heartbeat.deserializeRecord(records.get(records.size() - 1));
      assertEquals("A", h.sourceClusterAlias());
      assertEquals("B", h.targetClusterAlias());
      assertEquals(records.get(records.size() - 1).timestamp(), h.timestamp());

      // A's heartbeats (written by B->A) are mirrored to B as A.heartbeats by the refresh of A->B
      Await.until("A.heartbeats on B", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), "A.heartbeats") > 0);
      Map<String, Object> props = Map.of("bootstrap.servers", clusters.b().bootstrapServers());
      assertTrue(RemoteClusterUtils.heartbeatTopics(props).containsAll(List.of("heartbeats", "A.heartbeats")),
          RemoteClusterUtils.heartbeatTopics(props).toString());
      assertTrue(RemoteClusterUtils.upstreamClusters(props).contains("A"));
      assertEquals(1, RemoteClusterUtils.replicationHops(props, "A"));
    }
  }
}
