package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Validates a configuration document and builds the {@link MirrorMakerConfig}. Creates no client; reads only the
 * files the document points to (mounted Secrets and ConfigMaps, small), so call it off the event loop. Every problem is reported, each once, prefixed with its JSON path; then a {@link ConfigException}
 * carries them all. Fields that only mean something to Strimzi's operator (replicas, resources, ...) are
 * accepted and logged as ignored, so a Strimzi spec can be used as it is.
 */
public final class ConfigParser {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigParser.class);

  static final Set<String> TOP = JsonNode.set("clusters", "mirrors", "http", "metrics", "cluster", "logging",
      "reload", "rack", "tracing");
  static final Set<String> TOP_IGNORED = JsonNode.set("version", "replicas", "connectCluster", "target",
      "resources", "jvmOptions", "jmxOptions", "metricsConfig", "template", "livenessProbe",
      "readinessProbe", "image", "externalConfiguration", "clientRackInitImage");
  static final Set<String> CLUSTER = JsonNode.set("alias", "bootstrapServers", "config", "tls", "authentication");
  static final Set<String> MIRROR = JsonNode.set("sourceCluster", "targetCluster", "topicsPattern",
      "topicsExcludePattern", "topicsBlacklistPattern", "groupsPattern", "groupsExcludePattern",
      "groupsBlacklistPattern", "sourceConnector", "checkpointConnector", "heartbeatConnector", "legacy");
  static final Set<String> CONNECTOR = JsonNode.set("tasksMax", "state", "config", "pause", "autoRestart");
  static final Set<String> CONNECTOR_IGNORED = JsonNode.set("listOffsets", "alterOffsets");

  private ConfigParser() {
  }

  /**
   * Validates {@code doc} and returns the config, with defaults from the process's environment
   * ({@link Environment#system()}).
   *
   * @throws ConfigException with one message per problem
   */
  public static MirrorMakerConfig parse(JsonObject doc) {
    return parse(doc, Environment.system());
  }

  /**
   * Validates {@code doc} and returns the config; {@code env} gives the defaults of {@code cluster.memberName}
   * and {@code cluster.host}, and the directory of external logging files ({@link LoggingSpec}).
   *
   * @throws ConfigException with one message per problem
   */
  public static MirrorMakerConfig parse(JsonObject doc, Environment env) {
    Problems problems = new Problems();
    List<String> ignored = new ArrayList<>();
    JsonNode root = new JsonNode(doc, "", problems);
    ignored.addAll(root.checkFields(TOP, TOP_IGNORED));

    Map<String, ClusterSpec> clusters = new LinkedHashMap<>();
    List<JsonNode> clusterNodes = root.objects("clusters", true);
    if (root.has("clusters") && clusterNodes.isEmpty()) {
      problems.add("clusters", "at least one cluster is required");
    }
    Set<String> declared = new java.util.LinkedHashSet<>();
    for (JsonNode c : clusterNodes) {
      if (c.has("alias") && c.string("alias", false) != null) {
        declared.add(c.string("alias", false));
      }
      ClusterSpec spec = parseCluster(c, env, problems);
      if (spec != null) {
        if (clusters.containsKey(spec.alias())) {
          problems.add(c.pathOf("alias"), "duplicate cluster alias \"" + spec.alias() + "\"");
        } else {
          clusters.put(spec.alias(), spec);
        }
      }
    }

    List<FlowSpec> flows = new ArrayList<>();
    Map<String, String> flowPaths = new LinkedHashMap<>();
    List<JsonNode> mirrorNodes = root.objects("mirrors", true);
    if (root.has("mirrors") && mirrorNodes.isEmpty()) {
      problems.add("mirrors", "at least one mirror is required");
    }
    for (JsonNode m : mirrorNodes) {
      FlowSpec flow = parseMirror(LegacyMode.rewrite(m), clusters, declared, problems, ignored);
      if (flow != null) {
        if (flowPaths.putIfAbsent(flow.name(), m.path()) != null) {
          problems.add(m.path(), "duplicate flow " + flow.name() + ": each source->target pair may appear once");
        } else {
          flows.add(flow);
          FlowRules.checkExactlyOnce(flow, m.path(), problems);
        }
      }
    }
    FlowRules.checkIdentityCycles(flows, flowPaths, problems);

    int httpPort = 8083;
    String httpToken = null;
    JsonNode http = root.object("http");
    if (http != null) {
      http.checkFields(JsonNode.set("port", "token"), Set.of());
      httpPort = http.integer("port", 8083, 0, 65535);
      httpToken = http.string("token", false);
      if (httpToken != null && httpToken.isBlank()) {
        problems.add(http.pathOf("token"), "must not be blank; leave it out to allow control without a token");
      }
    }
    Map<String, String> loggers = LoggingSpec.parse(root.object("logging"), problems, env);
    boolean reloadEnabled = true;
    int reloadScanMs = 5_000;
    JsonNode reload = root.object("reload");
    if (reload != null) {
      reload.checkFields(JsonNode.set("enabled", "scanPeriodMs"), Set.of());
      reloadEnabled = reload.bool("enabled", true);
      reloadScanMs = reload.integer("scanPeriodMs", 5_000, 100, 3_600_000);
    }
    int metricsPort = 9404;
    JsonNode metrics = root.object("metrics");
    if (metrics != null) {
      metrics.checkFields(JsonNode.set("port"), Set.of());
      metricsPort = metrics.integer("port", 9404, 0, 65535);
    }
    ClusterModeSpec cluster = ClusterModeSpec.parse(root.object("cluster"), problems, env);
    String clientRack = parseRack(root.object("rack"), env);
    TracingSpec tracing = TracingSpec.parse(root.object("tracing"), problems);

    problems.throwIfAny();
    ignored.forEach(p -> LOG.warn("{}: Strimzi field ignored: {}", p, StrimziFields.ignoredReason(p)));
    return new MirrorMakerConfig(List.copyOf(clusters.values()), List.copyOf(flows), httpPort, metricsPort, cluster,
        httpToken, loggers, reloadEnabled, reloadScanMs, clientRack, tracing);
  }

  /**
   * Strimzi's {@code rack: {topologyKey}}: Strimzi reads the node label {@code topologyKey} in an init container;
   * here the deployment passes the zone as {@code $VMM_RACK_ID} (deploy/ shows how). Without it, one warning and
   * no {@code client.rack}.
   */
  private static String parseRack(JsonNode rack, Environment env) {
    if (rack == null) {
      return null;
    }
    rack.checkFields(JsonNode.set("topologyKey"), Set.of());
    String key = rack.string("topologyKey", false);
    String id = env.rackId();
    if (id == null) {
      LOG.warn("{} is set (topologyKey {}) but ${} is not: source consumers fetch from partition leaders",
          rack.path(), key, Environment.RACK_ID);
    }
    return id;
  }

  /**
   * One {@code clusters[i]} entry. Reads files: the mounted Secrets its {@code tls} and {@code authentication}
   * blocks name (under {@link Environment#secretsDir()}) and the files its config-provider variables name.
   */
  private static ClusterSpec parseCluster(JsonNode c, Environment env, Problems problems) {
    c.checkFields(CLUSTER, Set.of());
    int before = problems.size();
    String alias = c.string("alias", true);
    if (alias != null && !alias.matches("[A-Za-z0-9_.\\-]+")) {
      problems.add(c.pathOf("alias"), "\"" + alias + "\" must be letters, digits, '.', '_' or '-'");
    }
    String bootstrap = c.string("bootstrapServers", true);
    if (bootstrap != null) {
      for (String server : bootstrap.split(",")) {
        if (!server.trim().matches("\\[?[A-Za-z0-9_.:\\-]+]?:\\d{1,5}")) {
          problems.add(c.pathOf("bootstrapServers"), "\"" + server.trim() + "\" is not host:port");
        }
      }
    }
    Map<String, String> written = c.scalarMap("config");
    SecretFiles secrets = new SecretFiles(env.secretsDir(), problems);
    Map<String, String> security = ClusterSecurity.parse(c, secrets, written, problems);
    List<java.nio.file.Path> files = new ArrayList<>(secrets.files());
    Map<String, String> config = ConfigProviders.resolve(written, c.pathOf("config"), problems, files);
    if (problems.size() > before) {
      return null;
    }
    ClusterSpec spec = new ClusterSpec(alias, bootstrap.trim(), config, security, files);
    spec.validate(c.path(), problems);
    return spec;
  }

  private static FlowSpec parseMirror(JsonNode m, Map<String, ClusterSpec> clusters, Set<String> declared,
                                      Problems problems, List<String> ignored) {
    m.checkFields(MIRROR, Set.of());
    int before = problems.size();
    String sourceAlias = m.string("sourceCluster", true);
    String targetAlias = m.string("targetCluster", true);
    ClusterSpec source = lookup(m, "sourceCluster", sourceAlias, clusters, declared, problems);
    ClusterSpec target = lookup(m, "targetCluster", targetAlias, clusters, declared, problems);
    if (sourceAlias != null && sourceAlias.equals(targetAlias)) {
      problems.add(m.pathOf("targetCluster"), "must differ from sourceCluster (\"" + sourceAlias + "\")");
    } else if (source != null && target != null && ClusterSpec.sharedServer(source, target) != null) {
      problems.add(m.pathOf("targetCluster"), "\"" + targetAlias + "\" is the same cluster as sourceCluster \""
          + sourceAlias + "\": both bootstrapServers list " + ClusterSpec.sharedServer(source, target));
    }
    String topicsPattern = m.string("topicsPattern", false);
    String topicsExclude = m.string("topicsExcludePattern", false);
    String topicsBlacklist = m.string("topicsBlacklistPattern", false);
    String groupsPattern = m.string("groupsPattern", false);
    String groupsExclude = m.string("groupsExcludePattern", false);
    String groupsBlacklist = m.string("groupsBlacklistPattern", false);
    if (topicsExclude != null && topicsBlacklist != null) {
      problems.add(m.pathOf("topicsBlacklistPattern"), "deprecated alias of topicsExcludePattern; set only one");
    }
    if (groupsExclude != null && groupsBlacklist != null) {
      problems.add(m.pathOf("groupsBlacklistPattern"), "deprecated alias of groupsExcludePattern; set only one");
    }
    topicsExclude = topicsExclude != null ? topicsExclude : topicsBlacklist;
    groupsExclude = groupsExclude != null ? groupsExclude : groupsBlacklist;

    Map<ConnectorKind, ConnectorSpec> connectors = new LinkedHashMap<>();
    Map<ConnectorKind, Map<String, String>> rawConfigs = new LinkedHashMap<>();
    LegacySpec legacy = LegacyMode.parse(m, problems);
    for (ConnectorKind kind : ConnectorKind.values()) {
      JsonNode node = m.object(kind.field());
      if (node == null) {
        connectors.put(kind, ConnectorSpec.defaults(kind));
        rawConfigs.put(kind, Map.of());
      } else {
        rawConfigs.put(kind, node.scalarMap("config"));
        connectors.put(kind, parseConnector(node, kind, rawConfigs.get(kind), problems, ignored));
      }
    }
    if (connectors.values().stream().noneMatch(ConnectorSpec::present)) {
      problems.add(m.path(), "names no connector, so it would run nothing: add sourceConnector: {} to mirror "
          + "topics (a connector left out is not run, as in Strimzi; {} runs one with MM2's defaults)");
    }
    ConnectorConfig sourceConfig = connectors.get(ConnectorKind.SOURCE).config();
    if (source != null && target != null) {
      ClusterSpec syncsCluster = "target".equals(sourceConfig.getString(ConnectorKeys.OFFSET_SYNCS_TOPIC_LOCATION))
          ? target : source;
      connectors.forEach((kind, spec) -> spec.config().clients().checkProducers(m.pathOf(kind.field() + ".config"),
          target, syncsCluster, problems));
    }
    // topic filter: the Strimzi pattern fields, else the MM2 keys, else MM2's defaults
    String include = pick(m, "topicsPattern", topicsPattern, ConnectorKind.SOURCE, rawConfigs, ConnectorKeys.TOPICS,
        sourceConfig.getString(ConnectorKeys.TOPICS), problems);
    String exclude = pick(m, "topicsExcludePattern", topicsExclude, ConnectorKind.SOURCE, rawConfigs,
        ConnectorKeys.TOPICS_EXCLUDE, sourceConfig.getString(ConnectorKeys.TOPICS_EXCLUDE), problems);
    ConnectorConfig checkpointConfig = connectors.get(ConnectorKind.CHECKPOINT).config();
    String groupInclude = pick(m, "groupsPattern", groupsPattern, ConnectorKind.CHECKPOINT, rawConfigs,
        ConnectorKeys.GROUPS, checkpointConfig.getString(ConnectorKeys.GROUPS), problems);
    String groupExclude = pick(m, "groupsExcludePattern", groupsExclude, ConnectorKind.CHECKPOINT, rawConfigs,
        ConnectorKeys.GROUPS_EXCLUDE, checkpointConfig.getString(ConnectorKeys.GROUPS_EXCLUDE), problems);
    TopicFilter topicFilter = filter(m, include, exclude, "topicsPattern", "topicsExcludePattern", problems);
    TopicFilter groupFilter = filter(m, groupInclude, groupExclude, "groupsPattern", "groupsExcludePattern", problems);

    String policyPath = m.pathOf("sourceConnector.config." + ConnectorKeys.REPLICATION_POLICY_CLASS);
    try {
      FlowSpec.newPolicy(sourceConfig, sourceAlias == null ? "source" : sourceAlias);
    } catch (IllegalArgumentException | org.apache.kafka.common.config.ConfigException e) {
      problems.add(policyPath, e.getMessage());
    }
    // MM2 reads the policy in every connector; here the source connector's rules, so others must agree
    for (ConnectorKind kind : List.of(ConnectorKind.CHECKPOINT, ConnectorKind.HEARTBEAT)) {
      for (String key : List.of(ConnectorKeys.REPLICATION_POLICY_CLASS, ConnectorKeys.REPLICATION_POLICY_SEPARATOR,
          ConnectorKeys.INTERNAL_TOPIC_SEPARATOR_ENABLED)) {
        if (rawConfigs.get(kind).containsKey(key)
            && !connectors.get(kind).config().values().get(key).equals(sourceConfig.values().get(key))) {
          problems.add(m.pathOf(kind.field() + ".config." + key), "must match sourceConnector.config." + key
              + " (\"" + sourceConfig.values().get(key) + "\")");
        }
      }
    }
    String separator = sourceConfig.getString(ConnectorKeys.REPLICATION_POLICY_SEPARATOR);
    if (sourceAlias != null && sourceAlias.contains(separator) && !sourceConfig.getString(ConnectorKeys.REPLICATION_POLICY_CLASS)
        .equals(ConnectorKeys.IDENTITY_REPLICATION_POLICY)) {
      problems.add(m.pathOf("sourceCluster"), "alias \"" + sourceAlias + "\" contains the "
          + "replication.policy.separator \"" + separator + "\": remote topic names would be ambiguous");
    }
    if (problems.size() > before) {
      return null;
    }
    return new FlowSpec(new SourceAndTarget(sourceAlias, targetAlias), source, target, topicFilter, groupFilter,
        connectors.get(ConnectorKind.SOURCE), connectors.get(ConnectorKind.CHECKPOINT),
        connectors.get(ConnectorKind.HEARTBEAT), legacy);
  }

  private static String pick(JsonNode m, String field, String fieldValue, ConnectorKind kind,
                             Map<ConnectorKind, Map<String, String>> rawConfigs, String key, String keyValue,
                             Problems problems) {
    if (fieldValue != null && rawConfigs.get(kind).containsKey(key)) {
      problems.add(m.pathOf(kind.field() + ".config." + key), "conflicts with " + m.pathOf(field) + "; set only "
          + field);
    }
    return fieldValue != null ? fieldValue : keyValue;
  }

  private static TopicFilter filter(JsonNode m, String include, String exclude, String includeField,
                                    String excludeField, Problems problems) {
    boolean ok = true;
    for (String[] p : new String[][]{{include, includeField}, {exclude, excludeField}}) {
      try {
        TopicFilter.compile(p[0]);
      } catch (PatternSyntaxException e) {
        problems.add(m.pathOf(p[1]), "invalid regex \"" + p[0] + "\": " + e.getDescription()
            + " near index " + e.getIndex());
        ok = false;
      }
    }
    return ok ? new TopicFilter(include, exclude) : null;
  }

  private static ClusterSpec lookup(JsonNode m, String field, String alias, Map<String, ClusterSpec> clusters,
                                    Set<String> declared, Problems problems) {
    if (alias == null) {
      return null;
    }
    ClusterSpec spec = clusters.get(alias);
    if (spec == null && !declared.contains(alias)) { // a declared but invalid cluster is reported already
      problems.add(m.pathOf(field), "unknown cluster alias \"" + alias + "\"; clusters[] has "
          + (declared.isEmpty() ? "none" : String.join(", ", declared)));
    }
    return spec;
  }

  private static ConnectorSpec parseConnector(JsonNode node, ConnectorKind kind, Map<String, String> raw,
                                              Problems problems, List<String> ignored) {
    ignored.addAll(node.checkFields(CONNECTOR, CONNECTOR_IGNORED));
    int tasksMax = node.integer("tasksMax", 1, 1, 10_000);
    ConnectorState state = ConnectorState.RUNNING;
    String stateText = node.string("state", false);
    if (stateText != null) {
      state = ConnectorState.parse(stateText);
      if (state == null) {
        problems.add(node.pathOf("state"), "expected running, paused or stopped, got \"" + stateText + "\"");
        state = ConnectorState.RUNNING;
      }
    }
    Boolean pause = node.bool("pause", null);
    if (pause != null) {
      if (stateText != null) {
        problems.add(node.pathOf("pause"), "deprecated; use state only");
      } else if (pause) {
        state = ConnectorState.PAUSED;
      }
    }
    ConnectorConfig config = ConnectorConfig.parse(kind, raw, node.pathOf("config"), problems, ignored);
    return new ConnectorSpec(tasksMax, state, config, true, autoRestart(node.object("autoRestart")));
  }

  /** {@code autoRestart} ({@link AutoRestartSpec}): absent is off; present, {@code enabled} defaults to true. */
  private static AutoRestartSpec autoRestart(JsonNode node) {
    if (node == null) {
      return AutoRestartSpec.OFF;
    }
    node.checkFields(JsonNode.set("enabled", "maxRestarts", "maxBackoffMinutes"), Set.of());
    return new AutoRestartSpec(node.bool("enabled", true), node.integer("maxRestarts", null, 0, Integer.MAX_VALUE),
        node.integer("maxBackoffMinutes", AutoRestartSpec.DEFAULT_MAX_BACKOFF_MINUTES, 1, 1_000_000));
  }
}
