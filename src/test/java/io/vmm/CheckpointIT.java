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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checkpoints in MM2's format, read by Apache Kafka's own RemoteClusterUtils, translating exactly across
 * transaction-marker gaps: a consumer failing over to the target reads no record twice and misses none.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class CheckpointIT {

  private final TwoClusters clusters;

  CheckpointIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private void commit(String group, long offset) throws Exception {
    clusters.a().admin().alterConsumerGroupOffsets(group,
        Map.of(new TopicPartition("ck", 0), new OffsetAndMetadata(offset))).all().get(10, TimeUnit.SECONDS);
  }

  private Map<TopicPartition, OffsetAndMetadata> translated(String group) {
    try {
      return RemoteClusterUtils.translateOffsets(Map.of("bootstrap.servers", clusters.b().bootstrapServers()), "A",
          group, Duration.ofSeconds(10));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void translatedOffsetsLetAConsumerFailOverWithoutDuplicatesOrGaps() throws Exception {
    clusters.a().createTopic("ck", 1);
    // upstream 0-9, marker 10, 11-20, marker 21, 22-31, marker 32; downstream 0-29
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("transactional.id", "ck-test"))) {
      p.initTransactions();
      for (int t = 0; t < 3; t++) {
        p.beginTransaction();
        for (int i = 0; i < 10; i++) {
          p.send(new ProducerRecord<>("ck", 0, ("k" + (t * 10 + i)).getBytes(StandardCharsets.UTF_8), new byte[]{1}));
        }
        p.commitTransaction();
      }
    }
    commit("app", 15);   // next record upstream 15 = k14, downstream 14
    commit("gap", 21);   // a marker: the next record is 22 = k20, downstream 20
    commit("done", 33);  // everything consumed: downstream 30
    commit("console-consumer-1", 5); // excluded by MM2's default group filter
    JsonObject mirror = mirror("A", "B", "ck", 1);
    mirror.getJsonObject("checkpointConnector").getJsonObject("config").put("emit.checkpoints.interval.seconds", 1);
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      awaitRecords(clusters.b(), "A.ck", 30);
      TopicPartition remote = new TopicPartition("A.ck", 0);
      Await.until("checkpoints for app, gap and done", MirrorTestSupport.TIMEOUT,
          () -> translated("app").containsKey(remote) && translated("gap").containsKey(remote)
              && translated("done").containsKey(remote) && translated("done").get(remote).offset() == 30);
      assertEquals(14, translated("app").get(remote).offset());
      assertEquals(20, translated("gap").get(remote).offset());
      assertEquals(30, translated("done").get(remote).offset());
      assertEquals(Map.of(), translated("console-consumer-1"));

      // fail over: read B from the translated offset; the first record is the one the group had not read yet
      assertEquals(List.of("k14", "k15", "k16", "k17", "k18", "k19", "k20"), readFrom(remote, 14, 7));
      assertEquals(List.of("k20", "k21"), readFrom(remote, 20, 2));

      // the translation service, on the event bus and over HTTP
      JsonObject viaBus = MirrorTestSupport.await(m.vertx.eventBus().<JsonObject>request(
          io.vmm.bus.Addresses.TRANSLATE, new JsonObject().put("flow", "A->B").put("group", "app")), 10).body();
      assertEquals(new JsonObject().put("topic", "A.ck").put("partition", 0).put("upstreamOffset", 15L)
          .put("offset", 14L).put("exact", true), viaBus.getJsonArray("partitions").getJsonObject(0));
      java.net.http.HttpResponse<String> ok = io.vmm.testkit.Http.get(
          "http://127.0.0.1:" + m.supervisor.httpPort() + "/api/offsets/translate?flow=A-%3EB&group=gap");
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals(20L, new JsonObject(ok.body()).getJsonArray("partitions").getJsonObject(0).getLong("offset"));
      java.net.http.HttpResponse<String> unknown = io.vmm.testkit.Http.get(
          "http://127.0.0.1:" + m.supervisor.httpPort() + "/api/offsets/translate?flow=X-%3EY&group=gap");
      assertEquals(404, unknown.statusCode(), unknown.body());
      assertEquals(true, new JsonObject(unknown.body()).getString("message").startsWith("unknown flow X->Y"));
      assertEquals(java.util.Set.of("A.checkpoints.internal"), RemoteClusterUtils.checkpointTopics(
          Map.of("bootstrap.servers", clusters.b().bootstrapServers())));

      // the group moves on upstream: the checkpoint follows, never backwards
      commit("app", 25); // upstream 25 = k23, downstream 23
      Await.until("app checkpoint moved", MirrorTestSupport.TIMEOUT,
          () -> translated("app").get(remote).offset() == 23);
    }
  }

  private List<String> readFrom(TopicPartition tp, long offset, int n) {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(clusters.b().newConsumerConfig())) {
      c.assign(List.of(tp));
      c.seek(tp, offset);
      List<String> out = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 10_000;
      while (out.size() < n && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (out.size() < n) {
            out.add(new String(r.key(), StandardCharsets.UTF_8));
          }
        }
      }
      return out;
    }
  }

  private void commitOn(io.vmm.testkit.EmbeddedKafkaCluster c, String group, TopicPartition tp, long offset)
      throws Exception {
    c.admin().alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(offset))).all()
        .get(10, TimeUnit.SECONDS);
  }

  private Long targetOffset(String group, TopicPartition tp) {
    try {
      OffsetAndMetadata om = clusters.b().admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS).get(tp);
      return om == null ? null : om.offset();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void groupOffsetSyncFollowsMm2Rules() throws Exception {
    clusters.a().createTopic("gs", 1);
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      for (int i = 0; i < 50; i++) {
        p.send(new ProducerRecord<>("gs", 0, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[]{1}));
      }
      p.flush();
    }
    TopicPartition upstream = new TopicPartition("gs", 0);
    TopicPartition remote = new TopicPartition("A.gs", 0);
    commitOn(clusters.a(), "gs-fresh", upstream, 20);
    commitOn(clusters.a(), "gs-ahead", upstream, 10);
    commitOn(clusters.a(), "gs-behind", upstream, 30);
    commitOn(clusters.a(), "gs-busy", upstream, 25);
    // an active group on the target: a member polling, committing nothing
    java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean(true);
    Map<String, Object> busyConfig = new java.util.HashMap<>(clusters.b().newConsumerConfig());
    busyConfig.put("group.id", "gs-busy");
    busyConfig.put("enable.auto.commit", "false");
    Thread busy = new Thread(() -> {
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(busyConfig)) {
        c.subscribe(List.of("A.gs"));
        while (polling.get()) {
          c.poll(Duration.ofMillis(100));
        }
      }
    }, "gs-busy-member");
    busy.start();
    JsonObject mirror = mirror("A", "B", "gs", 1);
    mirror.getJsonObject("checkpointConnector").getJsonObject("config")
        .put("emit.checkpoints.interval.seconds", 1)
        .put("sync.group.offsets.enabled", true)
        .put("sync.group.offsets.interval.seconds", 1);
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      awaitRecords(clusters.b(), "A.gs", 50);
      Await.until("absent group written", MirrorTestSupport.TIMEOUT, () -> Long.valueOf(20).equals(
          targetOffset("gs-fresh", remote)));
      // an operator moves two idle target groups: one ahead of the translation, one behind it
      Await.until("ahead/behind groups first written", MirrorTestSupport.TIMEOUT,
          () -> targetOffset("gs-ahead", remote) != null && targetOffset("gs-behind", remote) != null);
      commitOn(clusters.b(), "gs-ahead", remote, 40);
      commitOn(clusters.b(), "gs-behind", remote, 5);
      Await.until("the group behind is moved up to the translation", MirrorTestSupport.TIMEOUT,
          () -> Long.valueOf(30).equals(targetOffset("gs-behind", remote)));
      assertEquals(40L, targetOffset("gs-ahead", remote), "an empty target group is never rewound");
      assertEquals(null, targetOffset("gs-busy", remote), "an active target group is left alone");
    } finally {
      polling.set(false);
      busy.join();
    }
  }

  /** Records of a topic on A, by offset, and the keys a consumer reads from {@code from} on, in order. */
  private static List<String> keysFrom(io.vmm.testkit.EmbeddedKafkaCluster c, TopicPartition tp, long from,
                                       java.util.Map<String, Object> extra) {
    java.util.Map<String, Object> config = new java.util.HashMap<>(c.newConsumerConfig());
    config.putAll(extra);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, from);
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      List<String> out = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 10_000;
      while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(new String(r.key(), StandardCharsets.UTF_8)));
      }
      return out;
    }
  }

  /**
   * Fails a group over at every committed position and checks that the target from the translated offset holds
   * exactly what the source still had to deliver to that group.
   */
  private void assertExactFailover(String topic, List<Long> committedPositions, java.util.Map<String, Object> read)
      throws Exception {
    TopicPartition upstream = new TopicPartition(topic, 0);
    TopicPartition remote = new TopicPartition("A." + topic, 0);
    for (long g : committedPositions) {
      String group = topic + "-at-" + g;
      commit(group, upstream, g);
      Await.until("checkpoint of " + group, MirrorTestSupport.TIMEOUT,
          () -> translated(group).containsKey(remote));
      long downstream = translated(group).get(remote).offset();
      assertEquals(keysFrom(clusters.a(), upstream, g, read), keysFrom(clusters.b(), remote, downstream, Map.of()),
          group + ": the target from offset " + downstream + " holds exactly what the group had left to read");
    }
  }

  private void commit(String group, TopicPartition tp, long offset) throws Exception {
    clusters.a().admin().alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(offset))).all()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void failoverIsExactWithAbortedTransactions() throws Exception {
    clusters.a().createTopic("abt", 1);
    // committed 0-4, marker 5; aborted 6-10, marker 11; committed 12-16, marker 17
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("transactional.id", "abt-test"))) {
      p.initTransactions();
      for (int t = 0; t < 3; t++) {
        p.beginTransaction();
        for (int i = 0; i < 5; i++) {
          p.send(new ProducerRecord<>("abt", 0, ("t" + t + "-" + i).getBytes(StandardCharsets.UTF_8), new byte[]{1}));
        }
        if (t == 1) {
          p.abortTransaction();
        } else {
          p.commitTransaction();
        }
      }
    }
    JsonObject mirror = mirror("A", "B", "abt", 1);
    mirror.getJsonObject("checkpointConnector").getJsonObject("config").put("emit.checkpoints.interval.seconds", 1);
    JsonObject config = config(clusters, mirror);
    config.getJsonArray("clusters").getJsonObject(0).put("config",
        new JsonObject().put("consumer.isolation.level", "read_committed")); // aborted data is not copied
    try (RunningMirror m = startMirror(config)) {
      awaitRecords(clusters.b(), "A.abt", 10);
      assertExactFailover("abt", List.of(0L, 3L, 5L, 6L, 9L, 11L, 12L, 14L, 18L),
          Map.of("isolation.level", "read_committed"));
    }
  }

  @Test
  void failoverIsExactOnACompactedTopic() throws Exception {
    clusters.a().createTopic("cmp", 1, Map.of("cleanup.policy", "compact", "segment.ms", "100",
        "min.cleanable.dirty.ratio", "0.001", "min.compaction.lag.ms", "0", "delete.retention.ms", "0"));
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 10; k++) {
          p.send(new ProducerRecord<>("cmp", 0, ("k" + k).getBytes(StandardCharsets.UTF_8),
              ("v" + round).getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        }
        Thread.sleep(150); // let segment.ms roll the segment, so the cleaner can compact it
      }
      p.send(new ProducerRecord<>("cmp", 0, "last".getBytes(StandardCharsets.UTF_8), new byte[]{1}))
          .get(10, TimeUnit.SECONDS);
    }
    Await.until("the log cleaner compacted cmp", Duration.ofSeconds(60),
        () -> keysFrom(clusters.a(), new TopicPartition("cmp", 0), 0, Map.of()).size() < 31);
    JsonObject mirror = mirror("A", "B", "cmp", 1);
    mirror.getJsonObject("checkpointConnector").getJsonObject("config").put("emit.checkpoints.interval.seconds", 1);
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      long kept = keysFrom(clusters.a(), new TopicPartition("cmp", 0), 0, Map.of()).size();
      awaitRecords(clusters.b(), "A.cmp", kept);
      // every position from the first retained record on, gaps left by compaction included
      List<Long> positions = new ArrayList<>();
      long first = firstOffset(new TopicPartition("cmp", 0));
      for (long g = first; g <= 31; g++) {
        positions.add(g);
      }
      assertExactFailover("cmp", positions, Map.of());
    }
  }

  private long firstOffset(TopicPartition tp) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(clusters.a().newConsumerConfig())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          return r.offset();
        }
      }
      throw new AssertionError("no record in " + tp);
    }
  }

  /** The group's translated offset on {@code remote}, or null without a checkpoint. */
  private Long translatedOffset(String group, TopicPartition remote) {
    OffsetAndMetadata om = translated(group).get(remote);
    return om == null ? null : om.offset();
  }

  private void produce(String topic, int from, int to) {
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      for (int i = from; i < to; i++) {
        p.send(new ProducerRecord<>(topic, 0, ("f" + i).getBytes(StandardCharsets.UTF_8), new byte[]{1}));
      }
      p.flush();
    }
  }

  /**
   * A clean stop writes final checkpoints from the newest offset syncs and committed offsets, and syncs the
   * target's groups: a group that committed after the last periodic checkpoint (the interval is 60 s) is
   * translated exactly once the mirror stopped, so a consumer failing over then reads nothing twice.
   */
  @Test
  void aCleanStopWritesFinalCheckpoints() throws Exception {
    clusters.a().createTopic("fin", 1);
    TopicPartition upstream = new TopicPartition("fin", 0);
    TopicPartition remote = new TopicPartition("A.fin", 0);
    produce("fin", 0, 1000);
    commit("fin-first", upstream, 400);
    JsonObject mirror = mirror("A", "B", "fin", 1);
    mirror.getJsonObject("checkpointConnector").getJsonObject("config")
        .put("emit.checkpoints.interval.seconds", 60)
        .put("sync.group.offsets.enabled", true)
        .put("sync.group.offsets.interval.seconds", 60);
    JsonObject config = config(clusters, mirror);

    // run 1: whatever its one periodic run saw (it may have come before the records were mirrored), the stop
    // checkpoints the group exactly
    try (RunningMirror m = startMirror(config)) {
      awaitRecords(clusters.b(), "A.fin", 1000);
    }
    assertEquals(400L, translatedOffset("fin-first", remote), "fin-first checkpointed at the stop");
    assertEquals(keysFrom(clusters.a(), upstream, 400, Map.of()), keysFrom(clusters.b(), remote, 400, Map.of()));
    assertEquals(400L, targetOffset("fin-first", remote), "the target group synced at the stop");

    // run 2: its periodic run is over once the marker group is checkpointed; then the source moves on and the
    // group commits: only the stop can checkpoint that, from offset syncs written just before it
    commit("fin-marker", upstream, 1000);
    try (RunningMirror m = startMirror(config)) {
      Await.until("the first periodic run checkpointed fin-marker", MirrorTestSupport.TIMEOUT,
          () -> translated("fin-marker").containsKey(remote));
      produce("fin", 1000, 2000);
      awaitRecords(clusters.b(), "A.fin", 2000);
      commit("fin-app", upstream, 1400);
      assertEquals(Map.of(), translated("fin-app"), "no periodic checkpoint of fin-app before the stop");
    }
    assertEquals(1400L, translatedOffset("fin-app", remote), "exact: the first record fin-app had not read");
    assertEquals(keysFrom(clusters.a(), upstream, 1400, Map.of()), keysFrom(clusters.b(), remote, 1400, Map.of()));
    assertEquals(1400L, targetOffset("fin-app", remote), "the target group synced at the stop");
  }
}
