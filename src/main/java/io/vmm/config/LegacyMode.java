package io.vmm.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * Reads a mirror's legacy MirrorMaker (MM1) mode: its {@code legacy} block (written by {@link Mm1Spec} and
 * {@link Mm1CommandLine}, or by hand) and MM2's {@code replication.policy.class =
 * org.apache.kafka.mirror.LegacyReplicationPolicy} (seed 004), which Kafka never shipped as a class: here it means
 * {@code IdentityReplicationPolicy} plus legacy mode, with offset syncs and topic-config and ACL sync off unless
 * the source connector's config sets them; its {@code consumer.group.id}, if any, is the MM1 group. Pure; called by {@link ConfigParser} on the parsing thread.
 */
final class LegacyMode {

  /** The class name seed 004 gives for MM1-compatible replication. */
  static final String LEGACY_POLICY = "org.apache.kafka.mirror.LegacyReplicationPolicy";
  static final Set<String> FIELDS = Set.of("groupId", "offsetCommitIntervalMs", "abortOnSendFailure");

  private LegacyMode() {
  }

  /** {@code m} itself, or a copy whose source connector uses the identity policy in place of the legacy name. */
  static JsonNode rewrite(JsonNode m) {
    if (!isLegacyPolicy(m.json())) {
      return m;
    }
    JsonObject copy = m.json().copy();
    JsonObject config = copy.getJsonObject("sourceConnector").getJsonObject("config");
    config.put(ConnectorKeys.REPLICATION_POLICY_CLASS, ConnectorKeys.IDENTITY_REPLICATION_POLICY);
    for (String off : new String[] {ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED, ConnectorKeys.SYNC_TOPIC_CONFIGS_ENABLED,
        ConnectorKeys.SYNC_TOPIC_ACLS_ENABLED}) {
      if (!config.containsKey(off)) {
        config.put(off, false);
      }
    }
    if (!copy.containsKey("legacy")) {
      JsonObject legacy = new JsonObject();
      Object group = config.remove("consumer.group.id"); // the MM1 group: committed, never joined
      if (group != null) {
        legacy.put("groupId", group.toString());
      }
      copy.put("legacy", legacy);
    }
    return new JsonNode(copy, m.path(), m.problems());
  }

  private static boolean isLegacyPolicy(JsonObject mirror) {
    return mirror.getValue("sourceConnector") instanceof JsonObject sc && sc.getValue("config") instanceof JsonObject c
        && LEGACY_POLICY.equals(c.getValue(ConnectorKeys.REPLICATION_POLICY_CLASS));
  }

  /**
   * The mirror's {@code legacy} block, or null when absent. {@code offsetCommitIntervalMs} defaults to the source
   * connector's {@code offset.flush.interval.ms} when set there, else MM1's 60000; {@code abortOnSendFailure} to
   * true (MM1's default).
   */
  static LegacySpec parse(JsonNode m, Problems problems) {
    JsonNode node = m.object("legacy");
    if (node == null) {
      return null;
    }
    node.checkFields(FIELDS, Set.of());
    String group = node.string("groupId", false);
    Object flush = m.json().getValue("sourceConnector") instanceof JsonObject sc
        && sc.getValue("config") instanceof JsonObject c ? c.getValue(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS) : null;
    long defaultMs = LegacySpec.DEFAULT_COMMIT_INTERVAL_MS;
    if (flush != null) {
      try {
        defaultMs = Long.parseLong(flush.toString().trim());
      } catch (NumberFormatException e) {
        // reported by the connector's own validation
      }
    }
    Integer ms = node.integer("offsetCommitIntervalMs", (int) Math.min(defaultMs, Integer.MAX_VALUE), 100,
        Integer.MAX_VALUE);
    boolean abort = node.bool("abortOnSendFailure", true);
    return new LegacySpec(group, ms == null ? defaultMs : ms, abort);
  }
}
