package io.vmm.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this mirror does with every field of Strimzi's {@code KafkaMirrorMaker2} spec: applied as Strimzi means it,
 * mapped to something of ours, or ignored, with the reason. The parser logs one warning per ignored field present
 * in a document ({@link #ignoredReason}); the README's field table lists the same rows (a test keeps them in step).
 * Paths use {@code []} for array elements and {@code *Connector} for the three connector blocks.
 */
public final class StrimziFields {

  /** How a field is handled. */
  public enum Handling { APPLIED, MAPPED, IGNORED }

  /** One field: how it is handled and what that means here. */
  public record Field(Handling handling, String note) {
  }

  /** Every field, in the order of Strimzi's schema reference. */
  public static final Map<String, Field> FIELDS = fields();

  private StrimziFields() {
  }

  private static Map<String, Field> fields() {
    Map<String, Field> m = new LinkedHashMap<>();
    ignored(m, "version", "the Kafka version is the one this mirror is built with (kafka-clients 4.1)");
    ignored(m, "replicas", "run more processes with cluster mode (the `cluster` block) instead");
    ignored(m, "image", "a container image is chosen by your deployment, not by the process");
    ignored(m, "connectCluster", "there is no Kafka Connect cluster; progress goes to each flow's target cluster");
    m.put("clusters", new Field(Handling.APPLIED, "alias, bootstrapServers, config, tls, authentication"));
    m.put("clusters[].tls", new Field(Handling.APPLIED, "trustedCertificates from mounted Secrets (PEM truststore)"));
    m.put("clusters[].authentication", new Field(Handling.APPLIED, "tls, scram-sha-256, scram-sha-512, plain, "
        + "oauth (client credentials, refresh token or static token) from mounted Secrets"));
    m.put("mirrors", new Field(Handling.APPLIED, "one flow per source->target pair"));
    m.put("mirrors[].*Connector", new Field(Handling.APPLIED,
        "tasksMax, state (and the deprecated pause), config; an omitted connector is not run"));
    m.put("mirrors[].*Connector.autoRestart", new Field(Handling.APPLIED,
        "restarts FAILED connectors and tasks with Strimzi's backoff"));
    ignored(m, "mirrors[].*Connector.listOffsets", "offsets are served by GET /api/offsets/translate and the progress topic");
    ignored(m, "mirrors[].*Connector.alterOffsets", "stop the flow and write the progress topic instead");
    ignored(m, "resources", "set container resources in your deployment (deploy/)");
    ignored(m, "livenessProbe", "the probe endpoints are /health/live and /health/ready; set timings in your deployment");
    ignored(m, "readinessProbe", "the probe endpoints are /health/live and /health/ready; set timings in your deployment");
    ignored(m, "jvmOptions", "set JVM flags on the java command line (README: JVM settings)");
    ignored(m, "jmxOptions", "metrics are served as Prometheus text on metrics.port, not over JMX");
    m.put("logging", new Field(Handling.APPLIED, "inline loggers; external from a mounted ConfigMap"));
    ignored(m, "clientRackInitImage", "no init container: the rack id comes from $VMM_RACK_ID");
    m.put("rack", new Field(Handling.MAPPED, "client.rack of the source consumers from $VMM_RACK_ID"));
    m.put("tracing", new Field(Handling.APPLIED, "type opentelemetry: a span per mirrored record that continues the "
        + "source record's trace; exporter from the OTEL_* environment variables"));
    ignored(m, "template", "Kubernetes objects are yours to write (deploy/ has a starting point)");
    ignored(m, "externalConfiguration", "mount Secrets and ConfigMaps as files and use config providers instead");
    ignored(m, "metricsConfig", "metrics are always on, with MM2's names, on metrics.port");
    return java.util.Collections.unmodifiableMap(m);
  }

  private static void ignored(Map<String, Field> m, String path, String why) {
    m.put(path, new Field(Handling.IGNORED, why));
  }

  /**
   * Why a field found at {@code jsonPath} in a document is ignored, or a generic reason for a field this table does
   * not name (e.g. a newer Strimzi field).
   */
  public static String ignoredReason(String jsonPath) {
    String normal = jsonPath.replaceAll("\\[\\d+]", "[]").replaceAll("\\b(source|checkpoint|heartbeat)Connector\\b",
        "*Connector");
    Field f = FIELDS.get(normal);
    return f != null && f.handling() == Handling.IGNORED ? f.note() : "it has no meaning for this mirror";
  }
}
