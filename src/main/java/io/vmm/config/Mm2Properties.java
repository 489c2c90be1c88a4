package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Translates MM2's dedicated-mode file ({@code connect-mirror-maker.properties}) into the configuration document
 * {@link ConfigParser} reads (the Strimzi {@code KafkaMirrorMaker2} {@code spec} form), so a properties file and
 * the equivalent JSON/YAML spec give the same {@link MirrorMakerConfig}. Scoping follows MM2 4.1.1's
 * {@code MirrorMakerConfig} (shared reference mm2-compatibility.md §9):
 * <ul>
 *   <li>{@code clusters = A, B} (required) gives {@code clusters[]} in that order; {@code A.bootstrap.servers}
 *       its {@code bootstrapServers}; every other {@code A.<key>} that is a client key (plain, or with a
 *       {@code consumer.}/{@code producer.}/{@code admin.} prefix), a {@code config.providers*} key or a worker key
 *       this project reads ({@link ClusterSpec#WORKER_KEYS}) goes to its {@code config}.
 *       {@code <target>.offset.flush.interval.ms} (a worker key in MM2) becomes the source connector's key of every
 *       flow into that target.</li>
 *   <li>Top-level {@code bootstrap.servers}, {@code security.protocol}, {@code ssl.*}, {@code sasl.*},
 *       {@code config.providers*} and the worker keys {@code offset.storage*}/{@code config.storage*}/
 *       {@code status.storage*} are defaults of every cluster (a cluster's own key wins).</li>
 *   <li>A flow {@code A->B} exists only with {@code A->B.enabled = true} (MM2's default is disabled). Each has all
 *       three connectors; the heartbeat connector emits as {@code emit.heartbeats.enabled} says.</li>
 *   <li>Connector keys: a top-level MM2 connector key ({@code topics}, {@code groups}, {@code replication.factor},
 *       {@code replication.policy.*}, {@code emit.heartbeats.enabled}, ...) is a default of every flow;
 *       {@code A->B.<key>} overrides it for that flow. MM2 hands every key to all three connectors, which read
 *       the ones they declare: here each key goes to the connectors whose {@link ConnectorKeys} definition has it.
 *       {@code tasks.max} becomes {@code tasksMax} of the source and checkpoint connectors. Per flow,
 *       {@code producer.override.*} reaches all three connectors, {@code consumer.*} the source and checkpoint
 *       connectors and {@code producer.*} the source connector ({@link ClientOverrides}).</li>
 *   <li>{@code --clusters B [C ...]} ({@code onlyTargets}) keeps the flows whose target is listed, and the
 *       clusters they use.</li>
 * </ul>
 * Values pass through as written ({@code ${file:...}} is resolved by the parser).
 * <p>
 * What MM2 would silently drop is reported as a warning and left out: a top-level key MM2 does not read there
 * (unknown keys, {@code use.defaults.from} and {@code offset.flush.interval.ms} without a prefix, converters,
 * {@code task*}/{@code worker*}, REST and driver keys), a key of an alias not in {@code clusters}, {@code A->C.*}
 * where C is not a cluster, keys of a flow that is not enabled, a cluster key that is neither a client nor a
 * worker key used here, a flow key no connector declares. Errors ({@link ConfigException}, one line each, named by
 * the property key): {@code clusters} missing, a duplicate alias, a used cluster without bootstrap servers,
 * {@code enabled} or {@code tasks.max} not valid, an unknown {@code --clusters} alias, no enabled flow.
 * Pure; any thread.
 */
public final class Mm2Properties {

  /** MM2's separator of a flow prefix, {@code A->B.}. */
  static final String ARROW = "->";
  private static final Set<String> CLUSTER_DEFAULT_KEYS = Set.of("bootstrap.servers", "security.protocol");
  /** Top-level keys MM2's driver or Connect's REST server read: no effect here. */
  private static final List<String> DRIVER_PREFIXES = List.of("dedicated.mode.", "listeners", "rest.",
      "admin.listeners", "inter.worker.", "metric.reporters", "metrics.", "plugin.path", "plugin.discovery");
  /** Our keys that MM2 does not read at the top level. */
  private static final Map<String, String> NOT_TOP_LEVEL = Map.of(
      ConnectorKeys.USE_DEFAULTS_FROM, "MM2 reads it per flow only: use A->B." + ConnectorKeys.USE_DEFAULTS_FROM,
      ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS, "a worker key that MM2 reads per target cluster only: use "
          + "B." + ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS,
      ClusterSpec.EXACTLY_ONCE_SOURCE_SUPPORT, "a worker key that MM2 reads per target cluster only: use "
          + "B." + ClusterSpec.EXACTLY_ONCE_SOURCE_SUPPORT);

  /**
   * The document and the warnings of one translation.
   *
   * @param spec     the configuration document (spec form), values as strings except {@code tasksMax}
   * @param warnings one line per key left out, each starting with the property key
   */
  public record Translation(JsonObject spec, List<String> warnings) {
  }

  private Mm2Properties() {
  }

  /** True when {@code path} names a properties file ({@code .properties}, any case). */
  public static boolean isProperties(String path) {
    return path.toLowerCase(Locale.ROOT).endsWith(".properties");
  }

  /**
   * Translates {@code props}.
   *
   * @param props       the file's keys and values (trimmed, as {@link java.util.Properties} reads them)
   * @param onlyTargets aliases whose incoming flows this node runs ({@code --clusters}); empty or null: all flows
   * @throws ConfigException one line per error, each starting with the property key (or {@code --clusters})
   */
  public static Translation translate(Map<String, String> props, Set<String> onlyTargets) {
    Map<String, String> all = new TreeMap<>(props); // sorted: warnings and defaults come out in a stable order
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<String> aliases = aliases(all.get("clusters"), errors);
    Set<String> targets = onlyTargets == null ? Set.of() : onlyTargets;
    for (String t : targets) {
      if (!aliases.contains(t) && !aliases.isEmpty()) {
        errors.add("--clusters: \"" + t + "\" is not in clusters (" + String.join(", ", aliases) + ")");
      }
    }
    Map<String, Map<String, String>> clusterKeys = new LinkedHashMap<>();
    aliases.forEach(a -> clusterKeys.put(a, new TreeMap<>()));
    Map<String, Map<String, String>> flowKeys = new TreeMap<>();
    Map<String, String> topLevel = new TreeMap<>();
    for (Map.Entry<String, String> e : all.entrySet()) {
      String key = e.getKey();
      if (key.equals("clusters")) {
        continue;
      }
      int arrow = key.indexOf(ARROW);
      int dot = arrow < 0 ? -1 : key.indexOf('.', arrow);
      String alias = aliasPrefix(key, aliases);
      if (arrow > 0 && dot > arrow + ARROW.length()) {
        String source = key.substring(0, arrow);
        String target = key.substring(arrow + ARROW.length(), dot);
        if (!aliases.contains(source) || !aliases.contains(target) || source.equals(target)) {
          warnings.add(key + ": ignored: " + (source.equals(target) ? "a flow needs two different clusters"
              : "\"" + (aliases.contains(source) ? target : source) + "\" is not in clusters ("
              + String.join(", ", aliases) + ")"));
        } else {
          flowKeys.computeIfAbsent(source + ARROW + target, f -> new TreeMap<>()).put(key.substring(dot + 1),
              e.getValue());
        }
      } else if (alias != null) {
        clusterKeys.get(alias).put(key.substring(alias.length() + 1), e.getValue());
      } else {
        topLevel.put(key, e.getValue());
      }
    }

    Map<String, String> clusterDefaults = new TreeMap<>();
    Map<ConnectorKind, Map<String, String>> connectorDefaults = new EnumMap<>(ConnectorKind.class);
    Integer tasksDefault = topLevelKeys(topLevel, clusterDefaults, connectorDefaults, errors, warnings);

    JsonArray mirrors = new JsonArray();
    Set<String> used = new LinkedHashSet<>();
    for (String source : aliases) {
      for (String target : aliases) {
        String flow = source + ARROW + target;
        Map<String, String> keys = flowKeys.getOrDefault(flow, Map.of());
        if (source.equals(target) || !enabled(flow, keys.get(ConnectorKeys.ENABLED), errors)) {
          if (!keys.isEmpty() && !source.equals(target)) {
            warnings.add(flow + ".*: ignored: the flow is not enabled (" + flow + ".enabled = true enables it)");
          }
          continue;
        }
        if (!targets.isEmpty() && !targets.contains(target)) {
          continue;
        }
        used.add(source);
        used.add(target);
        String flush = clusterKeys.get(target).get(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS);
        mirrors.add(Mm2FlowKeys.mirror(source, target, keys, connectorDefaults, tasksDefault, flush, errors,
            warnings));
      }
    }
    if (mirrors.isEmpty() && !aliases.isEmpty()) {
      errors.add(targets.isEmpty() ? "no flow is enabled: set e.g. " + aliases.get(0) + ARROW
          + (aliases.size() > 1 ? aliases.get(1) : "B") + ".enabled = true"
          : "--clusters: no enabled flow targets " + String.join(", ", targets));
    }
    JsonArray clusters = new JsonArray();
    for (String alias : aliases) {
      JsonObject c = cluster(alias, clusterKeys.get(alias), clusterDefaults, warnings);
      if (used.contains(alias)) {
        if (c.getString("bootstrapServers") == null) {
          errors.add(alias + ".bootstrap.servers: required (or a top-level bootstrap.servers)");
        }
        clusters.add(c);
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return new Translation(new JsonObject().put("clusters", clusters).put("mirrors", mirrors), List.copyOf(warnings));
  }

  private static List<String> aliases(String value, List<String> errors) {
    List<String> aliases = new ArrayList<>();
    if (value == null || value.isBlank()) {
      errors.add("clusters: required: the cluster aliases, e.g. clusters = A, B");
      return aliases;
    }
    for (String a : value.split(",")) {
      String alias = a.trim();
      if (alias.isEmpty()) {
        continue;
      }
      if (aliases.contains(alias)) {
        errors.add("clusters: duplicate alias \"" + alias + "\"");
      } else if (alias.contains(ARROW)) {
        errors.add("clusters: alias \"" + alias + "\" must not contain \"->\"");
      } else {
        aliases.add(alias);
      }
    }
    return aliases;
  }

  /** The longest alias {@code a} with {@code key} starting with {@code a.}, or null. */
  private static String aliasPrefix(String key, List<String> aliases) {
    String best = null;
    for (String a : aliases) {
      if (key.startsWith(a + ".") && key.length() > a.length() + 1 && (best == null || a.length() > best.length())) {
        best = a;
      }
    }
    return best;
  }

  /** Sorts the top-level keys into cluster and connector defaults; returns the {@code tasks.max} default. */
  private static Integer topLevelKeys(Map<String, String> topLevel, Map<String, String> clusterDefaults,
                                      Map<ConnectorKind, Map<String, String>> connectorDefaults, List<String> errors,
                                      List<String> warnings) {
    Integer tasks = null;
    for (ConnectorKind kind : ConnectorKind.values()) {
      connectorDefaults.put(kind, new TreeMap<>());
    }
    for (Map.Entry<String, String> e : topLevel.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      List<ConnectorKind> kinds = Mm2FlowKeys.kindsDeclaring(key);
      if (key.equals("tasks.max")) {
        tasks = Mm2FlowKeys.tasks(key, value, errors);
      } else if (NOT_TOP_LEVEL.containsKey(key)) {
        warnings.add(key + ": ignored: " + NOT_TOP_LEVEL.get(key));
      } else if (!kinds.isEmpty()) {
        kinds.forEach(k -> connectorDefaults.get(k).put(key, value));
      } else if (CLUSTER_DEFAULT_KEYS.contains(key) || ConfigProviders.isProviderKey(key)
          || (key.startsWith("ssl.") || key.startsWith("sasl.")) && Mm2FlowKeys.isClientKey(key)
          || ClusterSpec.WORKER_KEYS.contains(key) && isStorageKey(key)) {
        clusterDefaults.put(key, value);
      } else if (isStorageKey(key) || key.startsWith("task") || key.startsWith("worker")
          || key.contains("converter")) {
        warnings.add(key + ": ignored: a Connect worker setting with no effect here");
      } else if (DRIVER_PREFIXES.stream().anyMatch(key::startsWith)) {
        warnings.add(key + ": ignored: a setting of MM2's driver or REST server, with no effect here");
      } else if (ConnectorKeys.IGNORED.contains(key)) {
        warnings.add(key + ": ignored: a Kafka Connect setting with no effect here");
      } else {
        warnings.add(key + ": ignored: not a cluster alias of clusters, a flow (A->B.) or a connector key that MM2 "
            + "reads at the top level");
      }
    }
    return tasks;
  }

  private static boolean isStorageKey(String key) {
    return key.startsWith("offset.storage") || key.startsWith("config.storage") || key.startsWith("status.storage");
  }

  private static boolean enabled(String flow, String value, List<String> errors) {
    if (value == null) {
      return false;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      errors.add(flow + ".enabled: expected true or false, got \"" + value + "\"");
      return false;
    }
    return v.equals("true");
  }

  /** One {@code clusters[]} entry: its own keys over the top-level defaults. */
  private static JsonObject cluster(String alias, Map<String, String> own, Map<String, String> defaults,
                                    List<String> warnings) {
    Map<String, String> config = new TreeMap<>(defaults);
    String bootstrap = null;
    for (Map.Entry<String, String> e : own.entrySet()) {
      String key = e.getKey();
      if (key.equals("bootstrap.servers")) {
        bootstrap = e.getValue();
      } else if (key.equals(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS)) {
        continue; // a worker key: the source connectors of flows into this cluster take it
      } else if (ClusterSpec.hasClientPrefix(key) || Mm2FlowKeys.isClientKey(key)
          || ConfigProviders.isProviderKey(key) || ClusterSpec.WORKER_KEYS.contains(key)) {
        config.put(key, e.getValue());
      } else {
        warnings.add(alias + "." + key + ": ignored: neither a Kafka client setting nor a worker setting used here");
      }
    }
    if (bootstrap == null) {
      bootstrap = config.get("bootstrap.servers");
    }
    config.remove("bootstrap.servers");
    JsonObject c = new JsonObject().put("alias", alias);
    if (bootstrap != null) {
      c.put("bootstrapServers", bootstrap);
    }
    return c.put("config", new JsonObject(new LinkedHashMap<>(config)));
  }
}
