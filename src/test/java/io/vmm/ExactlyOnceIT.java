package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.ofPartition;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.storedProgress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once mirroring ({@code exactly.once.source.support=enabled} on the target) between two real KRaft
 * clusters: what {@code read_committed} readers see on the target, the committed progress, source transactions,
 * a record refused for good, a clean stop, and a fenced producer. Each test uses its own topics.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class ExactlyOnceIT {

  final TwoClusters clusters;

  ExactlyOnceIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String str(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /** The source connector's {@code vmm.data.path} of every case ({@code record}; the batch subclass: batch). */
  String dataPath() {
    return "record";
  }

  /** A config mirroring A->B exactly once, with {@code mirror}'s settings and {@link #dataPath()}. */
  JsonObject exactlyOnce(JsonObject mirror) {
    sourceConfig(mirror).put("vmm.data.path", dataPath());
    JsonObject config = config(clusters, mirror);
    config.getJsonArray("clusters").getJsonObject(1).put("config",
        new JsonObject().put("exactly.once.source.support", "enabled"));
    return config;
  }

  static JsonObject sourceConfig(JsonObject mirror) {
    return mirror.getJsonObject("sourceConnector").getJsonObject("config");
  }

  /** Produces {@code n} records "k<i>" round-robin over partitions (plain producer, every send checked). */
  void produce(String topic, int partitions, int from, int n) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("enable.idempotence", false,
        "max.in.flight.requests.per.connection", 1, "linger.ms", 5))) {
      List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
      for (int i = from; i < from + n; i++) {
        sends.add(p.send(new ProducerRecord<>(topic, i % partitions, bytes("k" + i), bytes("v" + i))));
      }
      p.flush();
      for (java.util.concurrent.Future<?> f : sends) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Every record of {@code topic} on {@code cluster} that a read_committed reader sees now, by partition, offset. */
  static List<ConsumerRecord<byte[], byte[]>> readCommitted(io.vmm.testkit.EmbeddedKafkaCluster cluster,
                                                                    String topic) {
    Map<String, Object> c = new HashMap<>(cluster.newConsumerConfig());
    c.put("isolation.level", "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(10)); // the LSO
      long deadline = System.currentTimeMillis() + 30_000;
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("read_committed reader did not reach " + ends);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    out.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
        .thenComparingLong(ConsumerRecord::offset));
    return out;
  }

  static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> str(r.key())).toList();
  }

  /** The sum of the samples of {@code metric} in the mirror's Prometheus text. */
  private static double scrape(RunningMirror m, String metric) throws Exception {
    HttpResponse<String> r = io.vmm.testkit.Http.get("http://127.0.0.1:" + m.supervisor.metricsPort() + "/metrics");
    double sum = 0;
    for (String line : r.body().split("\n")) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Test
  void mirrorsEachRecordOnceOverManyTransactions() throws Exception {
    clusters.a().createTopic("eos-basic", 3);
    produce("eos-basic", 3, 0, 6_000);
    JsonObject mirror = mirror("A", "B", "eos-basic", 2);
    // early commits at 200 decoded records or 2 KB (pass-through batches count as their bytes): many transactions
    sourceConfig(mirror).put("transaction.boundary.interval.ms", 300)
        .put("vmm.inflight.partition.max.records", 400).put("vmm.inflight.partition.max.bytes", 4096);
    try (RunningMirror m = startMirror(exactlyOnce(mirror))) {
      Await.until("6000 committed records on B", MirrorTestSupport.TIMEOUT,
          () -> readCommitted(clusters.b(), "A.eos-basic").size() >= 6_000);
      List<ConsumerRecord<byte[], byte[]>> target = readCommitted(clusters.b(), "A.eos-basic");
      assertEquals(6_000, target.size(), "each record exactly once");
      for (int p = 0; p < 3; p++) {
        List<String> expected = new ArrayList<>();
        for (int i = p; i < 6_000; i += 3) {
          expected.add("k" + i);
        }
        assertEquals(expected, keys(ofPartition(target, p)), "partition " + p + " in order, no duplicates");
      }
      Await.until("committed progress at the ends", MirrorTestSupport.TIMEOUT, () -> {
        Map<TopicPartition, Long> s = storedProgress(clusters.b(), "A");
        for (int p = 0; p < 3; p++) {
          if (!Long.valueOf(1_999).equals(s.get(new TopicPartition("eos-basic", p)))) {
            return false;
          }
        }
        return true;
      });
      JsonObject flow = m.flow();
      assertEquals("exactly-once", flow.getString("delivery"));
      assertEquals(0, flow.getInteger("failedPartitions"));
      double committed = scrape(m, "vmm_transactions_committed_total");
      assertTrue(committed >= 3, "several transactions: " + committed);
      assertTrue(scrape(m, "vmm_transaction_records_avg") > 0);
      assertTrue(scrape(m, "vmm_transaction_commit_latency_ms_max") > 0);
      assertEquals(0, scrape(m, "vmm_transactions_aborted_total"));
    }
  }

  @Test
  void onlyCommittedSourceTransactionsArriveAndTranslationStaysExact() throws Exception {
    clusters.a().createTopic("eos-src", 1);
    // upstream: k0-9 (0-9), marker 10, aborted 11-15 + marker 16, k10-19 (17-26), marker 27, aborted 28-32 +
    // marker 33, k20-29 (34-43), marker 44
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("transactional.id", "eos-src-test"))) {
      p.initTransactions();
      int k = 0;
      for (int t = 0; t < 5; t++) {
        p.beginTransaction();
        boolean abort = t % 2 == 1;
        for (int i = 0; i < (abort ? 5 : 10); i++) {
          p.send(new ProducerRecord<>("eos-src", 0, bytes(abort ? "aborted" + t + "-" + i : "k" + k++), bytes("v")));
        }
        if (abort) {
          p.flush(); // the aborted records are in the log, between markers
          p.abortTransaction();
        } else {
          p.commitTransaction();
        }
      }
    }
    commitGroup("mid", 17);  // next upstream record 17 = k10
    commitGroup("gap", 28);  // inside the aborted transaction: next committed record is 34 = k20
    commitGroup("done", 45); // everything read
    JsonObject mirror = mirror("A", "B", "eos-src", 1);
    sourceConfig(mirror).put("transaction.boundary.interval.ms", 200);
    mirror.getJsonObject("checkpointConnector").getJsonObject("config").put("emit.checkpoints.interval.seconds", 1);
    try (RunningMirror m = startMirror(exactlyOnce(mirror))) {
      Await.until("30 committed records on B", MirrorTestSupport.TIMEOUT,
          () -> readCommitted(clusters.b(), "A.eos-src").size() >= 30);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        expected.add("k" + i);
      }
      assertEquals(expected, keys(readCommitted(clusters.b(), "A.eos-src")), "only committed source records");
      TopicPartition remote = new TopicPartition("A.eos-src", 0);
      Await.until("checkpoints for mid, gap and done", MirrorTestSupport.TIMEOUT,
          () -> translated("mid").containsKey(remote) && translated("gap").containsKey(remote)
              && translated("done").containsKey(remote));
      List<ConsumerRecord<byte[], byte[]>> source = readCommitted(clusters.a(), "eos-src");
      assertEquals("k10", firstAtOrAfter(source, 17), "test data: upstream 17 is k10");
      assertEquals("k20", firstAtOrAfter(source, 28), "test data: 28 is in an aborted transaction, k20 follows");
      assertEquals("k10", firstKeyFrom(remote, translated("mid").get(remote).offset()));
      assertEquals("k20", firstKeyFrom(remote, translated("gap").get(remote).offset()));
      assertEquals(null, firstKeyFrom(remote, translated("done").get(remote).offset()), "nothing left to read");
    }
  }

  /** The key of the first record of {@code records} at or after {@code offset}. */
  private static String firstAtOrAfter(List<ConsumerRecord<byte[], byte[]>> records, long offset) {
    return records.stream().filter(r -> r.offset() >= offset).map(r -> str(r.key())).findFirst().orElse(null);
  }

  private void commitGroup(String group, long offset) throws Exception {
    clusters.a().admin().alterConsumerGroupOffsets(group,
        Map.of(new TopicPartition("eos-src", 0), new OffsetAndMetadata(offset))).all().get(10, TimeUnit.SECONDS);
  }

  private Map<TopicPartition, OffsetAndMetadata> translated(String group) {
    try {
      return RemoteClusterUtils.translateOffsets(Map.of("bootstrap.servers", clusters.b().bootstrapServers()), "A",
          group, Duration.ofSeconds(10));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The key of the first record a read_committed reader gets from {@code offset} on, or null when none. */
  private String firstKeyFrom(TopicPartition tp, long offset) {
    Map<String, Object> c = new HashMap<>(clusters.b().newConsumerConfig());
    c.put("isolation.level", "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.currentTimeMillis() + 10_000;
      while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          return str(r.key());
        }
      }
      return null;
    }
  }

  @Test
  void recordRefusedForGoodFailsItsPartitionAndNothingOfItsTransactionIsVisible() throws Exception {
    clusters.a().createTopic("eos-big", 2, Map.of("max.message.bytes", "3000000"));
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("max.request.size", 3_000_000))) {
      for (int i = 0; i < 10; i++) {
        p.send(new ProducerRecord<>("eos-big", 0, bytes("k" + i), i == 5 ? new byte[2_000_000] : bytes("v" + i)))
            .get(30, TimeUnit.SECONDS);
        p.send(new ProducerRecord<>("eos-big", 1, bytes("k" + i), bytes("v" + i))).get(30, TimeUnit.SECONDS);
      }
    }
    JsonObject mirror = mirror("A", "B", "eos-big", 1);
    sourceConfig(mirror).put("transaction.boundary.interval.ms", 200);
    try (RunningMirror m = startMirror(exactlyOnce(mirror))) {
      JsonObject flow = Await.value("a FAILED partition in the status", MirrorTestSupport.TIMEOUT, () -> {
        JsonObject f = m.flow();
        return f.getJsonArray("failures").isEmpty() ? null : f;
      });
      JsonObject failed = flow.getJsonArray("failures").getJsonObject(0);
      assertEquals(0, failed.getInteger("partition"));
      long at = failed.getLong("offset");
      assertTrue(at >= 0 && at <= 5, "FAILED at its first uncommitted record: " + at);
      assertTrue(failed.getString("error").contains("RecordTooLarge"), failed.getString("error"));
      Await.until("partition 1 complete", MirrorTestSupport.TIMEOUT,
          () -> ofPartition(readCommitted(clusters.b(), "A.eos-big"), 1).size() >= 10);
      List<ConsumerRecord<byte[], byte[]>> target = readCommitted(clusters.b(), "A.eos-big");
      List<String> p1 = new ArrayList<>();
      List<String> p0 = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        p1.add("k" + i);
        if (i < at) {
          p0.add("k" + i);
        }
      }
      assertEquals(p1, keys(ofPartition(target, 1)), "the other partition: each record once");
      assertEquals(p0, keys(ofPartition(target, 0)), "nothing of the aborted transaction is visible");
      assertTrue(scrape(m, "vmm_transactions_aborted_total") >= 1);
      Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
      assertEquals(9L, stored.get(new TopicPartition("eos-big", 1)));
      assertEquals(at == 0 ? null : at - 1, stored.get(new TopicPartition("eos-big", 0)));
    }
  }

  @Test
  void cleanStopCommitsTheOpenTransaction() throws Exception {
    clusters.a().createTopic("eos-stop", 2);
    produce("eos-stop", 2, 0, 1_000);
    JsonObject mirror = mirror("A", "B", "eos-stop", 1);
    sourceConfig(mirror).put("transaction.boundary.interval.ms", 600_000); // only the stop commits
    try (RunningMirror m = startMirror(exactlyOnce(mirror))) {
      Await.until("1000 records sent to B", MirrorTestSupport.TIMEOUT,
          () -> count(clusters.b(), "A.eos-stop") >= 1_000);
      assertEquals(0, readCommitted(clusters.b(), "A.eos-stop").size(), "nothing visible before the commit");
    }
    List<ConsumerRecord<byte[], byte[]>> target = readCommitted(clusters.b(), "A.eos-stop");
    assertEquals(1_000, target.size());
    for (int p = 0; p < 2; p++) {
      List<String> expected = new ArrayList<>();
      for (int i = p; i < 1_000; i += 2) {
        expected.add("k" + i);
      }
      assertEquals(expected, keys(ofPartition(target, p)), "partition " + p);
    }
    Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
    assertEquals(499L, stored.get(new TopicPartition("eos-stop", 0)));
    assertEquals(499L, stored.get(new TopicPartition("eos-stop", 1)));
  }

  @Test
  void aFencedProducerStopsWritingAndNamesItsTransactionalId() throws Exception {
    clusters.a().createTopic("eos-fence", 1);
    produce("eos-fence", 1, 0, 100);
    JsonObject mirror = mirror("A", "B", "eos-fence", 1);
    sourceConfig(mirror).put("transaction.boundary.interval.ms", 3_000);
    JsonObject config = exactlyOnce(mirror);
    config.getJsonArray("clusters").getJsonObject(1).getJsonObject("config").put("group.id", "fence-test");
    String id = "fence-test-A->B.MirrorSourceConnector-0";
    try (RunningMirror m = startMirror(config)) {
      Await.until("100 records sent to B", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), "A.eos-fence") >= 100);
      try (KafkaProducer<byte[], byte[]> newer = clusters.b().newProducer(Map.of("transactional.id", id))) {
        newer.initTransactions(); // a newer owner of the id: the mirror's open transaction is aborted, it is fenced
      }
      JsonObject failed = Await.value("the fenced task FAILED", MirrorTestSupport.TIMEOUT, () -> {
        JsonObject f = m.flow();
        return f.getJsonArray("failures").isEmpty() ? null : f.getJsonArray("failures").getJsonObject(0);
      });
      assertTrue(failed.getString("error").contains(id) && failed.getString("error").contains("fenced"),
          failed.getString("error"));
      produce("eos-fence", 1, 100, 50);
      Thread.sleep(1_000);
      assertEquals(0, readCommitted(clusters.b(), "A.eos-fence").size(), "nothing of the fenced producer visible");
    }
  }
}
