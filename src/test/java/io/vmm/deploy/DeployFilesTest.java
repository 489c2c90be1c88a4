package io.vmm.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConfigParser;
import io.vmm.config.MirrorMakerConfig;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the files under {@code deploy/} without Kafka or Kubernetes:
 * <ul>
 *   <li>every {@code deploy/kubernetes/*.yaml} parses (SnakeYAML, safe constructor, all documents) and each
 *   resource has {@code apiVersion}, {@code kind} and, except the Kustomization, {@code metadata.name};</li>
 *   <li>{@code kustomization.yaml} lists only existing files, and every manifest except the optional
 *   {@code servicemonitor.yaml};</li>
 *   <li>the Deployment's liveness and readiness probes GET {@code /health/live} and {@code /health/ready} on
 *   the container port named {@code http}, its scrape annotations point at the port named {@code metrics}
 *   (9404) and {@code /metrics}, and the ConfigMap is mounted as a directory at {@code /etc/vmm} (no
 *   {@code subPath}, which would stop live config updates);</li>
 *   <li>the ConfigMap's {@code config.json} is accepted by {@link ConfigParser#parse} and its ports match the
 *   container ports;</li>
 *   <li>the Grafana dashboard parses, declares the {@code DS_PROMETHEUS} input and the {@code source},
 *   {@code target} and {@code topic} variables, every panel (rows aside) has targets with a non-empty
 *   {@code expr}, and every {@code kafka_connect_mirror_*} or {@code vmm_*} metric it uses is one the app
 *   exports ({@link #KNOWN_METRICS}), so a typo fails here.</li>
 * </ul>
 * Paths are relative to the working directory, which Maven sets to the repository root.
 */
class DeployFilesTest {

  private static final Path DEPLOY = Path.of("deploy");
  private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
  private static final Path DASHBOARD = DEPLOY.resolve("grafana/vertx-mirror-maker-dashboard.json");
  /** Manifests kept out of the kustomization on purpose (they need CRDs not every cluster has). */
  private static final Set<String> OPTIONAL = Set.of("servicemonitor.yaml");
  private static final Pattern METRIC = Pattern.compile("\\b(kafka_connect_mirror_\\w+|vmm_\\w+)");

  /** The app's MM2-compatible and own metric names (Prometheus form). */
  static final Set<String> KNOWN_METRICS = Set.of(
      "kafka_connect_mirror_source_connector_record_count",
      "kafka_connect_mirror_source_connector_record_rate",
      "kafka_connect_mirror_source_connector_byte_count",
      "kafka_connect_mirror_source_connector_byte_rate",
      "kafka_connect_mirror_source_connector_record_age_ms",
      "kafka_connect_mirror_source_connector_record_age_ms_min",
      "kafka_connect_mirror_source_connector_record_age_ms_max",
      "kafka_connect_mirror_source_connector_record_age_ms_avg",
      "kafka_connect_mirror_source_connector_replication_latency_ms",
      "kafka_connect_mirror_source_connector_replication_latency_ms_min",
      "kafka_connect_mirror_source_connector_replication_latency_ms_max",
      "kafka_connect_mirror_source_connector_replication_latency_ms_avg",
      "kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms",
      "kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms_min",
      "kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms_max",
      "kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms_avg",
      "vmm_replication_lag_records",
      "vmm_replication_lag_ms",
      "vmm_heartbeat_age_ms",
      "vmm_inflight_records",
      "vmm_inflight_bytes",
      "vmm_failed_partitions",
      "vmm_source_resets",
      "vmm_connector_running",
      "vmm_config_reloads_total");

  @Test
  void kubernetesManifestsParseAndKustomizationListsThem() throws IOException {
    Map<String, List<Map<String, Object>>> manifests = manifests();
    assertTrue(manifests.containsKey("kustomization.yaml"), "kustomization.yaml is missing");
    for (Map.Entry<String, List<Map<String, Object>>> e : manifests.entrySet()) {
      assertFalse(e.getValue().isEmpty(), e.getKey() + " has no document");
      for (Map<String, Object> doc : e.getValue()) {
        assertNotNull(doc.get("apiVersion"), e.getKey() + ": apiVersion");
        assertNotNull(doc.get("kind"), e.getKey() + ": kind");
        if (!"Kustomization".equals(doc.get("kind"))) {
          assertNotNull(string(doc, "metadata", "name"), e.getKey() + ": metadata.name");
          assertNull(map(doc, "metadata").get("namespace"), e.getKey() + ": manifests must not set a namespace");
          assertEquals("vertx-mirror-maker", string(doc, "metadata", "labels", "app.kubernetes.io/name"),
              e.getKey() + ": app label");
        }
      }
    }
    List<String> resources = list(single(manifests, "kustomization.yaml"), "resources");
    for (String r : resources) {
      assertTrue(Files.isRegularFile(KUBERNETES.resolve(r)), "kustomization lists missing file " + r);
    }
    for (String file : manifests.keySet()) {
      if (!file.equals("kustomization.yaml") && !OPTIONAL.contains(file)) {
        assertTrue(resources.contains(file), "kustomization.yaml does not list " + file);
      }
    }
    for (String file : OPTIONAL) {
      assertFalse(resources.contains(file), file + " is optional and must not be listed by default");
    }
  }

  @Test
  void deploymentProbesPortsScrapeAnnotationsAndConfigMount() throws IOException {
    Map<String, List<Map<String, Object>>> manifests = manifests();
    Map<String, Object> deployment = ofKind(manifests, "Deployment");
    Map<String, Object> spec = map(deployment, "spec");
    assertEquals(1, spec.get("replicas"), "one replica until cluster mode exists");

    Map<String, Object> annotations = map(spec, "template", "metadata", "annotations");
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals("9404", annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));

    Map<String, Object> podSpec = map(spec, "template", "spec");
    List<Map<String, Object>> containers = list(podSpec, "containers");
    assertEquals(1, containers.size());
    Map<String, Object> container = containers.get(0);
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (Map<String, Object> p : this.<Map<String, Object>>list(container, "ports")) {
      ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
    }
    assertEquals(Map.of("http", 8083, "metrics", 9404), ports);

    assertEquals("/health/live", string(container, "livenessProbe", "httpGet", "path"));
    assertEquals("http", string(container, "livenessProbe", "httpGet", "port"));
    assertEquals("/health/ready", string(container, "readinessProbe", "httpGet", "path"));
    assertEquals("http", string(container, "readinessProbe", "httpGet", "port"));

    String configMapName = string(ofKind(manifests, "ConfigMap"), "metadata", "name");
    String volumeName = null;
    for (Map<String, Object> v : this.<Map<String, Object>>list(podSpec, "volumes")) {
      if (v.get("configMap") instanceof Map<?, ?> cm && configMapName.equals(cm.get("name"))) {
        volumeName = (String) v.get("name");
      }
    }
    assertNotNull(volumeName, "no volume for ConfigMap " + configMapName);
    boolean mounted = false;
    for (Map<String, Object> m : this.<Map<String, Object>>list(container, "volumeMounts")) {
      if (volumeName.equals(m.get("name"))) {
        assertEquals("/etc/vmm", m.get("mountPath"));
        assertNull(m.get("subPath"), "subPath mounts never see ConfigMap updates");
        mounted = true;
      }
    }
    assertTrue(mounted, "ConfigMap volume is not mounted");

    Map<String, Integer> servicePorts = new java.util.HashMap<>();
    for (Map<String, Object> p : this.<Map<String, Object>>list(map(ofKind(manifests, "Service"), "spec"),
        "ports")) {
      servicePorts.put((String) p.get("name"), (Integer) p.get("port"));
    }
    assertEquals(ports, servicePorts, "Service ports");
  }

  @Test
  void configMapConfigParses() throws IOException {
    Map<String, List<Map<String, Object>>> manifests = manifests();
    String text = string(ofKind(manifests, "ConfigMap"), "data", "config.json");
    assertNotNull(text, "ConfigMap has no config.json");
    MirrorMakerConfig config = ConfigParser.parse(new JsonObject(text));
    assertEquals(1, config.flows().size());
    assertEquals("source->target", config.flows().get(0).name());
    assertEquals(8083, config.httpPort());
    assertEquals(9404, config.metricsPort());
  }

  @Test
  void dashboardUsesOnlyKnownMetrics() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    assertEquals(39, dashboard.getInteger("schemaVersion"));
    assertTrue(dashboard.getJsonArray("__inputs").stream()
        .anyMatch(i -> "DS_PROMETHEUS".equals(((JsonObject) i).getString("name"))), "__inputs DS_PROMETHEUS");
    Set<String> variables = new HashSet<>();
    for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      variables.add(((JsonObject) v).getString("name"));
    }
    assertTrue(variables.containsAll(Set.of("DS_PROMETHEUS", "source", "target", "topic")), variables.toString());

    JsonArray panels = dashboard.getJsonArray("panels");
    assertFalse(panels.isEmpty());
    Set<Integer> ids = new HashSet<>();
    Set<String> used = new TreeSet<>();
    Set<String> unknown = new TreeSet<>();
    for (Object o : panels) {
      JsonObject panel = (JsonObject) o;
      String title = panel.getString("title");
      assertTrue(ids.add(panel.getInteger("id")), "duplicate panel id " + panel.getInteger("id"));
      if ("row".equals(panel.getString("type"))) {
        continue;
      }
      JsonArray targets = panel.getJsonArray("targets");
      assertTrue(targets != null && !targets.isEmpty(), title + ": no targets");
      for (Object t : targets) {
        String expr = ((JsonObject) t).getString("expr");
        assertTrue(expr != null && !expr.isBlank(), title + ": empty expr");
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
          used.add(m.group(1));
          if (!KNOWN_METRICS.contains(m.group(1))) {
            unknown.add(title + ": " + m.group(1));
          }
        }
      }
    }
    assertTrue(unknown.isEmpty(), "unknown metrics " + unknown);
    assertTrue(used.contains("kafka_connect_mirror_source_connector_record_count"), used.toString());
  }

  // ---- helpers

  /** Every YAML file of deploy/kubernetes by file name, each as its list of documents. */
  private static Map<String, List<Map<String, Object>>> manifests() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(KUBERNETES)) {
      files = s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no YAML in " + KUBERNETES.toAbsolutePath());
    Map<String, List<Map<String, Object>>> out = new java.util.TreeMap<>();
    for (Path f : files) {
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      List<Map<String, Object>> docs = new ArrayList<>();
      for (Object doc : yaml.loadAll(Files.readString(f))) {
        if (doc == null) {
          continue; // an empty document, e.g. after a trailing ---
        }
        if (!(doc instanceof Map)) {
          fail(f + ": a document is not a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) doc;
        docs.add(m);
      }
      out.put(f.getFileName().toString(), docs);
    }
    return out;
  }

  private static Map<String, Object> single(Map<String, List<Map<String, Object>>> manifests, String file) {
    assertEquals(1, manifests.get(file).size(), file + " should hold one document");
    return manifests.get(file).get(0);
  }

  private static Map<String, Object> ofKind(Map<String, List<Map<String, Object>>> manifests, String kind) {
    List<Map<String, Object>> found = manifests.values().stream().flatMap(List::stream)
        .filter(d -> kind.equals(d.get("kind"))).toList();
    assertEquals(1, found.size(), "expected one " + kind);
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> node, String... path) {
    Object at = node;
    for (String key : path) {
      assertTrue(at instanceof Map, "not a mapping at " + key + " of " + String.join(".", path));
      at = ((Map<String, Object>) at).get(key);
    }
    assertTrue(at instanceof Map, String.join(".", path) + " is not a mapping");
    return (Map<String, Object>) at;
  }

  private static String string(Map<String, Object> node, String... path) {
    Map<String, Object> parent = map(node, java.util.Arrays.copyOf(path, path.length - 1));
    Object value = parent.get(path[path.length - 1]);
    return value == null ? null : value.toString();
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> list(Map<String, Object> node, String key) {
    Object value = node.get(key);
    assertTrue(value instanceof List, key + " is not a list");
    return (List<T>) value;
  }
}
