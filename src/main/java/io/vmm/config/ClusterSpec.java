package io.vmm.config;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One Kafka cluster of {@code clusters[]}: its alias, bootstrap servers and client settings.
 * <p>
 * Client settings: an unprefixed key of {@code config} applies to every client kind that knows it (consumer,
 * producer, admin); a {@code consumer.}, {@code producer.} or {@code admin.} prefix targets one kind and wins
 * over the unprefixed key. Then come the settings of the {@code tls} and {@code authentication} blocks
 * ({@code security}: they apply to every client kind; the parser rejects a {@code config} key that would clash).
 * On top come this project's defaults (user settings win) and forced settings (byte-array (de)serializers, no auto
 * commit), as MM2 forces them.
 *
 * @param alias            cluster alias used in flows and remote topic names
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param config           client settings as given (values as strings), with Kafka config-provider variables
 *                         ({@code ${file:...}}, {@code ${directory:...}}, {@code ${env:...}}) already resolved;
 *                         the {@code config.providers*} keys are passed to every client as they are, so a client
 *                         resolves variables left in settings added later (a connector's client overrides)
 * @param security         client settings from the {@code tls} and {@code authentication} blocks
 *                         ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}), secrets included
 * @param secretFiles      absolute paths of every file these settings were read from (mounted Secret keys and
 *                         files that config-provider variables name), in the order first read; the content of
 *                         these files is part of the spec, so a change means the clients need new settings
 */
