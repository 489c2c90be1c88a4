package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.sync.OffsetSyncCodec;
import io.vmm.bus.OffsetSync;
import io.vmm.testkit.Await;
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

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.topicExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Offset syncs in MM2's format on the source, describing every record's downstream offset exactly. */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class OffsetSyncIT {

  private final TwoClusters clusters;

  OffsetSyncIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  @Test
  void transactionMarkerGapsGetExactSyncs() throws Exception {
    exactSyncsAcrossMarkers("txn", "record", 10);
  }

  /**
   * The same on the batch pass-through path: transactional batches pass through (40 records each, above the
   * small-batch threshold), markers are left out.
   */
  @Test
  void transactionMarkerGapsGetExactSyncsOnThePassThroughPath() throws Exception {
    exactSyncsAcrossMarkers("txn-batch", "batch", 40);
  }

  /** Three committed transactions of {@code n} records each (one batch each), then syncs and translation. */
  private void exactSyncsAcrossMarkers(String topic, String dataPath, int n) throws Exception {
    clusters.a().createTopic(topic, 1);
    // three committed transactions of n records: a commit marker after each, so upstream offsets are
    // 0..n-1, n+1..2n, 2n+2..3n+1 while downstream offsets are 0..3n-1 (n = 10: 0-9, 11-20, 22-31 -> 0-29)
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("transactional.id", "osync-" + topic))) {
      p.initTransactions();
      for (int t = 0; t < 3; t++) {
        p.beginTransaction();
        for (int i = 0; i < n; i++) {
          p.send(new ProducerRecord<>(topic, 0, ("k" + (t * n + i)).getBytes(StandardCharsets.UTF_8), new byte[]{1}));
        }
        p.commitTransaction();
      }
    }
    JsonObject mirror = mirror("A", "B", topic, 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("vmm.data.path", dataPath);
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      List<ConsumerRecord<byte[], byte[]>> mirrored = awaitRecords(clusters.b(), "A." + topic, 3L * n);
      assertEquals(3L * n - 1, mirrored.get(3 * n - 1).offset());
      assertEquals("batch".equals(dataPath), MirrorTestSupport.passedThrough(m) > 0, "batches passed through");
      Await.until("offset syncs on the source", MirrorTestSupport.TIMEOUT,
          () -> topicExists(clusters.a(), "mm2-offset-syncs.B.internal")
              && syncs().stream().anyMatch(s -> s.upstreamOffset() == 3L * n + 1));
      List<OffsetSync> syncs = syncs();
      TopicPartition tp = new TopicPartition(topic, 0);
      assertTrue(syncs.containsAll(List.of(new OffsetSync(tp, 0, 0), new OffsetSync(tp, n + 1, n),
          new OffsetSync(tp, 2L * n + 2, 2L * n), new OffsetSync(tp, 3L * n + 1, 3L * n - 1))), syncs.toString());
      // exactness: every mirrored record's downstream offset follows from the newest sync at or below it
      for (ConsumerRecord<byte[], byte[]> r : clusters.a().readAllNow(topic)) {
        OffsetSync s = syncs.stream().filter(x -> x.upstreamOffset() <= r.offset())
            .max((x, y) -> Long.compare(x.upstreamOffset(), y.upstreamOffset())).orElseThrow();
        long expected = s.downstreamOffset() + (r.offset() - s.upstreamOffset());
        String key = new String(r.key(), StandardCharsets.UTF_8);
        assertEquals(key, new String(mirrored.get((int) expected).key(), StandardCharsets.UTF_8),
            "upstream " + r.offset() + " translates to downstream " + expected);
      }
    }
  }

  private List<OffsetSync> syncs() {
    List<OffsetSync> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : clusters.a().readAllNow("mm2-offset-syncs.B.internal")) {
      out.add(OffsetSyncCodec.decode(r.key(), r.value()));
    }
    return out;
  }

  @Test
  void syncsOnTheTargetWhenConfiguredAndCheckpointsStillTranslate() throws Exception {
    clusters.a().createTopic("loc", 1);
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      for (int i = 0; i < 20; i++) {
        p.send(new ProducerRecord<>("loc", 0, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[]{1}));
      }
      p.flush();
    }
    clusters.a().admin().alterConsumerGroupOffsets("loc-app", Map.of(new TopicPartition("loc", 0),
        new org.apache.kafka.clients.consumer.OffsetAndMetadata(10))).all().get(10, java.util.concurrent.TimeUnit.SECONDS);
    io.vertx.core.json.JsonObject mirror = mirror("A", "B", "loc", 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("offset-syncs.topic.location", "target");
    mirror.getJsonObject("checkpointConnector").getJsonObject("config").put("offset-syncs.topic.location", "target")
        .put("emit.checkpoints.interval.seconds", 1);
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      awaitRecords(clusters.b(), "A.loc", 20);
      Await.until("syncs on the target", MirrorTestSupport.TIMEOUT,
          () -> topicExists(clusters.b(), "mm2-offset-syncs.A.internal"));
      Await.until("translated through syncs read from the target", MirrorTestSupport.TIMEOUT, () -> {
        try {
          var t = org.apache.kafka.connect.mirror.RemoteClusterUtils.translateOffsets(
              Map.of("bootstrap.servers", clusters.b().bootstrapServers()), "A", "loc-app",
              java.time.Duration.ofSeconds(5));
          var om = t.get(new TopicPartition("A.loc", 0));
          return om != null && om.offset() == 10;
        } catch (Exception e) {
          return false;
        }
      });
    }
  }
}
