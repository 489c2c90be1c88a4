package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.topicExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Topic configs copied at creation and kept in sync, without clobbering what an operator set on the target. */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class TopicConfigSyncIT {

  private final TwoClusters clusters;

  TopicConfigSyncIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static ConfigEntry entry(io.vmm.testkit.EmbeddedKafkaCluster c, String topic, String key) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = c.admin().describeConfigs(List.of(r)).all().get(10, TimeUnit.SECONDS).get(r);
    return config.get(key);
  }

  private static void set(io.vmm.testkit.EmbeddedKafkaCluster c, String topic, String key, String value)
      throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    c.admin().incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry(key, value),
        AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
  }

  @Test
  void configsAreCopiedSyncedAndTargetOwnedSettingsStay() throws Exception {
    clusters.a().createTopic("cfg-a", 1, Map.of("retention.ms", "123456789", "min.insync.replicas", "1"));
    JsonObject mirror = mirror("A", "B", "cfg-a", 1);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("sync.topic.configs.interval.seconds", 1);
    try (RunningMirror m = startMirror(config(clusters, mirror))) {
      Await.until("remote topic", MirrorTestSupport.TIMEOUT, () -> topicExists(clusters.b(), "A.cfg-a"));
      assertEquals("123456789", entry(clusters.b(), "A.cfg-a", "retention.ms").value(), "copied at creation");
      assertNotEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
          entry(clusters.b(), "A.cfg-a", "min.insync.replicas").source(), "excluded by config.properties.exclude");

      // a change on the source propagates within an interval (and proves the first, full sync is done)
      set(clusters.a(), "cfg-a", "retention.ms", "987654321");
      Await.until("retention.ms synced", Duration.ofSeconds(20),
          () -> "987654321".equals(value(clusters.b(), "A.cfg-a", "retention.ms")));
      // an operator's setting on the target, then more source changes
      set(clusters.b(), "A.cfg-a", "max.message.bytes", "2000000");
      set(clusters.a(), "cfg-a", "segment.ms", "3600000");
      Await.until("segment.ms synced", Duration.ofSeconds(20),
          () -> "3600000".equals(value(clusters.b(), "A.cfg-a", "segment.ms")));
      assertEquals("2000000", value(clusters.b(), "A.cfg-a", "max.message.bytes"),
          "target-owned setting not clobbered by later syncs");
      // the same key changing on the source wins
      set(clusters.a(), "cfg-a", "max.message.bytes", "1500000");
      Await.until("max.message.bytes synced from the source", Duration.ofSeconds(20),
          () -> "1500000".equals(value(clusters.b(), "A.cfg-a", "max.message.bytes")));
      assertNotEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
          entry(clusters.b(), "A.cfg-a", "min.insync.replicas").source(), "excluded key never written");
    }
  }

  private static String value(io.vmm.testkit.EmbeddedKafkaCluster c, String topic, String key) {
    try {
      return entry(c, topic, key).value();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
