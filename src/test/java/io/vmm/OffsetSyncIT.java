package io.vmm;

import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.sync.OffsetSyncCodec;
import io.vmm.sync.OffsetSyncTracker.Sync;
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
    clusters.a().createTopic("txn", 1);
    // three committed transactions of 10 records: a commit marker after each, so upstream offsets
    // are 0-9, 11-20, 22-31 while downstream offsets are 0-29
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("transactional.id", "osync-test"))) {
      p.initTransactions();
      for (int t = 0; t < 3; t++) {
        p.beginTransaction();
        for (int i = 0; i < 10; i++) {
          p.send(new ProducerRecord<>("txn", 0, ("k" + (t * 10 + i)).getBytes(StandardCharsets.UTF_8), new byte[]{1}));
        }
        p.commitTransaction();
      }
    }
    try (RunningMirror m = startMirror(config(clusters, mirror("A", "B", "txn", 1)))) {
      List<ConsumerRecord<byte[], byte[]>> mirrored = awaitRecords(clusters.b(), "A.txn", 30);
      assertEquals(29L, mirrored.get(29).offset());
      Await.until("offset syncs on the source", MirrorTestSupport.TIMEOUT,
          () -> topicExists(clusters.a(), "mm2-offset-syncs.B.internal")
              && syncs().stream().anyMatch(s -> s.upstreamOffset() == 31));
      List<Sync> syncs = syncs();
      TopicPartition tp = new TopicPartition("txn", 0);
      assertTrue(syncs.containsAll(List.of(new Sync(tp, 0, 0), new Sync(tp, 11, 10), new Sync(tp, 22, 20),
          new Sync(tp, 31, 29))), syncs.toString());
      // exactness: every mirrored record's downstream offset follows from the newest sync at or below it
      for (ConsumerRecord<byte[], byte[]> r : clusters.a().readAllNow("txn")) {
        Sync s = syncs.stream().filter(x -> x.upstreamOffset() <= r.offset())
            .max((x, y) -> Long.compare(x.upstreamOffset(), y.upstreamOffset())).orElseThrow();
        long expected = s.downstreamOffset() + (r.offset() - s.upstreamOffset());
        String key = new String(r.key(), StandardCharsets.UTF_8);
        assertEquals(key, new String(mirrored.get((int) expected).key(), StandardCharsets.UTF_8),
            "upstream " + r.offset() + " translates to downstream " + expected);
      }
    }
  }

  private List<Sync> syncs() {
    List<Sync> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : clusters.a().readAllNow("mm2-offset-syncs.B.internal")) {
      out.add(OffsetSyncCodec.decode(r.key(), r.value()));
    }
    return out;
  }
}