public record ClusterSpec(String alias, String bootstrapServers, Map<String, String> config,
                          Map<String, String> security, List<Path> secretFiles) {

  /** Immutable copies; null {@code security}/{@code secretFiles} mean none. */
  public ClusterSpec {
    config = Map.copyOf(config);
    security = security == null ? Map.of() : Map.copyOf(security);
    secretFiles = secretFiles == null ? List.of() : List.copyOf(secretFiles);
  }

  /** A cluster without {@code tls}, {@code authentication} or secret files. */
  public ClusterSpec(String alias, String bootstrapServers, Map<String, String> config) {
    this(alias, bootstrapServers, config, Map.of(), List.of());
  }

  /** Connect worker keys accepted in a cluster's config (Strimzi users set them); only these are read here. */
  public static final Set<String> WORKER_KEYS = Set.of(
      "offset.storage.replication.factor", "offset.storage.partitions",
      "config.storage.replication.factor", "status.storage.replication.factor",
      "offset.storage.topic", "config.storage.topic", "status.storage.topic",
      "key.converter", "value.converter", "header.converter", "offset.flush.timeout.ms",
      "exactly.once.source.support", "group.id");

  /** MM2's worker key that turns exactly-once on for flows into this cluster: enabled, preparing or disabled. */
  public static final String EXACTLY_ONCE_SOURCE_SUPPORT = "exactly.once.source.support";

  /**
   * True when this cluster's config sets {@code exactly.once.source.support=enabled} (any case): flows into it
   * mirror exactly once (transactions per source task). {@code preparing} and {@code disabled} (the default) are
   * at-least-once.
   */
  public boolean exactlyOnce() {
    return "enabled".equalsIgnoreCase(config.getOrDefault(EXACTLY_ONCE_SOURCE_SUPPORT, "disabled").trim());
  }

  /** Replication factor of {@code mm2-offsets.<source>.internal} when this cluster is a target; -1 = broker default. */
  public short offsetStorageReplicationFactor() {
    return Short.parseShort(config.getOrDefault("offset.storage.replication.factor", "-1"));
  }

  /** Partitions of {@code mm2-offsets.<source>.internal} when this cluster is a target (Connect default 25). */
  public int offsetStoragePartitions() {
    return Integer.parseInt(config.getOrDefault("offset.storage.partitions", "25"));
  }

  /**
   * The Kafka Connect offsets topic ({@code offset.storage.topic}) named in this cluster's config, or null: when
   * this cluster is a target, progress of Strimzi's Connect-mode MM2 is taken over from it.
   */
  public String offsetStorageTopic() {
    String topic = config.get("offset.storage.topic");
    return topic == null || topic.isBlank() ? null : topic.trim();
  }

  /**
   * {@code fetch.max.bytes} of this mirror's consumers when the user sets none: 8 MiB (Kafka's 50 MB per fetch
   * would not fit the small heap this mirror runs in; README: memory).
   */
  public static final int FETCH_MAX_BYTES = 8 << 20;
  /**
   * {@code fetch.max.bytes} of the record path's replication consumers when the user sets none: 2 MiB. Kafka's
   * consumer reads each fetch answer into one fresh heap array that lives until its last record is polled; with
   * 8 MiB answers those arrays, and the records decoded from them, outlived the young generation of the 128 MB
   * heap and filled the old one (a full collection every third young one; README "Performance", record path).
   */
  public static final int RECORD_PATH_FETCH_MAX_BYTES = 2 << 20;

  /**
   * Settings for a consumer (assign mode, no group, no auto commit), {@code fetch.max.bytes}
   * {@link #FETCH_MAX_BYTES} unless set.
   */
  public Map<String, Object> consumerConfig(String clientId) {
    return consumerConfig(clientId, FETCH_MAX_BYTES);
  }

  /**
   * Settings for a consumer (assign mode, no group, no auto commit).
   *
   * @param fetchMaxBytes {@code fetch.max.bytes} when this cluster's config sets none, bytes
   */
  public Map<String, Object> consumerConfig(String clientId, int fetchMaxBytes) {
    Map<String, Object> m = clientConfig("consumer.", ConsumerConfig.configNames());
    m.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    m.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    m.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
    m.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(fetchMaxBytes));
    m.remove(ConsumerConfig.GROUP_ID_CONFIG);
    m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return m;
  }

  /**
   * Settings for a target producer: acks=all and idempotence (ordered, no duplicates from retries), 128 KB
   * batches and 5 ms linger (shared reference data-path-figures.md: batch.size mattered most), 32 MB buffer.
   */
  public Map<String, Object> producerConfig(String clientId) {
    Map<String, Object> m = clientConfig("producer.", ProducerConfig.configNames());
    m.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    m.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    m.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    m.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    m.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
    m.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(32L << 20));
    m.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    m.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return m;
  }

  /** The target producer's {@code delivery.timeout.ms}: how long a send may take before it fails for good. */
  public long deliveryTimeoutMs() {
    return Long.parseLong(producerConfig("x").getOrDefault(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000")
        .toString());
  }

  /** Settings for an admin client. */
  public Map<String, Object> adminConfig(String clientId) {
    Map<String, Object> m = clientConfig("admin.", AdminClientConfig.configNames());
    m.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return m;
  }

  private Map<String, Object> clientConfig(String prefix, Set<String> known) {
    Map<String, Object> m = new HashMap<>();
    m.put("bootstrap.servers", bootstrapServers);
    config.forEach((k, v) -> {
      if (!hasClientPrefix(k) && known.contains(k)) {
        m.put(k, v);
      }
    });
    config.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        m.put(k.substring(prefix.length()), v);
      }
    });
    m.putAll(security);
    config.forEach((k, v) -> {
      if (ConfigProviders.isProviderKey(k)) {
        m.put(k, v); // the client resolves variables that remain, e.g. in a connector's client overrides
      }
    });
    m.put("bootstrap.servers", bootstrapServers); // a prefixed bootstrap.servers must not win
    return m;
  }

  /**
   * Alias, servers and settings; secret values ({@link Secrets#isSecret}) are printed as {@code [hidden]},
   * PEM certificates as {@code [PEM]}.
   */
  @Override
  public String toString() {
    Map<String, Object> sec = Secrets.redacted(security);
    sec.replaceAll((k, v) -> v instanceof String text && text.startsWith("-----BEGIN") ? "[PEM]" : v);
    return "ClusterSpec[alias=" + alias + ", bootstrapServers=" + bootstrapServers + ", config="
        + Secrets.redacted(config) + (security.isEmpty() ? "" : ", security=" + sec)
        + (secretFiles.isEmpty() ? "" : ", secretFiles=" + secretFiles) + "]";
  }

  /**
   * A bootstrap server that {@code a} and {@code b} both list, or null: then they are different clusters as far as
   * the config tells (a flow between them must not be a mirror onto itself; the cluster ids decide once connected).
   * Servers compare as {@code host:port} with the host in lower case and blanks trimmed, whatever their order.
   */
  static String sharedServer(ClusterSpec a, ClusterSpec b) {
    Set<String> mine = servers(a.bootstrapServers);
    return servers(b.bootstrapServers).stream().filter(mine::contains).findFirst().orElse(null);
  }

  private static Set<String> servers(String bootstrapServers) {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (String server : bootstrapServers.split(",")) {
      if (!server.isBlank()) {
        out.add(server.trim().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  static boolean hasClientPrefix(String key) {
    return key.startsWith("consumer.") || key.startsWith("producer.") || key.startsWith("admin.");
  }

  /** Validates keys and values of {@code config} with Kafka's own client config definitions. */
  void validate(String path, Problems problems) {
    Set<String> anyClient = new java.util.HashSet<>(ConsumerConfig.configNames());
    anyClient.addAll(ProducerConfig.configNames());
    anyClient.addAll(AdminClientConfig.configNames());
    for (String key : new TreeMap<>(config).keySet()) {
      String keyPath = path + ".config." + key;
      if (ConfigProviders.isProviderKey(key)) {
        continue; // resolved by the parser (ConfigProviders)
      } else if (key.equals("bootstrap.servers")) {
        problems.add(keyPath, "set bootstrapServers instead");
      } else if (key.startsWith("consumer.")) {
        checkKnown(keyPath, key.substring(9), ConsumerConfig.configNames(), "consumer", problems);
      } else if (key.startsWith("producer.")) {
        checkKnown(keyPath, key.substring(9), ProducerConfig.configNames(), "producer", problems);
      } else if (key.startsWith("admin.")) {
        checkKnown(keyPath, key.substring(6), AdminClientConfig.configNames(), "admin client", problems);
      } else if (!anyClient.contains(key) && !WORKER_KEYS.contains(key)) {
        String hint = JsonNode.closest(key, anyClient);
        problems.add(keyPath, "not a Kafka consumer, producer or admin client setting"
            + (hint == null ? "" : " (did you mean " + hint + "?)"));
      }
    }
    String eos = config.get(EXACTLY_ONCE_SOURCE_SUPPORT);
    if (eos != null && !Set.of("enabled", "preparing", "disabled").contains(eos.trim().toLowerCase(java.util.Locale.ROOT))) {
      problems.add(path + ".config." + EXACTLY_ONCE_SOURCE_SUPPORT, "expected enabled, preparing or disabled, got \""
          + eos + "\"");
    }
    for (String k : new String[]{"offset.storage.replication.factor", "offset.storage.partitions"}) {
      if (config.containsKey(k)) {
        try {
          Integer.parseInt(config.get(k));
        } catch (NumberFormatException e) {
          problems.add(path + ".config." + k, "expected an integer, got \"" + config.get(k) + "\"");
        }
      }
    }
    if (!problems.isEmpty()) {
      return;
    }
    parseWith(path, "consumer", ConsumerConfig.configDef(), consumerConfig("validate"), problems);
    parseWith(path, "producer", ProducerConfig.configDef(), producerConfig("validate"), problems);
    parseWith(path, "admin", AdminClientConfig.configDef(), adminConfig("validate"), problems);
  }

  private static void checkKnown(String keyPath, String key, Set<String> known, String kind, Problems problems) {
    if (!known.contains(key)) {
      String hint = JsonNode.closest(key, known);
      problems.add(keyPath, "not a Kafka " + kind + " setting" + (hint == null ? "" : " (did you mean " + hint + "?)"));
    }
  }

  private static void parseWith(String path, String kind, org.apache.kafka.common.config.ConfigDef def,
                                Map<String, Object> values, Problems problems) {
    try {
      def.parse(values);
    } catch (org.apache.kafka.common.config.ConfigException e) {
      problems.add(path + ".config", kind + " settings: " + e.getMessage());
    }
  }
}
