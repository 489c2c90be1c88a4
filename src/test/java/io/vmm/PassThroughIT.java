package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.LogCapture;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import io.vmm.wire.AnswerPool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.ofPartition;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.storedProgress;
import static io.vmm.PassThroughSupport.assertSameRecords;
import static io.vmm.PassThroughSupport.batchMode;
import static io.vmm.PassThroughSupport.bytes;
import static io.vmm.PassThroughSupport.flow;
import static io.vmm.PassThroughSupport.passedThrough;
import static io.vmm.PassThroughSupport.readCommitted;
import static io.vmm.PassThroughSupport.str;
import static io.vmm.PassThroughSupport.topicConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batch pass-through data path (issue 17 item 3) between two real KRaft clusters: each case compares source
 * and remote topic record for record, per partition (order, keys, values, headers, timestamps). Every flow gets
 * {@code vmm.data.path} from the system property {@code vmm.it.dataPath} ({@code batch} by default; run with
 * {@code -Dvmm.it.dataPath=record} to check the record path against the same expectations). Whether pass-through
 * was used is read from the counter {@code vmm_passthrough_batches_total}, and asserted only in batch mode.
 * <p>
 * The compacted topic is written before the tests (and its test runs last), so the broker's log cleaner (15 s
 * back-off) works while the other tests run.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PassThroughIT {

  private static final long BASE_TS = System.currentTimeMillis() - 600_000;
  private static final String COMPACTED = "pt-compacted";
  private static final int COMPACT_ROUNDS = 5;
  private static final int COMPACT_ROUND_RECORDS = 200;
  /** The remote topics' limit in the too-large cases: smaller than a source batch, larger than most records. */
  private static final int TARGET_MAX_MESSAGE_BYTES = 20_000;

  final TwoClusters clusters;

  PassThroughIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  /**
   * The mirror config of {@code mirror} on the two clusters (the exactly-once subclass adds the switch on B, so
   * every case also runs through the transactional pass-through writer).
   */
  JsonObject configOf(JsonObject mirror) {
    return config(clusters, mirror);
  }

  /** Plain source producer settings: one request in flight, no idempotence (see MirrorIT.produce), plus extras. */
  private static Map<String, Object> producerSettings(Map<String, Object> extra) {
    Map<String, Object> m = new HashMap<>(Map.of("enable.idempotence", false, "max.in.flight.requests.per.connection",
        1, "linger.ms", 20));
    m.putAll(extra);
    return m;
  }

  private static void awaitAll(List<Future<RecordMetadata>> sends) {
    try {
      for (Future<RecordMetadata> f : sends) {
        f.get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError("producing test data failed", e);
    }
  }

  private static List<Header> seqHeaders(int i) {
    return List.of(new RecordHeader("seq", bytes(Integer.toString(i))),
        new RecordHeader("h2", i % 3 == 0 ? null : bytes("x" + i)));
  }

  /** Reads the source now, waits for as many records in the remote topic, and compares them. */
  private void assertMirrored(String topic, int partitions) {
    List<ConsumerRecord<byte[], byte[]>> source = clusters.a().readAllNow(topic);
    List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "A." + topic, source.size());
    assertSameRecords(source, target, partitions, topic);
    assertEquals(partitions, clusters.b().endOffsets("A." + topic).size(), "partitions of A." + topic);
  }

  // ------------------------------------------------------------------------------------------ 1. codecs

  @Test
  @Order(1)
  void everyCodecMirrorsRecordForRecordAndKeepsTheTopicsCompression() {
    List<String> codecs = List.of("none", "gzip", "snappy", "lz4", "zstd");
    int n = 1_500;
    for (String codec : codecs) {
      String topic = "pt-codec-" + codec;
      // lz4 and zstd as the topic's own compression, the others leave it to the producer
      String topicCompression = codec.equals("lz4") || codec.equals("zstd") ? codec : "producer";
      clusters.a().createTopic(topic, 3, Map.of("compression.type", topicCompression));
      try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(producerSettings(Map.of(
          "compression.type", codec, "batch.size", 64 * 1024)))) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String json = "{\"id\":" + i + ",\"name\":\"user-" + (i % 97) + "\",\"codec\":\"" + codec
              + "\",\"tags\":[\"a\",\"b\",\"c\"],\"text\":\"" + "lorem ipsum dolor ".repeat(1 + i % 8) + "\"}";
          sends.add(p.send(new ProducerRecord<>(topic, i % 3, BASE_TS + i, bytes("k" + i), bytes(json),
              seqHeaders(i))));
        }
        p.flush();
        awaitAll(sends);
      }
    }
    long pooledBefore = AnswerPool.SHARED.pooledCount();
    long leasesBefore = AnswerPool.SHARED.leasesHeld();
    try (RunningMirror m = startMirror(configOf(flow("pt-codec-.*", 2)))) {
      for (String codec : codecs) {
        String topic = "pt-codec-" + codec;
        assertMirrored(topic, 3);
        String expected = topicConfig(clusters.a(), topic, "compression.type");
        Await.until("compression.type " + expected + " on A." + topic, MirrorTestSupport.TIMEOUT,
            () -> expected.equals(topicConfig(clusters.b(), "A." + topic, "compression.type")));
      }
      if (batchMode()) {
        assertTrue(passedThrough(m) > 0, "batches passed through");
        // the fetch answers' buffers come back once their batches are written (the suite poisons released
        // buffers, so a batch read after its release would have failed the comparison above)
        Await.until("every fetched batch released", MirrorTestSupport.TIMEOUT,
            () -> AnswerPool.SHARED.leasesHeld() == leasesBefore);
        assertTrue(AnswerPool.SHARED.pooledCount() > pooledBefore, "answers read into pooled buffers");
      }
    }
  }

  // ------------------------------------------------------------------------------------------ 2. batch sizes

  @Test
  @Order(2)
  void mixedBatchSizesAndRecordSizes() {
    String topic = "pt-mixed";
    clusters.a().createTopic(topic, 2);
    int i = 0;
    // linger long enough that only the flushes end batches: batches of 1, 7, 100 and 1000 records
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(producerSettings(Map.of(
        "linger.ms", 30_000, "batch.size", 512 * 1024, "max.request.size", 4 << 20)))) {
      for (int round = 0; round < 2; round++) {
        for (int group : new int[]{1, 7, 100, 1000}) {
          List<Future<RecordMetadata>> sends = new ArrayList<>();
          for (int j = 0; j < group; j++, i++) {
            int size = i % 53 == 0 ? 20_000 : 10 + (i * 37) % 990; // 10 B .. 20 KB
            byte[] value = new byte[size];
            java.util.Arrays.fill(value, (byte) ('a' + i % 26));
            sends.add(p.send(new ProducerRecord<>(topic, group == 1 ? round : i % 2, BASE_TS + i, bytes("k" + i),
                value, seqHeaders(i))));
          }
          p.flush();
          awaitAll(sends);
        }
      }
    }
    try (RunningMirror m = startMirror(configOf(flow(topic, 1)))) {
      assertMirrored(topic, 2);
      if (batchMode()) {
        assertTrue(passedThrough(m) > 0, "batches passed through");
      }
    }
  }

  // ------------------------------------------------------------------------------------------ 3. nulls

  @Test
  @Order(3)
  void nullKeysTombstonesAndEmptyValues() {
    String topic = "pt-nulls";
    clusters.a().createTopic(topic, 2);
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(producerSettings(Map.of()))) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        byte[] key = switch (i % 6) {
          case 0, 2 -> null;          // null key
          case 3 -> new byte[0];      // empty, not null
          default -> bytes("k" + i);
        };
        byte[] value = switch (i % 6) {
          case 1, 2 -> null;          // tombstone (and null key + null value)
          case 3 -> new byte[0];
          default -> bytes("v" + i);
        };
        List<Header> headers = switch (i % 6) {
          case 4 -> List.of();
          case 5 -> List.of(new RecordHeader("dup", bytes("1")), new RecordHeader("dup", null),
              new RecordHeader("dup", bytes("3")), new RecordHeader("", new byte[0]));
          default -> seqHeaders(i);
        };
        sends.add(p.send(new ProducerRecord<>(topic, i % 2, BASE_TS + i, key, value, headers)));
        if (i % 100 == 99) { // batches of 50 per partition: above the small-batch threshold (32 records)
          p.flush();
        }
      }
      p.flush();
      awaitAll(sends);
    }
    try (RunningMirror m = startMirror(configOf(flow(topic, 1)))) {
      assertMirrored(topic, 2);
      if (batchMode()) {
        assertTrue(passedThrough(m) > 0, "batches passed through");
      }
    }
  }

  // ------------------------------------------------------------------------------------------ 4. transactions

  @Test
  @Order(4)
  void onlyCommittedTransactionsArriveUnderReadCommitted() {
    String topic = "pt-txn";
    clusters.a().createTopic(topic, 2);
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("transactional.id", "pt-txn-test",
        "linger.ms", 20))) {
      p.initTransactions();
      int k = 0;
      for (int t = 0; t < 9; t++) { // the last one committed
        boolean abort = t % 2 == 1;
        p.beginTransaction();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int i = 0; i < 80; i++, k++) { // 40 per partition: above the small-batch threshold (32 records)
          sends.add(p.send(new ProducerRecord<>(topic, i % 2, BASE_TS + k, bytes((abort ? "aborted-" : "c-") + k),
              bytes("v" + k), seqHeaders(k))));
        }
        p.flush(); // aborted records are in the log too, between markers
        awaitAll(sends);
        if (abort) {
          p.abortTransaction();
        } else {
          p.commitTransaction();
        }
      }
    }
    List<ConsumerRecord<byte[], byte[]>> committed = readCommitted(clusters.a(), topic);
    assertEquals(400, committed.size(), "test data: 5 committed transactions of 80");
    JsonObject config = configOf(flow(topic, 1));
    config.getJsonArray("clusters").getJsonObject(0).put("config",
        new JsonObject().put("consumer.isolation.level", "read_committed"));
    try (RunningMirror m = startMirror(config)) {
      List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "A." + topic, committed.size());
      assertSameRecords(committed, target, 2, topic);
      assertTrue(target.stream().noneMatch(r -> str(r.key()).startsWith("aborted")), "no aborted record");
      Map<TopicPartition, Long> ends = clusters.a().endOffsets(topic);
      for (int p = 0; p < 2; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        long lastData = ofPartition(committed, p).get(ofPartition(committed, p).size() - 1).offset();
        long end = ends.get(tp);
        assertEquals(lastData + 2, end, "test data: the last commit marker of partition " + p + " ends it");
        // the record path stores the last record written (the marker after it is never written); the batch path
        // may store up to the marker: either way nothing committed is read again, and nothing beyond the log
        Await.until("progress of " + tp + " at its last committed record", MirrorTestSupport.TIMEOUT, () -> {
          Long stored = storedProgress(clusters.b(), "A").get(tp);
          return stored != null && stored >= lastData && stored < end;
        });
      }
      if (batchMode()) {
        assertTrue(passedThrough(m) > 0, "committed batches passed through");
      }
    }
  }

  // ------------------------------------------------------------------------------------------ 5. too large

  /**
   * A remote topic created on B before the mirror starts, with a small {@code max.message.bytes}, and the config
   * of a flow that mirrors {@code topic} to it.
   */
  private JsonObject smallTargetConfig(String topic, int partitions) {
    clusters.b().createTopic("A." + topic, partitions,
        Map.of("max.message.bytes", Integer.toString(TARGET_MAX_MESSAGE_BYTES)));
    JsonObject mirror = flow(topic, 1);
    // the first config sync would reset max.message.bytes to the source's (default): keep the target's
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("sync.topic.configs.enabled", false);
    // no producer settings: the mirror keeps its producer's batch.size at most the topic's limit by itself
    return configOf(mirror);
  }

  @Test
  @Order(5)
  void batchLargerThanTargetMaxMessageBytesFallsBack() {
    String topic = "pt-large-batches";
    clusters.a().createTopic(topic, 2);
    JsonObject config = smallTargetConfig(topic, 2);
    int i = 0;
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(producerSettings(Map.of(
        "linger.ms", 30_000, "batch.size", 256 * 1024)))) {
      for (int b = 0; b < 6; b++) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int j = 0; j < 200; j++, i++) { // 100 x 1 KB per partition: ~100 KB batches
          byte[] value = new byte[1_000];
          java.util.Arrays.fill(value, (byte) ('a' + i % 26));
          sends.add(p.send(new ProducerRecord<>(topic, j % 2, BASE_TS + i, bytes("k" + i), value, seqHeaders(i))));
        }
        p.flush();
        awaitAll(sends);
      }
    }
    try (RunningMirror m = startMirror(config)) {
      assertMirrored(topic, 2);
      assertEquals(0, m.flow().getInteger("failedPartitions"));
      if (batchMode()) {
        assertEquals(0, passedThrough(m), "every source batch is larger than the target allows: all fall back");
      }
    }
  }

  /**
   * {@code topic} on A with 10 records in each of 2 partitions, the one at offset 5 of partition 0 larger than its
   * remote topic's {@value #TARGET_MAX_MESSAGE_BYTES} bytes; returns the config of a flow mirroring it.
   */
  JsonObject largeRecordSource(String topic) {
    clusters.a().createTopic(topic, 2);
    JsonObject config = smallTargetConfig(topic, 2);
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(producerSettings(Map.of()))) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        byte[] big = new byte[TARGET_MAX_MESSAGE_BYTES + 10_000];
        sends.add(p.send(new ProducerRecord<>(topic, 0, BASE_TS + i, bytes("k" + i), i == 5 ? big : bytes("v" + i))));
        sends.add(p.send(new ProducerRecord<>(topic, 1, BASE_TS + i, bytes("k" + i), bytes("v" + i))));
      }
      p.flush();
      awaitAll(sends);
    }
    return config;
  }

  @Test
  @Order(6)
  void recordLargerThanTargetMaxMessageBytesFailsItsPartitionLoudly() {
    String topic = "pt-large-record";
    JsonObject config = largeRecordSource(topic);
    try (LogCapture logs = LogCapture.start(Map.of("io.vmm", "INFO"));
         RunningMirror m = startMirror(config)) {
      JsonObject flow = Await.value("a FAILED partition in the status", MirrorTestSupport.TIMEOUT, () -> {
        JsonObject f = m.flow();
        return f.getJsonArray("failures").isEmpty() ? null : f;
      });
      JsonObject failed = flow.getJsonArray("failures").getJsonObject(0);
      assertEquals(topic, failed.getString("topic"));
      assertEquals(0, failed.getInteger("partition"));
      assertEquals(5L, failed.getLong("offset"));
      assertTrue(failed.getString("error").contains("RecordTooLarge"), failed.getString("error"));
      assertTrue(logs.messagesContaining("partition FAILED").stream().anyMatch(s -> s.contains(topic + "-0")),
          "the log names the failed partition: " + logs.messagesContaining("FAILED"));
      List<ConsumerRecord<byte[], byte[]>> source = clusters.a().readAllNow(topic);
      Await.until("the other partition goes on", MirrorTestSupport.TIMEOUT,
          () -> count(clusters.b(), "A." + topic) >= 15);
      List<ConsumerRecord<byte[], byte[]>> target = clusters.b().readAllNow("A." + topic);
      assertSameRecords(ofPartition(source, 1), ofPartition(target, 1), 2, topic + " partition 1");
      assertSameRecords(ofPartition(source, 0).subList(0, 5), ofPartition(target, 0), 2,
          topic + " partition 0 up to the record too large");
      Await.until("progress stored up to the record before the failed one, and to the end of partition 1",
          MirrorTestSupport.TIMEOUT, () -> {
            Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
            return Long.valueOf(4).equals(stored.get(new TopicPartition(topic, 0)))
                && Long.valueOf(9).equals(stored.get(new TopicPartition(topic, 1)));
          });
    }
  }

  // ------------------------------------------------------------------------------------------ 6. take-over

  /** Records per source batch of the take-over stream: odd, so that consumer polls (1000 records) end inside. */
  private static final int STREAM_BATCH = 333;

  /**
   * Writes "s<n>" records to both partitions of {@code topic} until stopped: bursts of {@value #STREAM_BATCH}
   * records per partition, each flushed, so that each burst is one batch per partition (about 9,000 records/s).
   */
  private Thread streamProducer(String topic, AtomicBoolean stop, AtomicReference<Throwable> failure) {
    Thread t = new Thread(() -> {
      try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(producerSettings(Map.of(
          "linger.ms", 1_000, "batch.size", 256 * 1024)))) {
        for (int n = 0; !stop.get(); ) {
          for (int i = 0; i < 2 * STREAM_BATCH; i++, n++) {
            p.send(new ProducerRecord<>(topic, i % 2, BASE_TS + n, bytes("s" + n), bytes("v" + n), seqHeaders(n)),
                (md, e) -> {
                  if (e != null) {
                    failure.compareAndSet(null, e);
                  }
                });
          }
          p.flush();
          Thread.sleep(60);
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }, "pt-stream-producer");
    t.start();
    return t;
  }

  @Test
  @Order(7)
  void takeOverRecordToBatchToRecordResumesAtStoredPositions() throws Exception {
    String topic = "pt-takeover";
    clusters.a().createTopic(topic, 2);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread producer = streamProducer(topic, stop, failure);
    try {
      // a backlog, so that the runs are stopped while behind the producer (not at the source's end)
      Await.until("a backlog in " + topic, MirrorTestSupport.TIMEOUT, () -> count(clusters.a(), topic) >= 20_000);
      String[] paths = {"record", PassThroughSupport.DATA_PATH, "record"};
      for (int run = 0; run < paths.length; run++) {
        JsonObject mirror = flow(topic, 1, paths[run]);
        if (run == 0) { // slower than the producer, in small chunks: the stop lands mid-stream, inside a batch
          mirror.getJsonObject("sourceConnector").getJsonObject("config").put("vmm.inflight.partition.max.records", 20);
        }
        JsonObject config = configOf(mirror);
        if (run == 0) {
          config.getJsonArray("clusters").getJsonObject(0).put("config",
              new JsonObject().put("consumer.max.poll.records", 50));
        }
        try (RunningMirror m = startMirror(config)) {
          if (run < paths.length - 1) {
            long before = Math.max(0, count(clusters.b(), "A." + topic));
            // stopped while the producer writes on: the stored positions land inside source batches
            Await.until("run " + run + " (" + paths[run] + ") mirrors 2000 more records", MirrorTestSupport.TIMEOUT,
                () -> count(clusters.b(), "A." + topic) >= before + 2_000);
          } else {
            stop.set(true);
            producer.join(30_000);
            assertEquals(null, failure.get(), "stream producer");
            assertMirrored(topic, 2);
          }
          if (batchMode()) {
            long passed = passedThrough(m);
            assertTrue(paths[run].equals("batch") ? passed > 0 : passed == 0,
                "run " + run + " (" + paths[run] + "): " + passed + " batches passed through");
          }
        }
        if (run == 0) {
          Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
          List<Long> positions = List.of(stored.get(new TopicPartition(topic, 0)),
              stored.get(new TopicPartition(topic, 1)));
          assertTrue(positions.stream().anyMatch(last -> (last + 1) % STREAM_BATCH != 0),
              "test premise: the record path stopped inside a source batch of " + STREAM_BATCH + ": " + positions);
        }
      }
    } finally {
      stop.set(true);
      producer.join(30_000);
    }
    List<ConsumerRecord<byte[], byte[]>> target = clusters.b().readAllNow("A." + topic);
    Set<String> seen = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : target) {
      assertTrue(seen.add(str(r.key())), "duplicate after a clean stop: " + str(r.key()));
    }
    assertEquals(count(clusters.a(), topic), target.size(), "each record once, none missing");
  }

  // ------------------------------------------------------------------------------------------ 7. compacted

  /**
   * Writes {@value #COMPACTED}: per partition {@value #COMPACT_ROUNDS} rounds (one batch each, in its own segment:
   * {@code segment.ms} 100 and a pause) of {@value #COMPACT_ROUND_RECORDS} records over shared keys and per-round
   * keys, so that compaction leaves holes inside every older batch; then one record that rolls the last round's
   * segment, so the cleaner may clean all rounds.
   */
  @BeforeAll
  static void writeCompactedTopic(TwoClusters clusters) throws Exception {
    clusters.a().createTopic(COMPACTED, 2, Map.of("cleanup.policy", "compact", "segment.ms", "100",
        "min.cleanable.dirty.ratio", "0.01", "min.compaction.lag.ms", "0", "delete.retention.ms", "0"));
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(producerSettings(Map.of("linger.ms", 1_000)))) {
      for (int round = 0; round < COMPACT_ROUNDS; round++) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int part = 0; part < 2; part++) {
          for (int i = 0; i < COMPACT_ROUND_RECORDS; i++) {
            sends.add(p.send(new ProducerRecord<>(COMPACTED, part, compactedKey(round, i),
                bytes("v" + round + "-" + i), seqHeaders(i))));
          }
        }
        p.flush();
        awaitAll(sends);
        Thread.sleep(150);
      }
      for (int part = 0; part < 2; part++) {
        p.send(new ProducerRecord<>(COMPACTED, part, bytes("end"), bytes("end"))).get(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Every 4th record a key of its own round, the others one of 30 keys shared by all rounds. */
  private static byte[] compactedKey(int round, int i) {
    return bytes(i % 4 == 0 ? "r" + round + "-" + (i / 4) % 10 : "k" + i % 40);
  }

  @Test
  @Order(8)
  void compactedSourceMirrorsWhatAConsumerReads() {
    Set<String> keys = new HashSet<>();
    for (int round = 0; round < COMPACT_ROUNDS; round++) {
      for (int i = 0; i < COMPACT_ROUND_RECORDS; i++) {
        keys.add(str(compactedKey(round, i)));
      }
    }
    long written = 2L * (COMPACT_ROUNDS * COMPACT_ROUND_RECORDS + 1);
    long compacted = 2L * (keys.size() + 1); // all rounds cleaned: one record per key, plus "end"
    long[] readable = {written};
    try {
      // the cleaner checks every 15 s (log.cleaner.backoff.ms); it may clean the rounds in more than one pass
      Await.until("the log cleaner compacted every round of " + COMPACTED, Duration.ofSeconds(40), () -> {
        readable[0] = clusters.a().readAllNow(COMPACTED).size();
        return readable[0] == compacted;
      });
    } catch (AssertionError e) {
      // a cleaner that did not run (or not fully) leaves the test checking a dense or partly compacted log
      org.slf4j.LoggerFactory.getLogger(PassThroughIT.class).warn("{}: {} of {} records readable, {} after a full "
          + "compaction; mirroring what is there", COMPACTED, readable[0], written, compacted);
    }
    try (RunningMirror m = startMirror(configOf(flow(COMPACTED, 1)))) {
      assertMirrored(COMPACTED, 2);
    }
  }
}
