package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.storedProgress;
import static io.vmm.MirrorTestSupport.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strimzi's {@code autoRestart} on the source connector, against real clusters. The cause of the failure is one
 * the test can fix at run time: the remote topic is created beforehand on B with {@code max.message.bytes}
 * below a record's size, so B refuses that record (RecordTooLargeException) and its partition, hence its task,
 * is FAILED; topic-config sync is off so the mirror does not change the limit itself. The backoff unit is 1 s
 * ({@code vmm.autoRestart.unitMs}): restarts at once, after 2 s, after 6 s, ...; a restarted task fails again
 * well within the 2 s that would count as a successful run. (B accepts the records after the refused one in
 * another batch, so each attempt writes them again: at-least-once; the stored progress stays before the refused
 * record, and checks are on it.)
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class AutoRestartIT {

  private static final String UNIT_PROPERTY = "vmm.autoRestart.unitMs";
  private static final int BIG = 200_000;
  private static String previousUnit;

  private final TwoClusters clusters;

  AutoRestartIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  @BeforeAll
  static void smallBackoffUnit() {
    previousUnit = System.getProperty(UNIT_PROPERTY);
    System.setProperty(UNIT_PROPERTY, "1000");
  }

  @AfterAll
  static void restoreBackoffUnit() {
    if (previousUnit == null) {
      System.clearProperty(UNIT_PROPERTY);
    } else {
      System.setProperty(UNIT_PROPERTY, previousUnit);
    }
  }

  /**
   * Topic {@code topic} on A with 5 records of 1 000 bytes, one of {@link #BIG} bytes, 5 of 1 000; its remote topic
   * on B accepts at most 100 000 bytes per record. (Not smaller: when the producer splits a refused batch, a few
   * tiny records fit beside the big one in the split batch, and Kafka's producer then splits it again forever.)
   */
  private void refusedRecordSetUp(String topic) throws Exception {
    clusters.a().createTopic(topic, 1);
    clusters.b().createTopic("A." + topic, 1, Map.of("max.message.bytes", "100000"));
    try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer()) {
      for (int i = 0; i < 11; i++) {
        byte[] value = new byte[i == 5 ? BIG : 1_000];
        p.send(new ProducerRecord<>(topic, 0, ("k" + i).getBytes(StandardCharsets.UTF_8), value))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static JsonObject mirrorWithAutoRestart(String topic, JsonObject autoRestart) {
    JsonObject m = mirror("A", "B", topic, 1);
    m.getJsonObject("sourceConnector").put("autoRestart", autoRestart).getJsonObject("config")
        .put("sync.topic.configs.enabled", false);
    return m;
  }

  private static JsonObject source(RunningMirror m) {
    return m.flow().getJsonObject("connectors").getJsonObject("source");
  }

  private static JsonObject autoRestart(RunningMirror m) {
    return source(m).getJsonObject("autoRestart");
  }

  private static String taskState(RunningMirror m) {
    var tasks = tasks(m.flow());
    return tasks.isEmpty() ? null : tasks.getJsonObject(0).getString("state");
  }

  @Test
  void failedTaskIsRestartedOnceTheCauseIsFixedAndTheCountResets() throws Exception {
    refusedRecordSetUp("ar-fixed");
    try (RunningMirror m = startMirror(config(clusters, mirrorWithAutoRestart("ar-fixed", new JsonObject())))) {
      awaitRecords(clusters.b(), "A.ar-fixed", 5);
      JsonObject failedAgain = Await.value("the task FAILED again after an automatic restart",
          MirrorTestSupport.TIMEOUT, () -> {
            JsonObject a = autoRestart(m);
            return a.getInteger("count") >= 1 && a.getString("nextRestartTimestamp") != null ? a : null;
          });
      assertEquals("A->B.MirrorSourceConnector", failedAgain.getString("connectorName"));
      assertTrue(failedAgain.getString("lastRestartTimestamp").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
          failedAgain.toString());
      assertEquals(4L, storedProgress(clusters.b(), "A").get(new TopicPartition("ar-fixed", 0)),
          "progress stops before the refused record");

      // fix the cause: B now accepts the big record
      clusters.b().admin().incrementalAlterConfigs(Map.of(
              new ConfigResource(ConfigResource.Type.TOPIC, "A.ar-fixed"),
              List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "1000000"), AlterConfigOp.OpType.SET))))
          .all().get(30, TimeUnit.SECONDS);

      Await.until("progress past the refused record", MirrorTestSupport.TIMEOUT,
          () -> Long.valueOf(10).equals(storedProgress(clusters.b(), "A").get(new TopicPartition("ar-fixed", 0))));
      List<ConsumerRecord<byte[], byte[]>> mirrored = clusters.b().readAllNow("A.ar-fixed");
      List<String> lastKeys = mirrored.subList(mirrored.size() - 6, mirrored.size()).stream()
          .map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
      assertEquals(List.of("k5", "k6", "k7", "k8", "k9", "k10"), lastKeys, "the restarted task went on from k5");
      assertEquals(BIG, mirrored.get(mirrored.size() - 6).value().length);
      Await.until("the task RUNNING with no FAILED partition", MirrorTestSupport.TIMEOUT,
          () -> "RUNNING".equals(taskState(m)) && m.flow().getJsonArray("failures").isEmpty());
      assertEquals("RUNNING", source(m).getString("state"));
      Await.until("the count reset after a successful run", MirrorTestSupport.TIMEOUT,
          () -> autoRestart(m).getInteger("count") == 0);
      JsonObject reset = autoRestart(m);
      assertNull(reset.getString("lastRestartTimestamp"), reset.toString());
      assertFalse(reset.containsKey("nextRestartTimestamp"), reset.toString());
    }
  }

  @Test
  void restartsStopAfterMaxRestarts() throws Exception {
    refusedRecordSetUp("ar-max");
    try (RunningMirror m = startMirror(config(clusters,
        mirrorWithAutoRestart("ar-max", new JsonObject().put("enabled", true).put("maxRestarts", 2))))) {
      awaitRecords(clusters.b(), "A.ar-max", 5);
      Await.until("2 restarts, then FAILED with none due", MirrorTestSupport.TIMEOUT, () -> {
        JsonObject a = autoRestart(m);
        return a.getInteger("count") == 2 && !a.containsKey("nextRestartTimestamp") && "FAILED".equals(taskState(m));
      });
      Thread.sleep(9_000); // longer than the 6 s a third restart would wait
      JsonObject a = autoRestart(m);
      assertEquals(2, a.getInteger("count"), a.toString());
      assertFalse(a.containsKey("nextRestartTimestamp"), a.toString());
      assertEquals("FAILED", taskState(m));
      assertEquals(1, m.flow().getJsonArray("failures").size());
      assertEquals(4L, storedProgress(clusters.b(), "A").get(new TopicPartition("ar-max", 0)));
    }
  }
}
