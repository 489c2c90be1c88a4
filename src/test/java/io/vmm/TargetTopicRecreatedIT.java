package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.LogCapture;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.PassThroughSupport.bytes;
import static io.vmm.PassThroughSupport.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The remote topic deleted on the target while mirroring, on both data paths, with source batches large enough to
 * pass through: the next refresh creates it again, and every record produced after that arrives. On the batch
 * path the idempotent wire sender's partitions restart their sequences under a new epoch (the new topic's
 * partitions know nothing of the old sequences); on the record path Kafka's producer does the same by itself.
 * With exactly-once (on the batch path, the default) the transaction that met the gap is aborted and its records
 * are read again, so every record after the re-creation is committed.
 * (BrokerFaultIT covers the same with child-process brokers and a trickle of small batches.)
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class TargetTopicRecreatedIT {

  private static final int BURST = 200;

  private final TwoClusters clusters;

  TargetTopicRecreatedIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  @ParameterizedTest
  @ValueSource(strings = {"batch", "record", "batch-eos"})
  void recordsProducedAfterTheRecreationArrive(String variant) throws Exception {
    String path = variant.replace("-eos", "");
    boolean exactlyOnce = variant.endsWith("-eos");
    String topic = "recreated-" + variant;
    String remote = "A." + topic;
    clusters.a().createTopic(topic, 2);
    JsonObject mirror = mirror("A", "B", topic, 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("refresh.topics.interval.seconds", 1)
        .put("vmm.data.path", path);
    JsonObject config = config(clusters, mirror);
    if (exactlyOnce) {
      mirror.getJsonObject("sourceConnector").getJsonObject("config").put("transaction.boundary.interval.ms", 500);
      JsonObject target = config.getJsonArray("clusters").getJsonObject(1);
      target.put("config", new JsonObject().put("exactly.once.source.support", "enabled"));
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger acked = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread producer = burstProducer(topic, stop, acked, failure);
    try (LogCapture logs = LogCapture.start(Map.of("io.vmm", "INFO"));
         RunningMirror m = startMirror(config)) {
      Await.until("records mirrored before the deletion", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), remote) > 4 * BURST);
      long passedBefore = MirrorTestSupport.passedThrough(m);
      clusters.b().admin().deleteTopics(List.of(remote)).all().get(30, TimeUnit.SECONDS);
      Await.until(remote + " created again", MirrorTestSupport.TIMEOUT,
          () -> !logs.messagesContaining("remote topic " + remote + " was deleted on B while mirroring").isEmpty()
              && count(clusters.b(), remote) > 0);
      int fromKey = acked.get();
      Await.until("more records produced", MirrorTestSupport.TIMEOUT, () -> acked.get() > fromKey + 8 * BURST);
      stop.set(true);
      producer.join(30_000);
      assertNull(failure.get(), "source producer");
      int produced = acked.get();
      Await.until("every record produced after the recreation on B", MirrorTestSupport.TIMEOUT,
          () -> missingFrom(remote, fromKey, produced, exactlyOnce).isEmpty());
      JsonObject flow = m.flow();
      assertEquals("RUNNING", flow.getString("state"), flow.encodePrettily());
      assertEquals(0, flow.getInteger("failedPartitions"), flow.encodePrettily());
      if ("batch".equals(path)) {
        assertTrue(MirrorTestSupport.passedThrough(m) > passedBefore, "batches passed through after the recreation");
      }
    } finally {
      stop.set(true);
      producer.join(30_000);
    }
  }

  /**
   * Writes keys "0", "1", ... to both partitions of {@code topic} until stopped, in flushed bursts of
   * {@value #BURST} records per partition (one batch each: above the pass-through threshold).
   */
  private Thread burstProducer(String topic, AtomicBoolean stop, AtomicInteger acked,
                               AtomicReference<Throwable> failure) {
    Thread t = new Thread(() -> {
      try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("linger.ms", 1_000,
          "batch.size", 256 * 1024))) {
        for (int n = 0; !stop.get(); ) {
          for (int i = 0; i < 2 * BURST; i++, n++) {
            p.send(new ProducerRecord<>(topic, i % 2, bytes(Integer.toString(n)), new byte[100]), (md, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
          }
          p.flush();
          acked.set(n); // keys below n are acknowledged
          Thread.sleep(50);
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }, "recreate-producer");
    t.start();
    return t;
  }

  /** Keys in [from, to) not in {@code remote} on B (committed records only when {@code committed}). */
  private Set<Integer> missingFrom(String remote, int from, int to, boolean committed) {
    Set<Integer> missing = new HashSet<>();
    for (int i = from; i < to; i++) {
      missing.add(i);
    }
    for (ConsumerRecord<byte[], byte[]> r : committed ? PassThroughSupport.readCommitted(clusters.b(), remote)
        : clusters.b().readAllNow(remote)) {
      missing.remove(Integer.parseInt(str(r.key())));
    }
    return missing;
  }
}
