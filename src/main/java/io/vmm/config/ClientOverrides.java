package io.vmm.config;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One connector's own client settings, from its {@code config}, as Strimzi documents them for MirrorMaker 2 and
 * as MM2 and Kafka Connect apply them. They win over {@code clusters[].config} and this project's client
 * defaults; they never change {@link #PROTECTED} keys (the cluster's address, the byte-array (de)serializers,
 * {@code enable.auto.commit=false}, no consumer group, no transactions).
 * <table>
 *   <caption>Which client each prefix reaches</caption>
 *   <tr><th>connector</th><th>{@code producer.override.*}</th><th>{@code producer.*}</th><th>{@code consumer.*}</th></tr>
 *   <tr><td>source</td><td>the target producers of the source tasks (Connect's task producer; they also store
 *       progress)</td><td>the offset-syncs producer (MM2 {@code offsetSyncsTopicProducerConfig})</td>
 *       <td>the replication consumers (MM2 {@code sourceConsumerConfig})</td></tr>
 *   <tr><td>checkpoint</td><td>the checkpoint producer</td><td>an error: MM2's checkpoint connector has no
 *       producer of its own</td><td>the offset-syncs reader and the checkpoints reloader (MM2
 *       {@code offsetSyncsTopicConsumerConfig}, {@code targetConsumerConfig})</td></tr>
 *   <tr><td>heartbeat</td><td>the heartbeat producer</td><td>an error, as for checkpoints</td><td>validated;
 *       no effect (MM2's heartbeat connector has no consumer), logged as ignored</td></tr>
 * </table>
 * Not connector clients, so never overridden: admin clients ({@code admin.*} is an error here: set it in
 * {@code clusters[].config}) and the reader of stored progress (Connect's offset store, configured by the worker,
 * i.e. the target cluster's {@code config}). Keys are checked against Kafka's {@link ProducerConfig} and
 * {@link ConsumerConfig} definitions, values by their type and validator (values holding a config-provider
 * reference {@code ${...}} are left to the client). Immutable.
 */
public final class ClientOverrides {

  /** Connect's prefix for a connector's task producer. */
  public static final String PRODUCER_OVERRIDE = "producer.override.";
  /** MM2's prefix for a connector's own producers. */
  public static final String PRODUCER = "producer.";
  /** MM2's prefix for a connector's own consumers. */
  public static final String CONSUMER = "consumer.";

  /** No overrides. */
  public static final ClientOverrides NONE = new ClientOverrides(Map.of(), Map.of(), Map.of());

  /** Keys an override may not set, with the reason (the client applies the mirror's value). */
  static final Map<String, String> PROTECTED = Map.of(
      "bootstrap.servers", "set clusters[].bootstrapServers instead",
      "key.serializer", "the mirror copies bytes: ByteArraySerializer is forced",
      "value.serializer", "the mirror copies bytes: ByteArraySerializer is forced",
      "key.deserializer", "the mirror copies bytes: ByteArrayDeserializer is forced",
      "value.deserializer", "the mirror copies bytes: ByteArrayDeserializer is forced",
      "enable.auto.commit", "forced to false, as MM2 forces it: the mirror stores its own progress",
      "group.id", "the mirror's consumers are assigned partitions and use no consumer group",
      "transactional.id", "the mirror's producers are not transactional");

  private final Map<String, String> producerOverride;
  private final Map<String, String> producer;
  private final Map<String, String> consumer;

  ClientOverrides(Map<String, String> producerOverride, Map<String, String> producer, Map<String, String> consumer) {
    this.producerOverride = Map.copyOf(producerOverride);
    this.producer = Map.copyOf(producer);
    this.consumer = Map.copyOf(consumer);
  }

  /** {@code producer.override.*} without the prefix: the connector's task producer(s); immutable. */
  public Map<String, String> producerOverride() {
    return producerOverride;
  }

  /** {@code producer.*} without the prefix (source connector only): the offset-syncs producer; immutable. */
  public Map<String, String> producer() {
    return producer;
  }

  /** {@code consumer.*} without the prefix: the connector's consumers; immutable. */
  public Map<String, String> consumer() {
    return consumer;
  }

  public boolean isEmpty() {
    return producerOverride.isEmpty() && producer.isEmpty() && consumer.isEmpty();
  }

  /**
   * A copy of {@code clientConfig} (a complete client config, e.g. {@code ClusterSpec.producerConfig}) with
   * {@code overrides} put over it, except the {@link #PROTECTED} keys, which keep the client config's value (or
   * stay absent). Pure; the result is a new, mutable map.
   */
  public static Map<String, Object> apply(Map<String, Object> clientConfig, Map<String, String> overrides) {
    Map<String, Object> m = new HashMap<>(clientConfig);
    overrides.forEach((k, v) -> {
      if (!PROTECTED.containsKey(k)) {
        m.put(k, v);
      }
    });
    return m;
  }

  /** Every override with its prefix, sorted; secret values ({@link Secrets#isSecret}) hidden. */
  public Map<String, Object> redacted() {
    Map<String, String> all = new TreeMap<>();
    producerOverride.forEach((k, v) -> all.put(PRODUCER_OVERRIDE + k, v));
    producer.forEach((k, v) -> all.put(PRODUCER + k, v));
    consumer.forEach((k, v) -> all.put(CONSUMER + k, v));
    return Secrets.redacted(all);
  }

  @Override
  public String toString() {
    return redacted().toString();
  }

  // ------------------------------------------------------------------------------------------ parsing

  /** Collects one connector's override keys while its config is parsed. Not thread-safe. */
  static final class Builder {
    private final ConnectorKind kind;
    private final Map<String, String> producerOverride = new HashMap<>();
    private final Map<String, String> producer = new HashMap<>();
    private final Map<String, String> consumer = new HashMap<>();

    Builder(ConnectorKind kind) {
      this.kind = kind;
    }

    /**
     * Takes {@code key} if it is a client key ({@code producer.override.}, {@code producer.}, {@code consumer.},
     * {@code admin.} and Connect's other override prefixes): records it, or reports a problem at {@code keyPath};
     * a key valid but without effect for this connector kind goes to {@code ignoredKeys}.
     *
     * @return false if {@code key} has none of these prefixes (the caller reports it)
     */
    boolean take(String key, String value, String keyPath, Problems problems, List<String> ignoredKeys) {
      if (key.startsWith("consumer.override.") || key.startsWith("admin.override.")) {
        problems.add(keyPath, "Connect applies this prefix to sink connectors and connector admins only; use "
            + (key.startsWith("consumer.") ? CONSUMER + key.substring(18) : "admin." + key.substring(15)
            + " in clusters[].config"));
      } else if (key.startsWith(PRODUCER_OVERRIDE)) {
        String name = key.substring(PRODUCER_OVERRIDE.length());
        if (check(name, value, keyPath, ProducerConfig.configDef(), "producer", problems)) {
          producerOverride.put(name, value);
        }
      } else if (key.startsWith(PRODUCER)) {
        String name = key.substring(PRODUCER.length());
        if (kind != ConnectorKind.SOURCE) {
          problems.add(keyPath, "MM2's " + kind.mm2Name() + " has no producer of its own; set "
              + PRODUCER_OVERRIDE + name + " for the producer that writes its "
              + (kind == ConnectorKind.CHECKPOINT ? "checkpoints" : "heartbeats"));
        } else if (check(name, value, keyPath, ProducerConfig.configDef(), "producer", problems)) {
          producer.put(name, value);
        }
      } else if (key.startsWith(CONSUMER)) {
        String name = key.substring(CONSUMER.length());
        if (check(name, value, keyPath, ConsumerConfig.configDef(), "consumer", problems)) {
          if (kind == ConnectorKind.HEARTBEAT) {
            ignoredKeys.add(keyPath); // valid, but MM2's heartbeat connector has no consumer
          } else {
            consumer.put(name, value);
          }
        }
      } else if (key.startsWith("admin.")) {
        problems.add(keyPath, "admin clients are not configured per connector here; set " + key
            + " in clusters[].config");
      } else {
        return false;
      }
      return true;
    }

    ClientOverrides build() {
      return producerOverride.isEmpty() && producer.isEmpty() && consumer.isEmpty() ? NONE
          : new ClientOverrides(producerOverride, producer, consumer);
    }
  }

  /** Checks one client key and its value against Kafka's definition; true if valid. */
  private static boolean check(String name, String value, String keyPath, ConfigDef def, String client,
                               Problems problems) {
    ConfigDef.ConfigKey key = def.configKeys().get(name);
    if (key == null) {
      String hint = JsonNode.closest(name, def.names());
      problems.add(keyPath, "not a Kafka " + client + " setting" + (hint == null ? "" : " (did you mean " + hint + "?)"));
      return false;
    }
    if (PROTECTED.containsKey(name)) {
      problems.add(keyPath, "cannot be overridden: " + PROTECTED.get(name));
      return false;
    }
    if (value != null && value.contains("${")) {
      return true; // a config-provider reference: the client resolves and checks it
    }
    try {
      Object parsed = ConfigDef.parseType(name, value, key.type);
      if (key.validator != null) {
        key.validator.ensureValid(name, parsed);
      }
      return true;
    } catch (org.apache.kafka.common.config.ConfigException e) {
      problems.add(keyPath, e.getMessage());
      return false;
    }
  }

  // ------------------------------------------------------------------------------------------ effective configs

  /**
   * Checks the producers a connector's overrides reach, merged over their cluster's producer config, for what
   * Kafka only rejects when the client is created: {@code acks} other than {@code all} while idempotence is on
   * (the mirror's producers set {@code enable.idempotence=true}). Problems name {@code configPath}.
   *
   * @param configPath   the connector's {@code config} path, e.g. {@code mirrors[0].sourceConnector.config}
   * @param target       the flow's target cluster (task, checkpoint and heartbeat producers)
   * @param syncsCluster the cluster holding the offset-syncs topic (the source connector's {@code producer.*})
   */
  void checkProducers(String configPath, ClusterSpec target, ClusterSpec syncsCluster, Problems problems) {
    if (!producerOverride.isEmpty()) {
      checkIdempotence(configPath, PRODUCER_OVERRIDE, apply(target.producerConfig("validate"), producerOverride),
          producerOverride, problems);
    }
    if (!producer.isEmpty()) {
      checkIdempotence(configPath, PRODUCER, apply(syncsCluster.producerConfig("validate"), producer), producer,
          problems);
    }
  }

  private static void checkIdempotence(String configPath, String prefix, Map<String, Object> effective,
                                       Map<String, String> overrides, Problems problems) {
    if (!overrides.containsKey(ProducerConfig.ACKS_CONFIG) || effective.values().stream()
        .anyMatch(v -> String.valueOf(v).contains("${"))) {
      return;
    }
    String acks = String.valueOf(effective.get(ProducerConfig.ACKS_CONFIG)).trim();
    boolean idempotent = Boolean.parseBoolean(String.valueOf(
        effective.getOrDefault(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")).trim());
    if (idempotent && !Set.of("all", "-1").contains(acks)) {
      problems.add(configPath + "." + prefix + ProducerConfig.ACKS_CONFIG, "acks=" + acks + " needs "
          + prefix + ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG + ": false (the mirror's producers are idempotent, "
          + "which requires acks=all)");
    }
  }
}
