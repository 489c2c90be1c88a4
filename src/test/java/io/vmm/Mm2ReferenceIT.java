package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.config.Environment;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.connect.mirror.Heartbeat;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our mirror against the reference, Apache Kafka MirrorMaker 2 4.1.1 ({@code connect-mirror} from Maven Central),
 * run as a child JVM on the same two clusters (issue 14, items 2 and 4). Brokers once per class; each test has its
 * own topic. Child logs are in {@code target/mm2-reference/} ({@link Mm2Children}).
 *
 * <ul>
 *   <li>Dedicated mode ({@code org.apache.kafka.connect.mirror.MirrorMaker file}): MM2, then ours, then MM2 again
 *       from one properties file: each continues from the other's stored progress ({@code mm2-offsets.A.internal} on
 *       B), nothing re-copied, nothing skipped. Our heartbeats have MM2's topic, partition and key bytes; Apache
 *       Kafka's {@link RemoteClusterUtils} sees the chain; every topic ours creates MM2 created too.</li>
 *   <li>Connect mode, as Strimzi runs MM2 ({@code ConnectDistributed} worker on B, connector
 *       {@code A->B.MirrorSourceConnector} created over REST): ours takes over from the worker's offsets topic.</li>
 * </ul>
 *
 * <p>Known, accepted differences (printed, not asserted), with only {@code A->B.enabled = true}: MM2 runs two
 * herders, A->B and, because heartbeats are on by default, B->A.
 * <ul>
 *   <li>MM2's A->B herder runs a heartbeat connector whose MirrorHeartbeatTask writes {@code Heartbeat(A, B)} into
 *       B's own {@code heartbeats} topic (the pair's target) every {@code emit.heartbeats.interval.seconds}; ours
 *       does not write B's {@code heartbeats}. Heartbeats that prove the A->B path are the ones in A's
 *       {@code heartbeats} (MM2: written by the reverse B->A herder, key (B, A); ours: by the A->B flow's heartbeat
 *       connector with the same key) arriving on B as {@code A.heartbeats}; those are what we compare.</li>
 *   <li>MM2's B->A herder is a Connect worker on A with its own internal topics {@code mm2-configs.B.internal},
 *       {@code mm2-offsets.B.internal} and {@code mm2-status.B.internal}; ours has no B->A flow and needs none of
 *       them.</li>
 * </ul>
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Mm2ReferenceIT {

  private static final int PARTITIONS = 3;
  private static final int N = 50;
  private static final int M = 20;
  private static final int K = 15;
  private static final Path LOGS = Mm2Children.LOGS;
  private static final String HEARTBEATS = "heartbeats";

  private final TwoClusters clusters;
  private final Mm2Children children = new Mm2Children();

  Mm2ReferenceIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  @AfterEach
  void stopChildren() throws InterruptedException {
    children.close();
  }

  // ------------------------------------------------------------------------------------------ data

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Records {@code from..to-1} into each partition of {@code topic} on A, key {@code p<partition>-<i>}. */
  private void produce(String topic, int from, int to) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("enable.idempotence", false,
        "max.in.flight.requests.per.connection", 1))) {
      for (int part = 0; part < PARTITIONS; part++) {
        for (int i = from; i < to; i++) {
          p.send(new ProducerRecord<>(topic, part, bytes("p" + part + "-" + i), bytes("v" + i)));
        }
      }
      p.flush();
    }
  }

  /**
   * Waits until B's {@code A.<topic>} holds {@code perPartition} records per partition, a little longer (anything
   * copied again would arrive by then), then asserts every key exactly once, in order, per partition.
   */
  private void assertExactly(String topic, int perPartition, Path log) throws InterruptedException {
    String remote = "A." + topic;
    Mm2Children.await(remote + " holds " + perPartition + " records per partition on B", log,
        () -> count(clusters.b(), remote) >= (long) perPartition * PARTITIONS);
    Thread.sleep(2_000);
    List<ConsumerRecord<byte[], byte[]>> all = clusters.b().readAllNow(remote);
    for (int part = 0; part < PARTITIONS; part++) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < perPartition; i++) {
        expected.add("p" + part + "-" + i);
      }
      List<String> actual = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : MirrorTestSupport.ofPartition(all, part)) {
        actual.add(new String(r.key(), StandardCharsets.UTF_8));
      }
      assertEquals(expected, actual, remote + " partition " + part + ": every key exactly once, in order");
    }
  }

  private static Set<String> topics(EmbeddedKafkaCluster cluster) throws Exception {
    return new TreeSet<>(cluster.admin().listTopics().names().get(10, TimeUnit.SECONDS));
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.removeAll(b);
    return out;
  }

  /** Partition count and cleanup.policy of a topic, e.g. {@code "1 compact"}. */
  private static String shape(EmbeddedKafkaCluster cluster, String topic) throws Exception {
    TopicDescription d = cluster.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
        .get(topic);
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config c = cluster.admin().describeConfigs(List.of(res)).all().get(10, TimeUnit.SECONDS).get(res);
    return d.partitions().size() + " " + c.get("cleanup.policy").value();
  }

  /** Heartbeat records of {@code topic} whose heartbeat timestamp is at or after {@code sinceMs}. */
  private static List<ConsumerRecord<byte[], byte[]>> heartbeatsSince(EmbeddedKafkaCluster cluster, String topic,
                                                                     long sinceMs) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    if (count(cluster, topic) <= 0) {
      return out;
    }
    for (ConsumerRecord<byte[], byte[]> r : cluster.readAllNow(topic)) {
      if (r.key() != null && r.value() != null && Heartbeat.deserializeRecord(r).timestamp() >= sinceMs) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * A's heartbeats arrived on B as {@code A.heartbeats} exactly once each, in order, across every take-over so far:
   * B's values (read first) are a prefix of A's values (heartbeats keep coming, so A may be ahead).
   */
  private void assertHeartbeatsMirroredOnce(String when) {
    List<String> onB = values(clusters.b().readAllNow("A." + HEARTBEATS));
    List<String> onA = values(clusters.a().readAllNow(HEARTBEATS));
    assertTrue(onB.size() <= onA.size() && onA.subList(0, onB.size()).equals(onB),
        when + ": A.heartbeats on B is not A's heartbeats, each once, in order:\nA: " + onA + "\nB: " + onB);
  }

  private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
    List<String> out = new ArrayList<>();
    records.forEach(r -> out.add(Arrays.toString(r.value())));
    return out;
  }

  private static String describe(ConsumerRecord<byte[], byte[]> r) {
    return r.topic() + "-" + r.partition() + "@" + r.offset() + " " + Heartbeat.deserializeRecord(r)
        + " key=" + Arrays.toString(r.key()) + " value=" + Arrays.toString(r.value());
  }

  // ------------------------------------------------------------------------------------------ dedicated mode

  /**
   * MM2 (dedicated mode) mirrors N per partition and stops; ours, from the same file, continues with exactly the M
   * after, writes heartbeats with MM2's topic, partition and key bytes, and creates no topic MM2 did not; MM2
   * started again continues after ours with exactly the K after.
   */
  @Test
  @Order(1)
  void dedicatedModeTakeOverBothWaysWithMm2Heartbeats() throws Exception {
    String topic = "ref-dedicated";
    clusters.a().createTopic(topic, PARTITIONS);
    Set<String> beforeA = topics(clusters.a());
    Set<String> beforeB = topics(clusters.b());
    produce(topic, 0, N);
    Files.createDirectories(LOGS);
    // one file for MM2 4.1.1 dedicated mode and for us
    Path file = Files.writeString(LOGS.resolve("mm2-dedicated.properties"), Mm2Children.dedicated(
        clusters.a().bootstrapServers(), clusters.b().bootstrapServers(), topic, """
        emit.heartbeats.interval.seconds = 1
        emit.checkpoints.interval.seconds = 1
        # a worker key, read per target cluster: MM2 ignores it at the top level (ours too, with a warning)
        A.offset.flush.interval.ms = 1000
        refresh.groups.interval.seconds = 1
        """));

    // 1. MM2
    Path log1 = LOGS.resolve("mm2-dedicated-1.log");
    Process mm2 = children.start("org.apache.kafka.connect.mirror.MirrorMaker", log1, file.toString());
    Mm2Children.await("MM2 mirrors all, heartbeats on A and A.heartbeats on B", log1,
        () -> count(clusters.b(), "A." + topic) >= (long) N * PARTITIONS && count(clusters.a(), HEARTBEATS) > 0
            && count(clusters.b(), "A." + HEARTBEATS) > 0);
    Thread.sleep(2_500); // a couple of offset flushes
    Set<String> mm2OnA = minus(topics(clusters.a()), beforeA);
    Set<String> mm2OnB = minus(topics(clusters.b()), beforeB);
    List<ConsumerRecord<byte[], byte[]>> mm2HeartbeatsA = clusters.a().readAllNow(HEARTBEATS);
    List<ConsumerRecord<byte[], byte[]>> mm2HeartbeatsB = clusters.b().readAllNow("A." + HEARTBEATS);
    String mm2HeartbeatsShape = shape(clusters.a(), HEARTBEATS);
    Mm2Children.stop(mm2);
    assertFalse(mm2.isAlive(), "MM2 stopped");
    assertExactly(topic, N, log1);
    assertTrue(mm2OnA.containsAll(Set.of(HEARTBEATS, "mm2-offset-syncs.B.internal")), "MM2 on A: " + mm2OnA);
    assertTrue(mm2OnB.containsAll(Set.of("A." + topic, "A." + HEARTBEATS, "A.checkpoints.internal",
        "mm2-offsets.A.internal")), "MM2 on B: " + mm2OnB);
    System.out.println("MM2 dedicated mode created on A " + mm2OnA + ", on B " + mm2OnB + "; A's heartbeats: "
        + mm2HeartbeatsShape);
    assertFalse(mm2HeartbeatsA.isEmpty());
    ConsumerRecord<byte[], byte[]> mm2Hb = mm2HeartbeatsA.get(mm2HeartbeatsA.size() - 1);
    System.out.println("MM2 heartbeat on A: " + describe(mm2Hb));
    System.out.println("MM2 heartbeat on B: " + describe(mm2HeartbeatsB.get(mm2HeartbeatsB.size() - 1)));

    // 2. ours, from the same file, after MM2's stored progress
    produce(topic, N, N + M);
    MirrorMain.Arguments args = MirrorMain.Arguments.parse(new String[]{file.toString()});
    JsonObject doc = MirrorMain.load(args.conf());
    doc.put("http", new JsonObject().put("port", 0)).put("metrics", new JsonObject().put("port", 0));
    Set<String> afterMm2A = topics(clusters.a());
    Set<String> afterMm2B = topics(clusters.b());
    long oursFrom = System.currentTimeMillis();
    try (RunningMirror ours = startMirror(doc, new Environment(Map.of()))) {
      assertExactly(topic, N + M, null);
      Await.until("our heartbeats on A and, mirrored, on B", MirrorTestSupport.TIMEOUT,
          () -> !heartbeatsSince(clusters.a(), HEARTBEATS, oursFrom).isEmpty()
              && !heartbeatsSince(clusters.b(), "A." + HEARTBEATS, oursFrom).isEmpty());
      ConsumerRecord<byte[], byte[]> oursHb = heartbeatsSince(clusters.a(), HEARTBEATS, oursFrom).get(0);
      ConsumerRecord<byte[], byte[]> oursHbB = heartbeatsSince(clusters.b(), "A." + HEARTBEATS, oursFrom).get(0);
      System.out.println("our heartbeat on A: " + describe(oursHb));
      System.out.println("our heartbeat on B: " + describe(oursHbB));
      assertEquals(mm2Hb.partition(), oursHb.partition(), "partition of A's heartbeats");
      assertArrayEquals(mm2Hb.key(), oursHb.key(), "heartbeat key bytes on A");
      Heartbeat theirs = Heartbeat.deserializeRecord(mm2Hb);
      Heartbeat mine = Heartbeat.deserializeRecord(oursHb);
      assertEquals(theirs.sourceClusterAlias(), mine.sourceClusterAlias());
      assertEquals(theirs.targetClusterAlias(), mine.targetClusterAlias());
      assertEquals(mm2Hb.value().length, oursHb.value().length, "heartbeat value length");
      assertArrayEquals(Arrays.copyOf(mm2Hb.value(), 2), Arrays.copyOf(oursHb.value(), 2), "value version bytes");
      assertArrayEquals(mm2Hb.key(), oursHbB.key(), "A.heartbeats on B carries the same key");
      assertEquals(mm2HeartbeatsShape, shape(clusters.a(), HEARTBEATS), "A's heartbeats topic unchanged");
      Map<String, Object> onB = Map.of("bootstrap.servers", clusters.b().bootstrapServers());
      assertEquals(1, RemoteClusterUtils.replicationHops(onB, "A"), "replicationHops(B, A)");
      assertTrue(RemoteClusterUtils.upstreamClusters(onB).contains("A"), "upstreamClusters(B)");
      assertEquals(Set.of(), minus(topics(clusters.a()), afterMm2A), "topics ours created on A that MM2 did not");
      assertEquals(Set.of(), minus(topics(clusters.b()), afterMm2B), "topics ours created on B that MM2 did not");
      assertHeartbeatsMirroredOnce("MM2, then ours");
      System.out.println("Heartbeat records written into B's own heartbeats while ours ran (MM2's A->B heartbeat"
          + " connector writes one a second): " + heartbeatsSince(clusters.b(), HEARTBEATS, oursFrom).size());
    }

    // 3. MM2 again, after our stored progress
    produce(topic, N + M, N + M + K);
    Path log2 = LOGS.resolve("mm2-dedicated-2.log");
    Process again = children.start("org.apache.kafka.connect.mirror.MirrorMaker", log2, file.toString());
    assertExactly(topic, N + M + K, log2);
    assertHeartbeatsMirroredOnce("MM2, ours, then MM2 again");
    Mm2Children.stop(again);
  }

  // ------------------------------------------------------------------------------------------ Connect mode

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * MM2's MirrorSourceConnector in a Kafka Connect distributed worker connected to B, as Strimzi runs it; after the
   * worker stops, ours (target B's config names the worker's offsets topic and group) continues exactly after it.
   */
  @Test
  @Order(2)
  void connectModeTakeOver() throws Exception {
    String topic = "ref-connect";
    clusters.a().createTopic(topic, PARTITIONS);
    produce(topic, 0, N);
    int port = freePort();
    Files.createDirectories(LOGS);
    Path worker = Files.writeString(LOGS.resolve("connect-worker.properties"), """
        bootstrap.servers = %s
        group.id = mirrormaker2-cluster
        offset.storage.topic = mirrormaker2-cluster-offsets
        config.storage.topic = mirrormaker2-cluster-configs
        status.storage.topic = mirrormaker2-cluster-status
        offset.storage.replication.factor = 1
        config.storage.replication.factor = 1
        status.storage.replication.factor = 1
        key.converter = org.apache.kafka.connect.converters.ByteArrayConverter
        value.converter = org.apache.kafka.connect.converters.ByteArrayConverter
        header.converter = org.apache.kafka.connect.converters.ByteArrayConverter
        offset.flush.interval.ms = 1000
        listeners = http://127.0.0.1:%d
        rest.advertised.host.name = 127.0.0.1
        rest.advertised.port = %d
        plugin.discovery = service_load
        """.formatted(clusters.b().bootstrapServers(), port, port));
    Path log = LOGS.resolve("connect-worker.log");
    Process connect = children.start("org.apache.kafka.connect.cli.ConnectDistributed", log, worker.toString());

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    String name = "A->B.MirrorSourceConnector";
    JsonObject connector = new JsonObject()
        .put("connector.class", "org.apache.kafka.connect.mirror.MirrorSourceConnector")
        .put("source.cluster.alias", "A").put("target.cluster.alias", "B")
        .put("source.cluster.bootstrap.servers", clusters.a().bootstrapServers())
        .put("target.cluster.bootstrap.servers", clusters.b().bootstrapServers())
        .put("topics", topic).put("tasks.max", "2").put("replication.factor", "1")
        .put("offset-syncs.topic.replication.factor", "1").put("sync.topic.acls.enabled", "false")
        .put("refresh.topics.interval.seconds", "1");
    HttpRequest put = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/connectors/"
            + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/config"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(connector.encode())).build();
    String[] lastAnswer = {"none"};
    try {
      Mm2Children.await("the worker accepts " + name, log, () -> {
        try {
          HttpResponse<String> r = http.send(put, HttpResponse.BodyHandlers.ofString());
          lastAnswer[0] = r.statusCode() + " " + r.body();
          if (r.statusCode() == 200 || r.statusCode() == 201) {
            return true;
          }
          sleepQuietly(); // e.g. 409 while the worker's group rebalances
          return false;
        } catch (IOException e) {
          lastAnswer[0] = e.toString(); // not listening yet
          sleepQuietly();
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });
    } catch (AssertionError e) {
      throw new AssertionError("last answer of the worker: " + lastAnswer[0] + "\n" + e.getMessage(), e);
    }
    System.out.println("Connect worker: PUT " + name + " -> " + lastAnswer[0]);
    Mm2Children.await("Connect-mode MM2 mirrors all", log, () -> count(clusters.b(), "A." + topic) >= (long) N * PARTITIONS);
    Thread.sleep(2_500); // more than two offset flushes
    Mm2Children.stop(connect);
    assertFalse(connect.isAlive(), "worker stopped");
    assertExactly(topic, N, log);
    List<String> connectKeys = new ArrayList<>();
    clusters.b().readAllNow("mirrormaker2-cluster-offsets").forEach(r -> connectKeys.add(new String(r.key(),
        StandardCharsets.UTF_8)));
    String stored = "[\"" + name + "\",{\"cluster\":\"A\",\"partition\":0,\"topic\":\"" + topic + "\"}]";
    assertTrue(connectKeys.contains(stored), "the worker stored " + stored + " in its offsets topic: "
        + connectKeys);

    produce(topic, N, N + M);
    JsonObject config = config(clusters, mirror("A", "B", topic, 2));
    config.getJsonArray("clusters").getJsonObject(1).put("config", new JsonObject()
        .put("offset.storage.topic", "mirrormaker2-cluster-offsets").put("group.id", "mirrormaker2-cluster"));
    try (RunningMirror ours = startMirror(config)) {
      assertExactly(topic, N + M, null);
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
