package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.vmm.MirrorTestSupport.TIMEOUT;
import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.storedProgress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live reconfiguration on real brokers: edits of the config file add a flow and remove another without a
 * restart, leave unaffected flows running untouched, restart a flow whose topics pattern changed (the new pattern
 * takes effect), apply connector-state changes without restarting the flow, and an invalid edit is rejected with
 * its errors while the running config stays.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class ReloadIT {

  private final TwoClusters clusters;

  ReloadIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static void produce(io.vmm.testkit.EmbeddedKafkaCluster cluster, String topic, int n) {
    try (KafkaProducer<byte[], byte[]> p = cluster.newProducer()) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, 0, null, ("k" + i).getBytes(), ("v" + i).getBytes()));
      }
      p.flush();
    }
  }

  private static void write(Path file, JsonObject config) throws Exception {
    Path tmp = file.resolveSibling("config.json.tmp");
    Files.writeString(tmp, config.encodePrettily());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static JsonObject flow(RunningMirror m, String name) {
    for (Object f : m.status().getJsonArray("flows")) {
      if (((JsonObject) f).getString("flow").equals(name)) {
        return (JsonObject) f;
      }
    }
    return null;
  }

  /** Records of source topic {@code topic} that flow {@code name} counted (heartbeats are mirrored too). */
  private static long records(RunningMirror m, String name, String topic) {
    long n = 0;
    JsonObject f = flow(m, name);
    for (Object t : MirrorTestSupport.tasks(f)) {
      for (Object p : ((JsonObject) t).getJsonArray("partitions")) {
        if (topic.equals(((JsonObject) p).getString("topic"))) {
          n += ((JsonObject) p).getLong("recordCount", 0L);
        }
      }
    }
    return n;
  }

  private static String sourceState(RunningMirror m, String name) {
    JsonObject f = flow(m, name);
    return f == null ? null : f.getJsonObject("connectors").getJsonObject("source").getString("state");
  }

  @Test
  void configEditsAddAndRemoveFlowsLiveAndInvalidEditsAreRejected(@TempDir Path dir) throws Exception {
    clusters.a().createTopic("reload-a", 1);
    clusters.b().createTopic("reload-b", 1);
    produce(clusters.a(), "reload-a", 50);
    produce(clusters.b(), "reload-b", 30);
    JsonObject aToB = mirror("A", "B", "reload-a", 1);
    JsonObject bToA = mirror("B", "A", "reload-b", 1);
    JsonObject config = config(clusters, aToB).put("reload", new JsonObject().put("scanPeriodMs", 200));
    Path file = dir.resolve("config.json");
    write(file, config);
    try (RunningMirror m = startMirror(config)) {
      m.supervisor.watch(file.toString(), java.util.Set.of());
      awaitRecords(clusters.b(), "A.reload-a", 50);
      Await.until("A->B counted 50 records", TIMEOUT, () -> records(m, "A->B", "reload-a") == 50);

      // 1. add B->A; A->B is not touched (its counters would restart from 0 if it were restarted)
      config.put("mirrors", new JsonArray().add(aToB).add(bToA));
      write(file, config);
      Await.until("B->A running", TIMEOUT, () -> "RUNNING".equals(sourceState(m, "B->A")));
      awaitRecords(clusters.a(), "B.reload-b", 30);
      assertEquals(50, records(m, "A->B", "reload-a"), "A->B untouched by adding B->A");
      assertEquals("applied", m.status().getJsonObject("reload").getString("result"));

      // 2. an invalid edit is rejected with its path, and the running flows stay
      JsonObject bad = config.copy();
      bad.getJsonArray("mirrors").getJsonObject(0).getJsonObject("sourceConnector").put("tasksMax", 0);
      bad.put("htpp", new JsonObject());
      write(file, bad);
      JsonObject rejected = Await.value("reload rejected", TIMEOUT, () -> {
        JsonObject r = m.status().getJsonObject("reload");
        return r != null && "rejected".equals(r.getString("result")) ? r : null;
      });
      String errors = rejected.getJsonArray("errors").encode();
      assertTrue(errors.contains("mirrors[0].sourceConnector.tasksMax"), errors);
      assertTrue(errors.contains("htpp") && errors.contains("http"), "unknown field with a did-you-mean: " + errors);
      assertEquals(2, m.status().getJsonArray("flows").size());
      assertEquals("RUNNING", sourceState(m, "A->B"));
      Files.writeString(file, "{ not json"); // not even JSON: rejected too
      Await.until("unparsable file rejected", TIMEOUT, () -> m.status().getJsonObject("reload").getJsonArray("errors",
          new JsonArray()).encode().contains("config.json"));
      assertEquals(2, m.status().getJsonArray("flows").size());

      // 3. remove A->B: it stops cleanly with its progress stored; B->A goes on untouched
      JsonObject onlyBToA = config.copy().put("mirrors", new JsonArray().add(bToA));
      write(file, onlyBToA);
      Await.until("A->B removed", TIMEOUT, () -> flow(m, "A->B") == null);
      assertEquals(49L, storedProgress(clusters.b(), "A").get(new TopicPartition("reload-a", 0)));
      assertEquals(30, records(m, "B->A", "reload-b"), "B->A untouched by removing A->B");
      produce(clusters.a(), "reload-a", 5);
      produce(clusters.b(), "reload-b", 5);
      awaitRecords(clusters.a(), "B.reload-b", 35);
      Thread.sleep(1_000);
      assertEquals(50, MirrorTestSupport.count(clusters.b(), "A.reload-a"), "A->B no longer mirrors");

      // 4. a changed topics pattern takes effect: B->A restarts with it and mirrors the new topic too,
      // continuing reload-b from its stored progress (nothing twice)
      clusters.b().createTopic("reload-c", 1);
      produce(clusters.b(), "reload-c", 4);
      bToA.put("topicsPattern", "reload-b|reload-c");
      write(file, onlyBToA);
      awaitRecords(clusters.a(), "B.reload-c", 4);
      produce(clusters.b(), "reload-b", 3);
      awaitRecords(clusters.a(), "B.reload-b", 38);
      Await.until("restarted B->A counted the 3 new reload-b records", TIMEOUT,
          () -> records(m, "B->A", "reload-b") == 3);
      assertEquals(38, MirrorTestSupport.count(clusters.a(), "B.reload-b"), "nothing mirrored twice");

      // 5. a state-only change pauses B->A's source connector without restarting the flow
      bToA.getJsonObject("sourceConnector").put("state", "paused");
      write(file, onlyBToA);
      Await.until("B->A paused", TIMEOUT, () -> "PAUSED".equals(sourceState(m, "B->A")));
      assertEquals(3, records(m, "B->A", "reload-b"), "B->A paused in place, not restarted");
      assertEquals(1, m.status().getJsonArray("flows").size());
      assertNull(flow(m, "A->B"));
      String metrics = OperationsIT.scrape(m);
      assertTrue(OperationsIT.sum(metrics, "vmm_config_reloads_total", "result=\"applied\"") >= 4, metrics);
      assertTrue(OperationsIT.sum(metrics, "vmm_config_reloads_total", "result=\"rejected\"") >= 2);
    }
  }
}
