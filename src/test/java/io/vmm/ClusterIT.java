package io.vmm;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.replica.HazelcastSetup;
import io.vmm.config.ClusterModeSpec;
import io.vmm.testkit.Await;
import io.vmm.testkit.Http;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster mode on loopback: three replica processes with one config (member names from {@code VMM_MEMBER_NAME})
 * mirror 240,000 records while one is killed with SIGKILL and restarted. The test JVM joins the same Hazelcast
 * cluster as a plain Vert.x app (no member name, so it gets no work) and uses the event-bus API: member status
 * requests, {@code vmm.heartbeats}, {@code vmm.checkpoints}, {@code vmm.status} and {@code vmm.offsets.translate}.
 */
@ExtendWith(TwoClustersExtension.class)
class ClusterIT {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterIT.class);
  private static final String FLOW = "A->B";
  private static final int TASKS = 12;
  private static final int RECORDS = 240_000;

  private final TwoClusters clusters;
  private final Map<String, Process> members = new TreeMap<>();
  private Vertx app;

  @TempDir
  Path dir;

  ClusterIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  @AfterEach
  void stopAll() throws Exception {
    members.values().forEach(Process::destroy);
    for (Process p : members.values()) {
      p.waitFor(15, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
    if (app != null) {
      app.close().await(10, TimeUnit.SECONDS);
    }
  }

  private Process launch(String member, Path conf) throws Exception {
    String classpath = System.getProperty("vmm.classes") + File.pathSeparator
        + Files.readString(Path.of(System.getProperty("vmm.test.classpath"))).trim();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, MirrorMain.class.getName(),
        "-conf", conf.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(member + ".log").toFile()));
    pb.environment().put("VMM_MEMBER_NAME", member);
    Process p = pb.start();
    members.put(member, p);
    return p;
  }

  /** Hazelcast TCP-IP members: the first port and the next ones auto-increment may pick. */
  private static List<String> members(int hzPort) {
    List<String> members = new ArrayList<>();
    for (int p = hzPort; p < hzPort + 6; p++) {
      members.add("127.0.0.1:" + p);
    }
    return members;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A member's own status over the event bus ({@code vmm.member.<name>}), or null when it does not answer. */
  private JsonObject statusOf(String member) {
    try {
      return app.eventBus().<JsonObject>request("vmm.member." + member, new JsonObject().put("op", "status"),
          new DeliveryOptions().setSendTimeout(3_000)).await(5, TimeUnit.SECONDS).body();
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Who runs what, from the members' own statuses: unit → member, for the source tasks and the checkpoint and
   * heartbeat connectors; null while a unit runs on no member or on two, or a member's view differs.
   */
  private Map<String, String> runningUnits(Set<String> alive) {
    Map<String, String> running = new TreeMap<>();
    JsonObject owners = null;
    for (String m : alive) {
      JsonObject status = statusOf(m);
      if (status == null || status.getJsonArray("flows").isEmpty()) {
        return null;
      }
      JsonObject flow = status.getJsonArray("flows").getJsonObject(0);
      if (owners != null && !owners.equals(flow.getJsonObject("owners"))) {
        return null; // views not settled
      }
      owners = flow.getJsonObject("owners");
      JsonObject connectors = flow.getJsonObject("connectors");
      for (String c : List.of("source", "checkpoint", "heartbeat")) {
        for (Object t : connectors.getJsonObject(c).getJsonArray("tasks")) {
          JsonObject task = (JsonObject) t;
          if (!"RUNNING".equals(task.getString("state"))) {
            return null;
          }
          String unit = c.equals("source") ? FLOW + ".MirrorSourceConnector/" + task.getInteger("id")
              : connectors.getJsonObject(c).getString("name");
          if (running.put(unit, m) != null) {
            return null; // on two members
          }
        }
      }
    }
    if (owners == null || running.size() != TASKS + 2) {
      return null;
    }
    for (Map.Entry<String, String> e : running.entrySet()) {
      if (!e.getValue().equals(owners.getString(e.getKey()))) {
        return null;
      }
    }
    return running;
  }

  private Map<String, String> awaitRunning(Set<String> alive, Duration timeout) {
    Map<String, String>[] result = new Map[1];
    Await.until("every unit running on exactly one of " + alive, timeout, () -> {
      result[0] = runningUnits(alive);
      return result[0] != null;
    });
    return result[0];
  }

  /** The ports a member logged at start: [http, metrics]. */
  private int[] ports(String member) throws Exception {
    java.util.regex.Pattern p = java.util.regex.Pattern.compile("status page on port (\\d+), metrics on port (\\d+)");
    int[] found = new int[2];
    Await.until(member + " logged its ports", Duration.ofSeconds(30), () -> {
      java.util.regex.Matcher m;
      try {
        m = p.matcher(Files.readString(dir.resolve(member + ".log")));
      } catch (java.io.IOException e) {
        return false;
      }
      if (!m.find()) {
        return false;
      }
      found[0] = Integer.parseInt(m.group(1));
      found[1] = Integer.parseInt(m.group(2));
      return true;
    });
    return found;
  }

  private static String get(int port, String path) throws Exception {
    java.net.http.HttpResponse<String> response = Http.get("http://127.0.0.1:" + port + path);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return response.body();
  }

  /**
   * Any member's REST API shows the whole cluster: every task once, with the member running it as
   * {@code worker_id}, and each connector's worker; its metrics carry {@code member="<name>"}.
   */
  private void checkRestAndMetrics(String member, Map<String, String> units) throws Exception {
    int[] ports = ports(member);
    JsonObject status = new JsonObject(get(ports[0], "/connectors/A-%3EB.MirrorSourceConnector/status"));
    Map<String, String> tasks = new TreeMap<>();
    for (Object t : status.getJsonArray("tasks")) {
      JsonObject task = (JsonObject) t;
      assertEquals("RUNNING", task.getString("state"), status.encode());
      tasks.put(FLOW + ".MirrorSourceConnector/" + task.getInteger("id"), task.getString("worker_id"));
    }
    Map<String, String> expected = new TreeMap<>(units);
    expected.keySet().removeIf(u -> !u.contains("/"));
    assertEquals(expected, tasks, "REST task workers: " + status.encode());
    JsonObject heartbeat = new JsonObject(get(ports[0], "/connectors/A-%3EB.MirrorHeartbeatConnector/status"));
    assertEquals(units.get(FLOW + ".MirrorHeartbeatConnector"), heartbeat.getJsonObject("connector")
        .getString("worker_id"), heartbeat.encode());
    assertEquals("RUNNING", heartbeat.getJsonObject("connector").getString("state"), heartbeat.encode());
    JsonObject flows = new JsonObject(get(ports[0], "/api/flows"));
    assertEquals(List.of("m1", "m2", "m3"), flows.getJsonArray("members").getList(), flows.encode());
    assertEquals(member, flows.getString("member"));
    JsonObject flow = flows.getJsonArray("flows").getJsonObject(0);
    assertEquals(TASKS, flow.getJsonObject("connectors").getJsonObject("source").getJsonArray("tasks").size());
    String metrics = get(ports[1], "/metrics");
    assertTrue(metrics.contains("member=\"" + member + "\""), "metrics carry the member tag");

    // control through one member applies to the whole cluster; a task operation reaches the task's member
    String source = "/connectors/A-%3EB.MirrorSourceConnector";
    assertEquals(202, send(ports[0], "PUT", source + "/pause"));
    awaitTaskStates(ports[0], "PAUSED");
    assertEquals(202, send(ports[0], "PUT", source + "/resume"));
    awaitTaskStates(ports[0], "RUNNING");
    String elsewhere = null;
    for (Map.Entry<String, String> e : expected.entrySet()) {
      if (!e.getValue().equals(member)) {
        elsewhere = e.getKey().substring(e.getKey().indexOf('/') + 1);
        break;
      }
    }
    assertEquals(204, send(ports[0], "POST", source + "/tasks/" + elsewhere + "/restart"));
    awaitTaskStates(ports[0], "RUNNING");
    assertEquals(404, send(ports[0], "POST", source + "/tasks/99/restart"));
  }

  private static int send(int port, String method, String path) throws Exception {
    return Http.send(method, "http://127.0.0.1:" + port + path, null).statusCode();
  }

  /** Waits until the merged status shows all source tasks in {@code state}. */
  private static void awaitTaskStates(int port, String state) {
    Await.until("all " + TASKS + " source tasks " + state, Duration.ofSeconds(30), () -> {
      try {
        JsonObject status = new JsonObject(get(port, "/connectors/A-%3EB.MirrorSourceConnector/status"));
        JsonArray tasks = status.getJsonArray("tasks");
        return tasks.size() == TASKS && tasks.stream().allMatch(t -> state.equals(((JsonObject) t).getString("state")));
      } catch (Exception | AssertionError e) {
        return false;
      }
    });
  }

  @Test
  void threeReplicasShareTheWorkFailOverWithinFifteenSecondsAndLoseNothing() throws Exception {
    clusters.a().createTopic("orders", TASKS);
    int hzPort = freePort();
    JsonObject mirror = mirror("A", "B", "orders", TASKS);
    mirror.getJsonObject("checkpointConnector").getJsonObject("config")
        .put("emit.checkpoints.interval.seconds", 1).put("sync.group.offsets.enabled", false);
    JsonObject config = config(clusters, mirror).put("cluster", new JsonObject().put("enabled", true)
        .put("name", "vmm-it-" + hzPort).put("host", "127.0.0.1").put("port", hzPort)
        .put("members", new JsonArray(members(hzPort))));
    Path conf = dir.resolve("cluster.json");
    Files.writeString(conf, config.encodePrettily());

    // a plain Vert.x app in the same cluster: no member name, so no work; it uses the event-bus API
    ClusterModeSpec spec = new ClusterModeSpec(true, "vmm-it-" + hzPort, "app", "127.0.0.1", hzPort, 0,
        members(hzPort), null, 5701, null, 5);
    app = Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")
            .setClusterPublicHost("127.0.0.1"))).withClusterManager(HazelcastSetup.clusterManager(spec))
        .buildClustered().await(60, TimeUnit.SECONDS);
    ConcurrentLinkedQueue<Long> heartbeats = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<JsonObject> checkpoints = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<JsonObject> statuses = new ConcurrentLinkedQueue<>();
    app.eventBus().<JsonObject>consumer("vmm.heartbeats", m -> heartbeats.add(System.currentTimeMillis()))
        .completion().await(10, TimeUnit.SECONDS);
    app.eventBus().<JsonObject>consumer("vmm.checkpoints", m -> checkpoints.add(m.body()))
        .completion().await(10, TimeUnit.SECONDS);
    app.eventBus().<JsonObject>consumer("vmm.status", m -> statuses.add(m.body()))
        .completion().await(10, TimeUnit.SECONDS);

    for (String m : List.of("m1", "m2", "m3")) {
      launch(m, conf);
    }
    Map<String, String> before = awaitRunning(Set.of("m1", "m2", "m3"), Duration.ofSeconds(120));
    LOG.info("units: {}", before);
    for (String m : List.of("m1", "m2", "m3")) {
      assertTrue(before.containsValue(m), m + " runs at least one unit: " + before);
    }
    checkRestAndMetrics("m2", before);

    // heartbeats: about one per second in total, not one per member
    heartbeats.clear();
    Thread.sleep(10_000);
    int beats = heartbeats.size();
    assertTrue(beats >= 7 && beats <= 13, "heartbeats in 10 s over the event bus: " + beats);

    // a stream of 240,000 records; one member is killed mid-stream
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Thread producer = new Thread(() -> {
      try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("enable.idempotence", false,
          "max.in.flight.requests.per.connection", 1, "linger.ms", 5))) {
        for (int i = 0; i < RECORDS && producing.get(); i++) {
          p.send(new ProducerRecord<>("orders", i % TASKS, ("k" + i).getBytes(StandardCharsets.UTF_8),
              ("v" + i).getBytes(StandardCharsets.UTF_8)), (md, e) -> (e == null ? acked : failed).incrementAndGet());
          if (i % 500 == 0) {
            Thread.sleep(50); // about 10,000 records/s
          }
        }
        p.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "orders-producer");
    producer.start();
    try {
      Await.until("50,000 records mirrored", Duration.ofSeconds(90), () -> count(clusters.b(), "A.orders") > 50_000);
      String victim = "m3";
      members.remove(victim).destroyForcibly(); // SIGKILL
      long killed = System.nanoTime();
      Map<String, String> failover = awaitRunning(Set.of("m1", "m2"), Duration.ofSeconds(30));
      long failoverMs = (System.nanoTime() - killed) / 1_000_000;
      LOG.info("failover in {} ms: {}", failoverMs, failover);
      assertTrue(failoverMs < 15_000, "units of the killed member running elsewhere after " + failoverMs + " ms");
      before.forEach((unit, owner) -> {
        if (!owner.equals(victim)) {
          assertEquals(owner, failover.get(unit), unit + " of a surviving member did not move");
        }
      });

      // the restarted member gets exactly its share back; nothing else moves
      launch(victim, conf);
      Map<String, String> after = awaitRunning(Set.of("m1", "m2", "m3"), Duration.ofSeconds(90));
      assertEquals(before, after, "after the restart every unit is where it was");
      // handing the checkpoint connector back is a clean stop: the member that ran it meanwhile wrote final
      // checkpoints before it released the unit (released = undeployed, final run included)
      String checkpointUnit = FLOW + ".MirrorCheckpointConnector";
      String interim = failover.get(checkpointUnit);
      if (!interim.equals(after.get(checkpointUnit))) {
        String log = Files.readString(dir.resolve(interim + ".log"));
        assertTrue(log.contains(FLOW + " final checkpoint"),
            interim + " wrote final checkpoints before it released " + checkpointUnit);
      } else {
        LOG.info("{} stayed on {}: no hand-over of it to check", checkpointUnit, interim);
      }
      assertTrue(producer.isAlive() || acked.get() == RECORDS, "the kill and restart happened mid-stream");
    } finally {
      producer.join(180_000);
      producing.set(false);
    }
    assertEquals(0, failed.get(), "test data sends failed");
    assertEquals(RECORDS, acked.get());

    // nothing missing: every produced key is in the target (at-least-once: some may be there twice)
    Set<String> missing = new java.util.HashSet<>();
    for (int i = 0; i < RECORDS; i++) {
      missing.add("k" + i);
    }
    Await.until("every produced record in the target", Duration.ofSeconds(120), () -> {
      if (count(clusters.b(), "A.orders") < RECORDS) {
        return false;
      }
      for (ConsumerRecord<byte[], byte[]> r : clusters.b().readAllNow("A.orders")) {
        missing.remove(new String(r.key(), StandardCharsets.UTF_8));
      }
      return missing.isEmpty();
    });

    // event-bus API: a group committed on the source is checkpointed, published and translatable
    clusters.a().admin().alterConsumerGroupOffsets("cg",
        Map.of(new TopicPartition("orders", 0), new OffsetAndMetadata(1000))).all().get(30, TimeUnit.SECONDS);
    Await.until("a checkpoint of group cg published on vmm.checkpoints", Duration.ofSeconds(60),
        () -> checkpoints.stream().anyMatch(c -> "cg".equals(c.getString("group"))));
    JsonObject translated = app.eventBus().<JsonObject>request("vmm.offsets.translate",
        new JsonObject().put("flow", FLOW).put("group", "cg")).await(30, TimeUnit.SECONDS).body();
    JsonArray partitions = translated.getJsonArray("partitions");
    assertEquals(1, partitions.size(), translated.encode());
    assertEquals("A.orders", partitions.getJsonObject(0).getString("topic"));
    assertTrue(partitions.getJsonObject(0).getLong("offset") >= 1000, translated.encode());
    Await.until("each member published its status on vmm.status", Duration.ofSeconds(15), () -> {
      Map<String, Boolean> seen = new HashMap<>();
      statuses.forEach(s -> seen.put(s.getString("member"), true));
      return seen.keySet().containsAll(List.of("m1", "m2", "m3"));
    });
    assertFalse(statuses.isEmpty());
    for (String m : members.keySet()) {
      String log = Files.readString(dir.resolve(m + ".log"));
      assertFalse(log.contains("has been blocked"), "blocked-thread warning in " + m + "'s log");
      assertNotNull(log);
    }
    List<String> logs = new ArrayList<>();
    members.keySet().forEach(logs::add);
    LOG.info("members at the end: {}", logs);
  }
}
