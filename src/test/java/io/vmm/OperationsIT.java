package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.vmm.MirrorTestSupport.TIMEOUT;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operations on real brokers: Prometheus metrics with sensible values while mirroring, readiness flipping when a
 * cluster goes away and comes back, and pause/resume/stop/restart of connectors and tasks through the REST API
 * (with a bearer token).
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class OperationsIT {

  private final TwoClusters clusters;

  OperationsIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  // ------------------------------------------------------------------------------------------ helpers

  static HttpResponse<String> http(String method, String url, String token) {
    return io.vmm.testkit.Http.send(method, url, token);
  }

  static String api(RunningMirror m, String path) {
    return "http://127.0.0.1:" + m.supervisor.httpPort() + path;
  }

  static String scrape(RunningMirror m) {
    HttpResponse<String> r = http("GET", "http://127.0.0.1:" + m.supervisor.metricsPort() + "/metrics", null);
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** Values of {@code metric} whose labels include every {@code label=value} given, by full label text. */
  static Map<String, Double> values(String text, String metric, String... labels) {
    Map<String, Double> out = new HashMap<>();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)} (\\S+)$").matcher(text);
    while (m.find()) {
      boolean all = true;
      for (String l : labels) {
        all &= m.group(1).contains(l);
      }
      if (all) {
        out.put(m.group(1), Double.parseDouble(m.group(2)));
      }
    }
    return out;
  }

  static double sum(String text, String metric, String... labels) {
    return values(text, metric, labels).values().stream().mapToDouble(Double::doubleValue).sum();
  }

  private static void produce(EmbeddedKafkaCluster cluster, String topic, int partitions, int n, int from) {
    try (KafkaProducer<byte[], byte[]> p = cluster.newProducer()) {
      for (int i = from; i < from + n; i++) {
        p.send(new ProducerRecord<>(topic, i % partitions, null, ("k" + i).getBytes(), ("value-" + i).getBytes()));
      }
      p.flush();
    }
  }

  private static JsonObject fastMirror(String pattern) {
    JsonObject m = mirror("A", "B", pattern, 2);
    m.getJsonObject("sourceConnector").getJsonObject("config").put("refresh.topics.interval.seconds", 1);
    m.getJsonObject("checkpointConnector").getJsonObject("config").put("emit.checkpoints.interval.seconds", 1);
    return m;
  }

  // ------------------------------------------------------------------------------------------ metrics

  @Test
  void metricsArePresentWithSensibleValuesWhileMirroring() throws Exception {
    String topic = "ops-metrics";
    clusters.a().createTopic(topic, 2);
    produce(clusters.a(), topic, 2, 400, 0);
    try (RunningMirror m = startMirror(config(clusters, fastMirror(topic)))) {
      MirrorTestSupport.awaitRecords(clusters.b(), "A." + topic, 400);
      // a consumer group on the source, for checkpoints
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(groupConfig(clusters.a(), "ops-group"))) {
        c.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(100)));
      }
      String flow = "source=\"A\"";
      String t0 = "topic=\"A." + topic + "\"";
      Await.until("record_count 400 in the metrics", TIMEOUT, () -> sum(scrape(m),
          "kafka_connect_mirror_source_connector_record_count", flow, t0) == 400);
      String text = Await.value("lag 0, heartbeat age and checkpoint latency in the metrics", TIMEOUT, () -> {
        String s = scrape(m);
        boolean lagKnown = values(s, "vmm_replication_lag_records", t0).size() == 2
            && sum(s, "vmm_replication_lag_records", t0) == 0;
        boolean checkpointed = !values(s, "kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms",
            "group=\"ops-group\"").isEmpty();
        // the age is known once a heartbeat written to A's heartbeats arrived on B as A.heartbeats
        boolean heartbeatArrived = values(s, "vmm_heartbeat_age_ms", flow).values().stream()
            .anyMatch(v -> !v.isNaN());
        return lagKnown && checkpointed && heartbeatArrived ? s : null;
      });
      assertEquals(2, values(text, "kafka_connect_mirror_source_connector_record_count", t0).size(),
          "one series per partition");
      double bytes = sum(text, "kafka_connect_mirror_source_connector_byte_count", t0);
      assertTrue(bytes >= 400 * "value-0".length(), "value bytes " + bytes);
      double rate = sum(text, "kafka_connect_mirror_source_connector_record_rate", t0);
      assertTrue(rate > 0 && rate <= 400, "record-rate " + rate);
      for (String stat : new String[]{"replication_latency_ms", "record_age_ms"}) {
        for (String suffix : new String[]{"", "_min", "_max", "_avg"}) {
          Map<String, Double> v = values(text, "kafka_connect_mirror_source_connector_" + stat + suffix, t0);
          assertEquals(2, v.size(), stat + suffix);
          v.values().forEach(x -> assertTrue(x >= 0 && x < 120_000, stat + suffix + " = " + x));
        }
      }
      double age = values(text, "vmm_heartbeat_age_ms", flow).values().iterator().next();
      assertTrue(age >= 0 && age < 5_000, "heartbeat age " + age);
      values(text, "kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms_max", "group=\"ops-group\"")
          .values().forEach(x -> assertTrue(x >= 0 && x < 30_000, "checkpoint latency " + x));
      assertEquals(0, sum(text, "vmm_failed_partitions", flow));
      // a heartbeat (written to A every second, mirrored by the flow) may be in flight for a few ms at any scrape
      Await.until("no records in flight", TIMEOUT, () -> sum(scrape(m), "vmm_inflight_records", flow) == 0);
      assertEquals(1, sum(text, "vmm_connector_running", flow, "connector=\"MirrorSourceConnector\""));
      assertTrue(text.contains("jvm_memory_used_bytes{"), "JVM metrics");
      assertTrue(text.contains("vertx_"), "Vert.x metrics");

      // pause: records pile up at the source and the lag shows them, in records and in ms
      assertEquals(202, http("PUT", api(m, "/connectors/A-%3EB.MirrorSourceConnector/pause"), null).statusCode());
      produce(clusters.a(), topic, 2, 100, 400);
      Await.until("lag of 100 records", TIMEOUT, () -> sum(scrape(m), "vmm_replication_lag_records", t0) == 100);
      Await.until("lag in ms above 0", TIMEOUT, () -> values(scrape(m), "vmm_replication_lag_ms", t0).values()
          .stream().allMatch(v -> v > 0));
      assertEquals(400, count(clusters.b(), "A." + topic), "nothing mirrored while paused");
      JsonObject status = m.flow();
      // the flow's lag also counts the heartbeats that piled up in A's heartbeats while paused (about 1/s)
      long lag = status.getLong("lagRecords");
      assertTrue(lag >= 100 && lag <= 100 + 120, "lag " + lag);
      assertTrue(status.getLong("heartbeatAgeMs") >= 1_000, "a stalled path ages the heartbeat: " + status);
      assertEquals("PAUSED", status.getJsonObject("connectors").getJsonObject("source").getString("state"));
      assertEquals(202, http("PUT", api(m, "/connectors/A-%3EB.MirrorSourceConnector/resume"), null).statusCode());
      MirrorTestSupport.awaitRecords(clusters.b(), "A." + topic, 500);
      Await.until("lag back to 0", TIMEOUT, () -> sum(scrape(m), "vmm_replication_lag_records", t0) == 0);
    }
  }

  private static Map<String, Object> groupConfig(EmbeddedKafkaCluster cluster, String group) {
    Map<String, Object> c = new HashMap<>(cluster.newConsumerConfig());
    c.put("group.id", group);
    return c;
  }

  // ------------------------------------------------------------------------------------------ REST control

  @Test
  void restPausesResumesStopsAndRestartsConnectorsAndTasks() {
    String topic = "ops-rest";
    clusters.a().createTopic(topic, 2);
    JsonObject config = config(clusters, fastMirror(topic));
    config.getJsonObject("http").put("token", "s3cret");
    String source = "/connectors/A-%3EB.MirrorSourceConnector";
    try (RunningMirror m = startMirror(config)) {
      // Kafka Connect's read endpoints
      HttpResponse<String> list = http("GET", api(m, "/connectors"), null);
      assertEquals(200, list.statusCode());
      assertEquals(new JsonArray().add("A->B.MirrorSourceConnector").add("A->B.MirrorCheckpointConnector")
          .add("A->B.MirrorHeartbeatConnector"), new JsonArray(list.body()));
      JsonObject status = new JsonObject(http("GET", api(m, source + "/status"), null).body());
      assertEquals("RUNNING", status.getJsonObject("connector").getString("state"));
      assertEquals(2, status.getJsonArray("tasks").size());

      // mutations need the token
      HttpResponse<String> denied = http("PUT", api(m, source + "/pause"), null);
      assertEquals(401, denied.statusCode());
      assertTrue(new JsonObject(denied.body()).getString("message").contains("Bearer"), denied.body());
      assertEquals(401, http("PUT", api(m, source + "/pause"), "wrong").statusCode());
      HttpResponse<String> unknown = http("PUT", api(m, "/connectors/X-%3EY.MirrorSourceConnector/pause"), "s3cret");
      assertEquals(404, unknown.statusCode());
      assertEquals(404, new JsonObject(unknown.body()).getInteger("error_code"));

      // pause: nothing mirrored; resume: all of it
      HttpResponse<String> paused = http("PUT", api(m, source + "/pause"), "s3cret");
      assertEquals(202, paused.statusCode(), paused.body());
      assertEquals("PAUSED", new JsonObject(paused.body()).getJsonObject("connector").getString("state"));
      assertEquals("PAUSED", new JsonObject(http("GET", api(m, source + "/tasks/0/status"), null).body())
          .getString("state"));
      produce(clusters.a(), topic, 2, 200, 0);
      Await.until("remote topic created", TIMEOUT, () -> MirrorTestSupport.topicExists(clusters.b(), "A." + topic));
      sleepQuietly(1_500);
      assertEquals(0, count(clusters.b(), "A." + topic), "paused: nothing mirrored");
      assertEquals(202, http("PUT", api(m, source + "/resume"), "s3cret").statusCode());
      MirrorTestSupport.awaitRecords(clusters.b(), "A." + topic, 200);

      // restart one task: it comes back RUNNING on the same partitions and mirroring goes on
      HttpResponse<String> restarted = http("POST", api(m, source + "/tasks/1/restart"), "s3cret");
      assertEquals(204, restarted.statusCode(), restarted.body());
      assertEquals("RUNNING", new JsonObject(http("GET", api(m, source + "/tasks/1/status"), null).body())
          .getString("state"));
      assertEquals(404, http("POST", api(m, source + "/tasks/7/restart"), "s3cret").statusCode());
      produce(clusters.a(), topic, 2, 100, 200);
      MirrorTestSupport.awaitRecords(clusters.b(), "A." + topic, 300);

      // stop: no tasks, progress stored; resume: starts again from it, nothing lost, nothing twice
      assertEquals(204, http("PUT", api(m, source + "/stop"), "s3cret").statusCode());
      JsonObject stopped = m.flow().getJsonObject("connectors").getJsonObject("source");
      assertEquals("STOPPED", stopped.getString("state"));
      assertEquals(0, stopped.getJsonArray("tasks").size());
      produce(clusters.a(), topic, 2, 100, 300);
      assertEquals(202, http("PUT", api(m, source + "/resume"), "s3cret").statusCode());
      Await.until("source connector running again", TIMEOUT,
          () -> "RUNNING".equals(m.flow().getJsonObject("connectors").getJsonObject("source").getString("state")));
      MirrorTestSupport.awaitRecords(clusters.b(), "A." + topic, 400);

      // restart the connector with Strimzi's auto-restart parameters: nothing failed, so nothing restarts
      HttpResponse<String> onlyFailed = http("POST", api(m, source + "/restart?includeTasks=true&onlyFailed=true"),
          "s3cret");
      assertEquals(202, onlyFailed.statusCode(), onlyFailed.body());
      assertEquals(204, http("POST", api(m, source + "/restart"), "s3cret").statusCode());
      assertEquals(2, tasks(m.flow()).size());
      produce(clusters.a(), topic, 2, 100, 400);
      MirrorTestSupport.awaitRecords(clusters.b(), "A." + topic, 500);
      sleepQuietly(1_000);
      assertEquals(500, count(clusters.b(), "A." + topic), "no record mirrored twice across stop and restarts");

      // heartbeats: pause stops them, resume starts them again
      String heartbeat = "/connectors/A-%3EB.MirrorHeartbeatConnector";
      assertEquals(202, http("PUT", api(m, heartbeat + "/pause"), "s3cret").statusCode());
      assertEquals("PAUSED", m.flow().getJsonObject("connectors").getJsonObject("heartbeat").getString("state"));
      // the heartbeat connector writes to the source A's heartbeats, mirrored to B as A.heartbeats
      long beats = count(clusters.a(), "heartbeats");
      sleepQuietly(2_000);
      assertTrue(count(clusters.a(), "heartbeats") <= beats + 1, "no heartbeats while paused");
      assertEquals(202, http("PUT", api(m, heartbeat + "/resume"), "s3cret").statusCode());
      Await.until("heartbeats again", TIMEOUT, () -> count(clusters.a(), "heartbeats") > beats + 1);
      long mirrored = count(clusters.b(), "A.heartbeats");
      Await.until("and mirrored to B", TIMEOUT, () -> count(clusters.b(), "A.heartbeats") > mirrored);
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------------------------------ status page

  @Test
  void statusPageShowsLiveFlowsInHeadlessChromium() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.vmm.testkit.Chromium.available(),
        "headless Chromium not installed (Debian: apt-get install chromium); the status page is not checked");
    String topic = "ops-page";
    clusters.a().createTopic(topic, 1);
    produce(clusters.a(), topic, 1, 100, 0);
    try (RunningMirror m = startMirror(config(clusters, fastMirror(topic)))) {
      MirrorTestSupport.awaitRecords(clusters.b(), "A." + topic, 100);
      String dom = io.vmm.testkit.Chromium.dumpDom(api(m, "/"), 5_000);
      assertTrue(dom.contains("data-loaded=\"true\""), "page rendered data from /api/flows");
      assertTrue(dom.contains("data-flow=\"A-&gt;B\"") || dom.contains("data-flow=\"A->B\""), "flow row");
      assertTrue(dom.contains("RUNNING"), "connector state shown");
      assertTrue(dom.contains("<div id=\"error\" hidden=\"\"></div>") || dom.contains("<div id=\"error\" hidden></div>"), "no error banner");
      java.nio.file.Path png = io.vmm.testkit.Chromium.screenshot(api(m, "/"),
          java.nio.file.Path.of("target", "status-page-live.png"), 1200, 700, 5_000);
      java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
      assertEquals(1200, image.getWidth());
      java.util.Set<Integer> colours = new java.util.HashSet<>();
      for (int x = 0; x < image.getWidth(); x += 7) {
        for (int y = 0; y < image.getHeight(); y += 7) {
          colours.add(image.getRGB(x, y));
        }
      }
      assertTrue(colours.size() > 10, "screenshot is not blank: " + colours.size() + " colours");
    }
  }

  // ------------------------------------------------------------------------------------------ readiness

  @Test
  void readinessFlipsWhenATargetClusterGoesAwayAndComesBack() throws Exception {
    int port;
    int controllerPort;
    try (ServerSocket s1 = new ServerSocket(0); ServerSocket s2 = new ServerSocket(0)) {
      port = s1.getLocalPort();
      controllerPort = s2.getLocalPort();
    }
    EmbeddedKafkaCluster c = EmbeddedKafkaCluster.start("C", port, controllerPort, Map.of());
    try {
      JsonObject config = config(clusters, mirror("A", "C", "ops-ready", 1));
      config.getJsonArray("clusters").add(new JsonObject().put("alias", "C").put("bootstrapServers", c.bootstrapServers()));
      try (RunningMirror m = startMirror(config)) {
        Await.until("ready", TIMEOUT, () -> http("GET", api(m, "/health/ready"), null).statusCode() == 200);
        assertEquals(200, http("GET", api(m, "/health/live"), null).statusCode());

        c.close();
        HttpResponse<String> down = Await.value("not ready once C is gone", TIMEOUT, () -> {
          HttpResponse<String> r = http("GET", api(m, "/health/ready"), null);
          return r.statusCode() == 503 ? r : null;
        });
        assertTrue(down.body().contains("cluster C"), down.body());
        assertEquals("DOWN", new JsonObject(down.body()).getString("status"));
        assertEquals(200, http("GET", api(m, "/health/live"), null).statusCode(), "still alive");

        c = EmbeddedKafkaCluster.start("C", port, controllerPort, Map.of());
        Await.until("ready again once C is back", TIMEOUT,
            () -> http("GET", api(m, "/health/ready"), null).statusCode() == 200);
      }
    } finally {
      c.close();
    }
  }
}
