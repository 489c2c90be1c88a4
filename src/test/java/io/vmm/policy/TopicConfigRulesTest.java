package io.vmm.policy;

import io.vmm.config.ConnectorKeys;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MM2's config-sync filter and operations, plus the rule that target-owned settings are not clobbered. */
class TopicConfigRulesTest {

  static ConfigEntry entry(String name, String value, ConfigSource source) {
    return new ConfigEntry(name, value, source, false, false, List.of(), ConfigEntry.ConfigType.STRING, null);
  }

  static Config config(ConfigEntry... entries) {
    return new Config(List.of(entries));
  }

  static Map<String, String> ops(List<AlterConfigOp> ops) {
    Map<String, String> out = new TreeMap<>();
    ops.forEach(op -> out.put(op.configEntry().name(), op.opType() + (op.configEntry().value() == null ? ""
        : "=" + op.configEntry().value())));
    return out;
  }

  @Test
  void filterAndCreationFollowMm2() {
    TopicConfigRules rules = new TopicConfigRules(ConnectorKeys.CONFIG_PROPERTIES_EXCLUDE_DEFAULT, false);
    Config source = config(
        entry("retention.ms", "1000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
        entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG),
        entry("min.insync.replicas", "2", ConfigSource.DYNAMIC_TOPIC_CONFIG),
        entry("segment.bytes", "1048576", ConfigSource.STATIC_BROKER_CONFIG),
        entry("max.message.bytes", "2000000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
        new ConfigEntry("secret", "x", ConfigSource.DYNAMIC_TOPIC_CONFIG, true, false, List.of(),
            ConfigEntry.ConfigType.PASSWORD, null));
    assertEquals(Map.of("retention.ms", "1000", "max.message.bytes", "2000000"), rules.creationConfigs(source));
  }

  @Test
  void firstSyncWritesAllThenOnlySourceChanges() {
    TopicConfigRules rules = new TopicConfigRules(ConnectorKeys.CONFIG_PROPERTIES_EXCLUDE_DEFAULT, false);
    Config v1 = config(entry("retention.ms", "1000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
        entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG),
        entry("max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG));
    assertEquals(Map.of("retention.ms", "SET=1000", "cleanup.policy", "DELETE", "max.message.bytes", "DELETE"),
        ops(rules.plan("A.t", v1)));
    assertTrue(rules.plan("A.t", v1).isEmpty(), "nothing changed on the source: nothing written, so a setting "
        + "an operator made on the target stays");
    Config v2 = config(entry("retention.ms", "2000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
        entry("cleanup.policy", "compact", ConfigSource.DYNAMIC_TOPIC_CONFIG),
        entry("max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG));
    assertEquals(Map.of("retention.ms", "SET=2000", "cleanup.policy", "SET=compact"), ops(rules.plan("A.t", v2)));
    Config v3 = config(entry("retention.ms", "2000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
        entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG),
        entry("max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG));
    assertEquals(Map.of("cleanup.policy", "DELETE"), ops(rules.plan("A.t", v3)), "back to default: delete");
    rules.forget("A.t");
    assertEquals(3, rules.plan("A.t", v3).size(), "after a failed alter everything is written again");
  }

  @Test
  void defaultsFromSourceAreSet() {
    TopicConfigRules rules = new TopicConfigRules(ConnectorKeys.CONFIG_PROPERTIES_EXCLUDE_DEFAULT, true);
    Config source = config(entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG));
    assertEquals(Map.of("cleanup.policy", "SET=delete"), ops(rules.plan("A.t", source)));
    assertEquals(Map.of("cleanup.policy", "delete"), rules.creationConfigs(source));
  }
}
