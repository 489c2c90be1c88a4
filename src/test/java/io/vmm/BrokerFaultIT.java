package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.ChildBroker;
import io.vmm.testkit.ChildBrokerPair;
import io.vmm.testkit.NoBlockedThreads;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broker faults under load (issue 15 item 7), with both clusters as <b>child-process</b> brokers
 * ({@link ChildBroker}) and the mirror in this JVM: a graceful target restart, a target SIGKILL + restart, a
 * source SIGKILL for 20 s, a target SIGSTOP for 20 s. Each asserts: no produced record is missing on the target,
 * duplicates stay within {@link #DUPLICATES_BOUND}, the mirror recovers by itself (never restarted), and readiness
 * goes DOWN during the fault and back UP after it.
 * <p>
 * Brokers are started once for the class and left running after each test (a test restarts what it stopped);
 * each test has its own topic. About 2.5 minutes on 2 cores.
 */
@ExtendWith(NoBlockedThreads.class)
class BrokerFaultIT {

  /** Seconds a broker stays dead or frozen in the long faults. */
  private static final int OUTAGE_S = 20;
  /**
   * At-least-once: records the target wrote but whose acknowledgement was lost in the fault are written again.
   * The mirror's producer is idempotent, so within one producer session there are none; this bounds what a fault
   * that ends the session can cause: the records in flight (per partition at most one request's batches).
   */
  private static final int DUPLICATES_BOUND = 5_000;
  private static final Duration RECOVERY = Duration.ofSeconds(90);

  private static ChildBrokerPair brokers;
  private static ChildBroker a;
  private static ChildBroker b;

  @BeforeAll
  static void brokers() throws Exception {
    brokers = ChildBrokerPair.start("fault-it", "brokers-", Map.of());
    a = brokers.a();
    b = brokers.b();
  }

  @AfterAll
  static void close() throws Exception {
    if (brokers != null) {
      brokers.close();
    }
  }

  /** A test that failed half-way leaves its broker running for the next one. */
  @AfterEach
  void bothRunning() throws Exception {
    for (ChildBroker broker : List.of(a, b)) {
      try {
        broker.thaw();
      } catch (Exception ignored) {
        // not running
      }
    }
    ensureRunning(a);
    ensureRunning(b);
  }

  private static void ensureRunning(ChildBroker broker) throws Exception {
    try {
      broker.start();
    } catch (IllegalStateException running) {
      // already running
    }
  }

  // ------------------------------------------------------------------------------------------------ scenarios

  @Test
  void targetGracefulRestartUnderLoad() throws Exception {
    underFault("graceful", () -> {
      b.stop();
      Thread.sleep(3_000);
    }, () -> b.start());
  }

  @Test
  void targetSigkillAndRestart() throws Exception {
    underFault("tkill", () -> {
      b.kill();
      Thread.sleep(3_000);
    }, () -> b.start());
  }

  /**
   * The batch pass-through path through a target SIGKILL: unanswered batches are sent again with identical bytes
   * and sequence numbers, so the restarted broker deduplicates them: not one duplicate.
   */
  @Test
  void targetSigkillAndRestartPassThrough() throws Exception {
    underFault("tkill-batch", "batch", 0, () -> {
      b.kill();
      Thread.sleep(3_000);
    }, () -> b.start());
  }

  @Test
  void sourceSigkillForTwentySeconds() throws Exception {
    underFault("skill", () -> {
      a.kill();
      Thread.sleep(OUTAGE_S * 1000L);
    }, () -> a.start());
  }

  @Test
  void targetSigstopForTwentySeconds() throws Exception {
    underFault("tstop", () -> {
      b.freeze();
      Thread.sleep(OUTAGE_S * 1000L);
    }, () -> b.thaw());
  }

  /** A step of a scenario. */
  private interface Step {
    void run() throws Exception;
  }

  /**
   * Mirrors topic {@code name} (3 partitions) while a steady producer writes to A; after 3,000 records landed on
   * B runs {@code fault} (which returns after the outage), checks readiness went DOWN, runs {@code heal}, stops
   * the producer once readiness is UP again, and checks the target holds every produced record.
   */
  private void underFault(String name, Step fault, Step heal) throws Exception {
    underFault(name, "record", DUPLICATES_BOUND, fault, heal);
  }

  /** {@link #underFault(String, Step, Step)} on data path {@code dataPath}, with at most {@code maxDuplicates}. */
  private void underFault(String name, String dataPath, long maxDuplicates, Step fault, Step heal) throws Exception {
    String topic = "fault-" + name;
    a.admin().createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
    JsonObject mirror = mirror("A", "B", topic, 2);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("vmm.data.path", dataPath);
    // fail fast towards dead brokers: the readiness probe and the clients' timeouts are short
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("admin.timeout.ms", 5_000);
    JsonObject config = config(a.bootstrapServers(), b.bootstrapServers(), mirror);
    SteadyProducer producer = new SteadyProducer(a, topic, 3, "batch".equals(dataPath) ? 50 : 0);
    try (RunningMirror m = startMirror(config)) {
      Await.until("records mirrored before the fault", RECOVERY, () -> count(b, "A." + topic) > 3_000);
      assertTrue(ready(m), "ready before the fault: " + m.supervisor.ready().await(10, TimeUnit.SECONDS));
      AtomicBoolean sawDown = new AtomicBoolean();
      Thread watcher = new Thread(() -> {
        while (!sawDown.get() && !Thread.currentThread().isInterrupted()) {
          if (!ready(m)) {
            sawDown.set(true);
          }
        }
      }, "readiness-watch");
      watcher.setDaemon(true);
      watcher.start();
      fault.run();
      Await.until("readiness DOWN during the fault", Duration.ofSeconds(15), sawDown::get);
      heal.run();
      Await.until("readiness UP after the fault", RECOVERY, () -> ready(m));
      producer.stop();
      assertEquals(0, producer.failed.get(), "sends to A failed beyond the producer's retries");
      int produced = producer.acked.get();
      Await.until(produced + " records on B (mirror recovered by itself)", RECOVERY,
          () -> count(b, "A." + topic) >= produced && missing(topic, produced).isEmpty());
      long onTarget = count(b, "A." + topic);
      long duplicates = onTarget - count(a, topic); // the source may hold its own retried duplicates

      assertTrue(duplicates <= maxDuplicates, duplicates + " duplicates on B (bound " + maxDuplicates + ")");
      assertEquals("batch".equals(dataPath), MirrorTestSupport.passedThrough(m) > 0, "batches passed through");
      System.out.printf("BrokerFaultIT %s: %d produced, %d on target, %d duplicates%n", name, produced, onTarget,
          duplicates);
    } finally {
      producer.stop();
    }
  }

  private static boolean ready(RunningMirror m) {
    try {
      return m.supervisor.ready().await(10, TimeUnit.SECONDS).getBoolean("ready");
    } catch (Exception e) {
      return false;
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** The keys {@code k0..k<produced-1>} not on B's {@code A.<topic>}. */
  private static Set<String> missing(String topic, int produced) {
    Set<String> missing = new HashSet<>();
    for (int i = 0; i < produced; i++) {
      missing.add("k" + i);
    }
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", b.bootstrapServers());
    c.put("key.deserializer", ByteArrayDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps = consumer.partitionsFor("A." + topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(10));
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline
          && tps.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(10)) < ends.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          missing.remove(new String(r.key(), StandardCharsets.UTF_8));
        }
      }
    }
    return missing;
  }

  private static long count(ChildBroker broker, String topic) {
    try {
      var tps = broker.admin().describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic)
          .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
      tps.forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
      return broker.admin().listOffsets(latest).all().get(5, TimeUnit.SECONDS).values().stream()
          .mapToLong(o -> o.offset()).sum();
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * Writes keys {@code k0, k1, ...} round-robin over the partitions until stopped, about 5,000 records/s, one
   * request in flight, retrying through a source outage (delivery timeout 120 s); counts acknowledged sends.
   */
  private static final class SteadyProducer {
    final AtomicBoolean producing = new AtomicBoolean(true);
    final AtomicInteger acked = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final Thread thread;

    SteadyProducer(ChildBroker broker, String topic, int partitions) {
      this(broker, topic, partitions, 0);
    }

    /** @param lingerMs the producer's {@code linger.ms}: 50 gathers batches large enough to pass through */
    SteadyProducer(ChildBroker broker, String topic, int partitions, int lingerMs) {
      thread = new Thread(() -> {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", broker.bootstrapServers());
        c.put("key.serializer", ByteArraySerializer.class.getName());
        c.put("value.serializer", ByteArraySerializer.class.getName());
        c.put("enable.idempotence", false);
        c.put("max.in.flight.requests.per.connection", 1);
        c.put("acks", "all");
        c.put("delivery.timeout.ms", 120_000);
        c.put("max.block.ms", 120_000);
        c.put("linger.ms", lingerMs);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(c)) {
          for (int i = 0; producing.get(); i++) {
            p.send(new ProducerRecord<>(topic, i % partitions, ("k" + i).getBytes(StandardCharsets.UTF_8),
                ("v" + i).getBytes(StandardCharsets.UTF_8)), (md, e) -> (e == null ? acked : failed).incrementAndGet());
            if (i % 100 == 0) {
              Thread.sleep(20);
            }
          }
          p.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, topic + "-producer");
      thread.start();
    }

    void stop() throws InterruptedException {
      producing.set(false);
      thread.join(150_000);
    }
  }
}
