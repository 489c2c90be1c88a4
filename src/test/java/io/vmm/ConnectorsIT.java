package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.FileLogInputStream;
import org.apache.kafka.common.record.FileRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.ObjectName;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.TIMEOUT;
import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.topicExists;
import static io.vmm.OperationsIT.api;
import static io.vmm.OperationsIT.http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connectors a mirror names, on real brokers: a connector left out is not run (no verticle, no internal topic,
 * not listed, 404), and each connector's own client settings ({@code producer.override.*}, {@code producer.*},
 * {@code consumer.*}) reach its clients, shown by the clients themselves (their registered app-info MBeans) and by
 * the record batches on the target's disk.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class ConnectorsIT {

  private final TwoClusters clusters;

  ConnectorsIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static void produce(EmbeddedKafkaCluster cluster, String topic, int n, String value) {
    try (KafkaProducer<byte[], byte[]> p = cluster.newProducer()) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, 0, null, ("k" + i).getBytes(), (value + i).getBytes()));
      }
      p.flush();
    }
  }

  @Test
  void connectorsLeftOutAreNotRun() {
    // B->A: the other test of this class runs A->B with all three connectors (heartbeats on A, its source)
    String topic = "only-source";
    clusters.b().createTopic(topic, 1);
    produce(clusters.b(), topic, 20, "v");
    JsonObject m = mirror("B", "A", topic, 1);
    m.remove("checkpointConnector");
    m.remove("heartbeatConnector");
    try (RunningMirror mirror = startMirror(config(clusters, m))) {
      awaitRecords(clusters.a(), "B." + topic, 20);
      Await.until("ready", TIMEOUT, () -> http("GET", api(mirror, "/health/ready"), null).statusCode() == 200);

      // offset syncs belong to the source connector: MM2 writes them whether checkpoints run or not
      Await.until("offset syncs topic on B", TIMEOUT, () -> topicExists(clusters.b(), "mm2-offset-syncs.A.internal"));
      assertFalse(topicExists(clusters.b(), "heartbeats"), "no heartbeat connector: no heartbeats topic on B");
      assertFalse(topicExists(clusters.a(), "B.checkpoints.internal"), "no checkpoint connector: no checkpoints topic");

      JsonObject flow = mirror.flow();
      assertEquals(List.of("source"), List.copyOf(flow.getJsonObject("connectors").fieldNames()));
      assertEquals("RUNNING", flow.getString("state"));
      assertNull(flow.getValue("heartbeatAgeMs"), "no heartbeats emitted");

      HttpResponse<String> list = http("GET", api(mirror, "/connectors"), null);
      assertEquals(200, list.statusCode());
      assertEquals(new JsonArray().add("B->A.MirrorSourceConnector"), new JsonArray(list.body()));
      JsonObject expanded = new JsonObject(http("GET", api(mirror, "/connectors?expand=status"), null).body());
      assertEquals(List.of("B->A.MirrorSourceConnector"), List.copyOf(expanded.fieldNames()));
      assertEquals(404, http("GET", api(mirror, "/connectors/B-%3EA.MirrorHeartbeatConnector/status"), null)
          .statusCode());
      assertEquals(404, http("GET", api(mirror, "/connectors/B-%3EA.MirrorCheckpointConnector"), null).statusCode());
      HttpResponse<String> config = http("GET", api(mirror, "/connectors/B-%3EA.MirrorSourceConnector/config"), null);
      assertEquals(200, config.statusCode(), config.body());
      JsonObject connectConfig = new JsonObject(config.body()); // Connect's flat string map
      assertEquals("org.apache.kafka.connect.mirror.MirrorSourceConnector", connectConfig.getString("connector.class"));
      assertEquals("B", connectConfig.getString("source.cluster.alias"));
      assertEquals("A", connectConfig.getString("target.cluster.alias"));
      assertEquals(topic, connectConfig.getString("topics"));
      assertEquals("1", connectConfig.getString("tasks.max"));
      connectConfig.forEach(e -> assertTrue(e.getValue() instanceof String, e.getKey()));
      HttpResponse<String> noConfig = http("GET", api(mirror, "/connectors/B-%3EA.MirrorCheckpointConnector/config"),
          null);
      assertEquals(404, noConfig.statusCode());
      assertEquals(404, new JsonObject(noConfig.body()).getInteger("error_code"), noConfig.body());
      HttpResponse<String> pause = http("PUT", api(mirror, "/connectors/B-%3EA.MirrorCheckpointConnector/pause"),
          null);
      assertEquals(404, pause.statusCode(), pause.body());
      assertTrue(pause.body().contains("has no checkpointConnector"), pause.body());
      String metrics = OperationsIT.scrape(mirror);
      assertTrue(metrics.contains("vmm_connector_running{connector=\"MirrorSourceConnector\""), "source gauge");
      assertFalse(metrics.contains("connector=\"MirrorHeartbeatConnector\""), "no gauge for an omitted connector");
      assertEquals(204, http("POST", api(mirror, "/connectors/B-%3EA.MirrorSourceConnector/restart"), null)
          .statusCode(), "the source connector answers as before");
      Await.until("source connector running again", TIMEOUT,
          () -> "RUNNING".equals(mirror.flow().getJsonObject("connectors").getJsonObject("source").getString("state")));

      assertFalse(topicExists(clusters.b(), "heartbeats"), "still no heartbeats topic on B");
      assertFalse(topicExists(clusters.a(), "B.checkpoints.internal"), "still no checkpoints topic");
    }
  }

  /**
   * Two aliases reaching one cluster through different bootstrap strings pass the config check, but the cluster
   * ids match once connected: the flow is FAILED with a message naming both aliases and the id, and is not retried.
   */
  @Test
  void twoAliasesOfOneClusterFailTheFlow() throws Exception {
    JsonObject config = config(clusters, mirror("A", "B", "same-cluster", 1));
    String a = clusters.a().bootstrapServers();
    assertTrue(a.startsWith("127.0.0.1:"), a);
    config.getJsonArray("clusters").getJsonObject(1).put("bootstrapServers", a.replace("127.0.0.1", "localhost"));
    String id = clusters.a().admin().describeCluster().clusterId().get(10, TimeUnit.SECONDS);
    try (io.vmm.testkit.LogCapture logs = io.vmm.testkit.LogCapture.start(Map.of());
         RunningMirror mirror = startMirror(config)) {
      JsonObject flow = mirror.flow();
      assertEquals("FAILED", flow.getString("state"), flow.encodePrettily());
      String error = flow.getJsonObject("connectors").getJsonObject("source").encode();
      assertTrue(error.contains("source cluster \\\"A\\\" and target cluster \\\"B\\\" are the same Kafka cluster "
          + "(cluster id " + id + ")"), error);
      HttpResponse<String> status = http("GET", api(mirror, "/connectors/A-%3EB.MirrorSourceConnector/status"), null);
      assertTrue(new JsonObject(status.body()).getJsonObject("connector").getString("trace").contains(id),
          status.body());
      Thread.sleep(6_000); // longer than the first retry delay of a flow start (5 s)
      assertEquals(List.of(), logs.messagesContaining("will retry"));
      assertEquals(1, logs.messagesContaining("A->B failed to start").size());
      assertEquals("FAILED", mirror.flow().getString("state"));
    }
  }

  @Test
  void connectorClientOverridesReachTheirClients() throws Exception {
    String topic = "squeezed";
    clusters.a().createTopic(topic, 1);
    produce(clusters.a(), topic, 300, "a".repeat(500));
    JsonObject doc = config(clusters, mirror("A", "B", topic, 1));
    // the target cluster compresses with lz4; the source connector's task producers override it with gzip
    doc.getJsonArray("clusters").getJsonObject(1).put("config", new JsonObject().put("producer.compression.type", "lz4"));
    JsonObject m = doc.getJsonArray("mirrors").getJsonObject(0);
    m.getJsonObject("sourceConnector").getJsonObject("config")
        .put("vmm.data.path", "record") // the replication consumer is Kafka's consumer only on the record path
        .put("producer.override.compression.type", "gzip")
        .put("consumer.client.id", "it-replication-consumer")
        .put("producer.client.id", "it-offset-syncs-producer");
    m.getJsonObject("checkpointConnector").getJsonObject("config")
        .put("producer.override.client.id", "it-checkpoint-producer")
        .put("consumer.client.id", "it-checkpoint-consumer");
    m.getJsonObject("heartbeatConnector").getJsonObject("config")
        .put("producer.override.client.id", "it-heartbeat-producer");
    try (RunningMirror mirror = startMirror(doc)) {
      awaitRecords(clusters.b(), "A." + topic, 300);

      // each client registered itself under the client.id its connector's override gave it
      for (String bean : List.of("kafka.consumer:type=app-info,id=it-replication-consumer",
          "kafka.producer:type=app-info,id=it-offset-syncs-producer",
          "kafka.producer:type=app-info,id=it-checkpoint-producer",
          "kafka.consumer:type=app-info,id=it-checkpoint-consumer",
          "kafka.producer:type=app-info,id=it-heartbeat-producer")) {
        assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(bean)), bean);
      }

      // the mirrored batches on B's disk are gzip (the override), not lz4 (clusters[].config)
      List<CompressionType> types = batchCompression(clusters.b(), "A." + topic, 0);
      assertFalse(types.isEmpty());
      assertTrue(types.stream().allMatch(t -> t == CompressionType.GZIP), types.toString());
    }
  }

  /** The compression type of every record batch of {@code topic}-{@code partition} in the cluster's log dirs. */
  private static List<CompressionType> batchCompression(EmbeddedKafkaCluster cluster, String topic, int partition)
      throws Exception {
    List<Integer> brokers = cluster.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
        .map(Node::id).toList();
    Map<Integer, Map<String, LogDirDescription>> dirs = cluster.admin().describeLogDirs(brokers).allDescriptions()
        .get(10, TimeUnit.SECONDS);
    List<CompressionType> types = new ArrayList<>();
    for (Map<String, LogDirDescription> byPath : dirs.values()) {
      for (String path : byPath.keySet()) {
        File[] segments = new File(path, topic + "-" + partition).listFiles((d, name) -> name.endsWith(".log"));
        for (File segment : segments == null ? new File[0] : segments) {
          try (FileRecords records = FileRecords.open(segment, false)) {
            for (FileLogInputStream.FileChannelRecordBatch batch : records.batches()) {
              types.add(batch.compressionType());
            }
          }
        }
      }
    }
    assertFalse(types.isEmpty(), "no batches of " + topic + "-" + partition + " under " + dirs + " "
        + Arrays.toString(new Object[]{brokers}));
    return types;
  }
}
