package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Translates Strimzi's legacy {@code KafkaMirrorMaker} (MM1) resource, or its bare {@code spec}, into the
 * {@code KafkaMirrorMaker2}-shaped document {@link ConfigParser} reads: two clusters {@code source} (the
 * consumer's {@code bootstrapServers}, {@code config}, {@code tls}, {@code authentication}) and {@code target}
 * (the producer's), and one flow {@code source->target} in legacy mode:
 * <ul>
 *   <li>{@code IdentityReplicationPolicy} (topic names kept), no checkpoint or heartbeat connector (omitted
 *       connectors are not run), no offset syncs, no topic-config or ACL sync;</li>
 *   <li>{@code sourceConnector.tasksMax = consumer.numStreams} (default 1), {@code offset.flush.interval.ms =
 *       consumer.offsetCommitInterval} (MM1's default 60000 ms), {@code replication.factor = -1} (the target
 *       broker's default, as MM1's topics were auto-created);</li>
 *   <li>the mirror's {@code legacy} block ({@link LegacySpec}): {@code groupId}, {@code offsetCommitIntervalMs},
 *       {@code abortOnSendFailure} (default true, as MM1);</li>
 *   <li>{@code include} (or the older {@code whitelist}) as MM1 read it ({@link #topicsRegex}); the exclude pattern
 *       is Kafka's internal topics only, as MM1's consumer excluded them.</li>
 * </ul>
 * {@code logging} passes on with {@code mirrormaker.root.logger} renamed to the root level; {@code tracing} passes
 * on; fields that mean nothing here ({@link #FIELDS}) are dropped with one warning each. Problems of the MM1
 * fields themselves are reported with their MM1 paths (a {@link ConfigException}). Pure: no I/O.
 */
public final class Mm1Spec {

  private static final Logger LOG = LoggerFactory.getLogger(Mm1Spec.class);

  /** The MM1 resource's {@code kind}. */
  public static final String KIND = "KafkaMirrorMaker";
  /** Cluster aliases of the translated document. */
  public static final String SOURCE = "source";
  public static final String TARGET = "target";
  /** MM1 excluded Kafka's internal topics only (consumer {@code exclude.internal.topics}). */
  static final String INTERNAL_TOPICS = "__consumer_offsets|__transaction_state";

  /** MM1 spec fields: applied (value null) or ignored (value: the reason). */
  public static final Map<String, String> FIELDS = fields();

  private Mm1Spec() {
  }

  private static Map<String, String> fields() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String applied : new String[] {"consumer", "producer", "whitelist", "include", "logging", "tracing"}) {
      m.put(applied, null);
    }
    for (String same : new String[] {"version", "replicas", "image", "resources", "livenessProbe", "readinessProbe",
        "jvmOptions", "metricsConfig", "template", "externalConfiguration"}) {
      m.put(same, StrimziFields.ignoredReason(same)); // the same field as in KafkaMirrorMaker2
    }
    m.put("metrics", StrimziFields.ignoredReason("metricsConfig"));
    return Collections.unmodifiableMap(m);
  }

  static final Set<String> CONSUMER = Set.of("bootstrapServers", "groupId", "numStreams", "offsetCommitInterval",
      "config", "tls", "authentication");
  static final Set<String> PRODUCER = Set.of("bootstrapServers", "abortOnSendFailure", "config", "tls",
      "authentication");

  /** True for a {@code KafkaMirrorMaker} resource or a bare MM1 spec (a {@code consumer} and no {@code clusters}). */
  public static boolean isMm1(JsonObject doc) {
    if (KIND.equals(doc.getString("kind"))) {
      return true;
    }
    return doc.getValue("kind") == null && !doc.containsKey("clusters") && !doc.containsKey("mirrors")
        && (doc.getValue("consumer") instanceof JsonObject || doc.getValue("producer") instanceof JsonObject);
  }

  /**
   * The MM2-shaped document of an MM1 resource or spec.
   *
   * @throws ConfigException one line per problem, with the MM1 path (e.g. {@code consumer.groupId})
   */
  public static JsonObject toMm2(JsonObject doc) {
    JsonObject spec = KIND.equals(doc.getString("kind")) && doc.getValue("spec") instanceof JsonObject s ? s : doc;
    Problems problems = new Problems();
    JsonNode root = new JsonNode(spec, "", problems);
    Set<String> ignored = new java.util.HashSet<>(FIELDS.keySet());
    ignored.removeIf(k -> FIELDS.get(k) == null);
    for (String path : root.checkFields(FIELDS.keySet().stream().filter(k -> FIELDS.get(k) == null).toList(),
        ignored)) {
      LOG.warn("{}: KafkaMirrorMaker field ignored: {}", path, FIELDS.get(path));
    }
    JsonNode consumer = root.object("consumer");
    JsonNode producer = root.object("producer");
    if (consumer == null) {
      problems.add("consumer", "required field is missing");
    }
    if (producer == null) {
      problems.add("producer", "required field is missing");
    }
    String whitelist = root.string("whitelist", false);
    String include = root.string("include", false);
    if (whitelist != null && include != null) {
      problems.add("whitelist", "deprecated name of include; set only one");
    }
    String topics = include != null ? include : whitelist;
    if (topics == null) {
      problems.add("include", "required field is missing (the topics to mirror; \"*\" or \".*\" for all)");
    }
    String groupId = null;
    int numStreams = 1;
    long commitMs = LegacySpec.DEFAULT_COMMIT_INTERVAL_MS;
    boolean abort = true;
    if (consumer != null) {
      consumer.checkFields(CONSUMER, Set.of());
      groupId = consumer.string("groupId", true);
      numStreams = consumer.integer("numStreams", 1, 1, 10_000);
      commitMs = consumer.integer("offsetCommitInterval", (int) LegacySpec.DEFAULT_COMMIT_INTERVAL_MS, 100,
          Integer.MAX_VALUE);
    }
    if (producer != null) {
      producer.checkFields(PRODUCER, Set.of());
      abort = producer.bool("abortOnSendFailure", true);
    }
    problems.throwIfAny();
    return build(cluster(SOURCE, spec.getJsonObject("consumer")), cluster(TARGET, spec.getJsonObject("producer")), topics,
        new LegacySpec(groupId, commitMs, abort), numStreams, spec.getJsonObject("logging"),
        spec.getJsonObject("tracing"));
  }

  /**
   * The MM2-shaped document of one legacy flow {@code source->target}; shared with {@link Mm1CommandLine}.
   *
   * @param source  the {@code clusters[]} entry of the source (alias {@code source})
   * @param target  the {@code clusters[]} entry of the target (alias {@code target})
   * @param topics  MM1's whitelist/include as written
   * @param logging the {@code logging} block or null
   * @param tracing the {@code tracing} block or null
   */
  static JsonObject build(JsonObject source, JsonObject target, String topics, LegacySpec legacy, int numStreams,
                          JsonObject logging, JsonObject tracing) {
    JsonObject sourceConfig = new JsonObject()
        .put(ConnectorKeys.REPLICATION_POLICY_CLASS, ConnectorKeys.IDENTITY_REPLICATION_POLICY)
        .put(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED, false)
        .put(ConnectorKeys.SYNC_TOPIC_CONFIGS_ENABLED, false)
        .put(ConnectorKeys.SYNC_TOPIC_ACLS_ENABLED, false)
        .put(ConnectorKeys.REPLICATION_FACTOR, -1) // MM1 left topic creation to the target's broker defaults
        .put(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS, legacy.offsetCommitIntervalMs());
    JsonObject legacyJson = new JsonObject().put("offsetCommitIntervalMs", legacy.offsetCommitIntervalMs())
        .put("abortOnSendFailure", legacy.abortOnSendFailure());
    if (legacy.groupId() != null) {
      legacyJson.put("groupId", legacy.groupId());
    }
    JsonObject mirror = new JsonObject().put("sourceCluster", SOURCE).put("targetCluster", TARGET)
        .put("topicsPattern", topicsRegex(topics)).put("topicsExcludePattern", INTERNAL_TOPICS)
        .put("sourceConnector", new JsonObject().put("tasksMax", numStreams).put("config", sourceConfig))
        .put("legacy", legacyJson);
    JsonObject out = new JsonObject().put("clusters", new JsonArray().add(source).add(target))
        .put("mirrors", new JsonArray().add(mirror));
    if (logging != null) {
      out.put("logging", logging(logging));
    }
    if (tracing != null) {
      out.put("tracing", tracing.copy());
    }
    return out;
  }

  private static JsonObject cluster(String alias, JsonObject client) {
    JsonObject c = new JsonObject().put("alias", alias);
    for (String f : new String[] {"bootstrapServers", "config", "tls", "authentication"}) {
      if (client.containsKey(f)) {
        c.put(f, client.getValue(f) instanceof JsonObject o ? o.copy() : client.getValue(f));
      }
    }
    return c;
  }

  /** MM1's inline {@code mirrormaker.root.logger} is the root level ({@code rootLogger.level}). */
  private static JsonObject logging(JsonObject logging) {
    JsonObject copy = logging.copy();
    if (copy.getValue("loggers") instanceof JsonObject loggers && loggers.containsKey("mirrormaker.root.logger")) {
      Object level = loggers.remove("mirrormaker.root.logger");
      loggers.put("rootLogger.level", level);
    }
    return copy;
  }

  /**
   * MM1's whitelist as a regex, the way MM1's topic filter read it: trimmed, {@code ','} means {@code '|'}, spaces
   * and surrounding quotes dropped; an alternative that is just {@code *} (what MM1 users write) means all topics.
   */
  public static String topicsRegex(String whitelist) {
    String r = whitelist.trim().replace(',', '|').replace(" ", "").replaceAll("^[\"']+", "")
        .replaceAll("[\"']+$", "");
    StringBuilder sb = new StringBuilder();
    for (String alt : r.split("\\|", -1)) {
      sb.append(sb.isEmpty() ? "" : "|").append("*".equals(alt) ? ".*" : alt);
    }
    return sb.toString();
  }
}
