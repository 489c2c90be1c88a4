package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The connector part of {@link Mm2Properties}: which connector of a flow each MM2 key reaches, and one
 * {@code mirrors[]} entry built from the top-level defaults and the flow's {@code A->B.} keys. Pure; any thread.
 */
final class Mm2FlowKeys {

  private Mm2FlowKeys() {
  }

  /** The connector kinds whose {@link ConnectorKeys} definition declares {@code key}, in enum order. */
  static List<ConnectorKind> kindsDeclaring(String key) {
    List<ConnectorKind> kinds = new ArrayList<>();
    for (ConnectorKind kind : ConnectorKind.values()) {
      if (ConnectorKeys.of(kind).names().contains(key)) {
        kinds.add(kind);
      }
    }
    return kinds;
  }

  /** True for a key of Kafka's consumer, producer or admin client definitions. */
  static boolean isClientKey(String key) {
    return ConsumerConfig.configNames().contains(key) || ProducerConfig.configNames().contains(key)
        || AdminClientConfig.configNames().contains(key);
  }

  /** {@code tasks.max} as a positive int, or null with an error. */
  static Integer tasks(String key, String value, List<String> errors) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    errors.add(key + ": expected a positive integer, got \"" + value + "\"");
    return null;
  }

  /**
   * One {@code mirrors[]} entry with all three connectors.
   *
   * @param keys          the flow's keys without the {@code A->B.} prefix
   * @param defaults      the top-level connector keys per kind
   * @param tasksDefault  the top-level {@code tasks.max}, or null
   * @param targetFlushMs the target cluster's {@code offset.flush.interval.ms}, or null
   */
  static JsonObject mirror(String source, String target, Map<String, String> keys,
                           Map<ConnectorKind, Map<String, String>> defaults, Integer tasksDefault,
                           String targetFlushMs, List<String> errors, List<String> warnings) {
    String flow = source + Mm2Properties.ARROW + target;
    Map<ConnectorKind, Map<String, String>> configs = new LinkedHashMap<>();
    for (ConnectorKind kind : ConnectorKind.values()) {
      configs.put(kind, new TreeMap<>(defaults.get(kind)));
    }
    if (targetFlushMs != null) {
      configs.get(ConnectorKind.SOURCE).put(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS, targetFlushMs);
    }
    Integer tasks = tasksDefault;
    for (Map.Entry<String, String> e : keys.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      List<ConnectorKind> kinds = kindsDeclaring(key);
      if (key.equals(ConnectorKeys.ENABLED)) {
        continue; // the flow exists: it is enabled
      } else if (key.equals("tasks.max")) {
        Integer n = tasks(flow + "." + key, value, errors);
        tasks = n == null ? tasks : n;
      } else if (!kinds.isEmpty()) {
        kinds.forEach(k -> configs.get(k).put(key, value));
      } else if (key.startsWith(ClientOverrides.PRODUCER_OVERRIDE)) {
        configs.values().forEach(c -> c.put(key, value));
      } else if (key.startsWith(ClientOverrides.PRODUCER)) {
        configs.get(ConnectorKind.SOURCE).put(key, value); // MM2: the offset-syncs producer
      } else if (key.startsWith(ClientOverrides.CONSUMER)) {
        configs.get(ConnectorKind.SOURCE).put(key, value);
        configs.get(ConnectorKind.CHECKPOINT).put(key, value);
      } else if (key.startsWith("admin.")) {
        warnings.add(flow + "." + key + ": ignored: admin settings are per cluster here: use " + source + "." + key
            + " or " + target + "." + key);
      } else {
        warnings.add(flow + "." + key + ": ignored: no connector reads this key");
      }
    }
    JsonObject mirror = new JsonObject().put("sourceCluster", source).put("targetCluster", target);
    for (ConnectorKind kind : ConnectorKind.values()) {
      JsonObject connector = new JsonObject().put("config", new JsonObject(new LinkedHashMap<>(configs.get(kind))));
      if (tasks != null && kind != ConnectorKind.HEARTBEAT) { // MM2's heartbeat connector runs one task
        connector.put("tasksMax", tasks);
      }
      mirror.put(kind.field(), connector);
    }
    return mirror;
  }
}
