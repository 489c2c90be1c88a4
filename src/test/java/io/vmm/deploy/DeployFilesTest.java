package io.vmm.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ClusterModeSpec;
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
 *   <li>the workload is a StatefulSet (stable pod names are stable member names) and there is no Deployment;
 *   its liveness and readiness probes GET {@code /health/live} and {@code /health/ready} on the container port
 *   named {@code http}, its container ports are {@code http} 8083, {@code metrics} 9404, {@code hazelcast} 5701
 *   and {@code eventbus} 17001, its scrape annotations point at the port named {@code metrics} (9404) and
 *   {@code /metrics}, the ConfigMap is mounted as a directory at {@code /etc/vmm/config} (no {@code subPath}, which
 *   would stop live config updates), and the normal Service exposes exactly {@code http} and {@code metrics};</li>
 *   <li>cluster mode on Kubernetes: more than one replica, {@code podManagementPolicy: Parallel}, {@code POD_IP}
 *   from the downward API ({@code status.podIP}), a preferred pod anti-affinity on {@code kubernetes.io/hostname}
 *   selecting the app label, and a {@code serviceName} that names a headless Service ({@code clusterIP: None},
 *   {@code publishNotReadyAddresses: true}) exposing the {@code hazelcast} port; the PodDisruptionBudget allows
 *   one pod down ({@code maxUnavailable: 1}) and selects the StatefulSet's pods;</li>
 *   <li>the ConfigMap's {@code config.json} is accepted by {@link ConfigParser#parse}, its ports match the
 *   container ports, and it enables cluster mode with DNS discovery: {@code kubernetes.serviceDns} is
 *   {@code <headless Service>.<namespace>.svc...}, and {@code eventBusPort} is the container port
 *   {@code eventbus};</li>
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
  void statefulSetProbesPortsScrapeAnnotationsAndConfigMount() throws IOException {
    Map<String, List<Map<String, Object>>> manifests = manifests();
    assertTrue(ofKindAll(manifests, "Deployment").isEmpty(), "the workload is a StatefulSet, not a Deployment");
    Map<String, Object> spec = map(ofKind(manifests, "StatefulSet"), "spec");

    Map<String, Object> annotations = map(spec, "template", "metadata", "annotations");
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals("9404", annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));

    Map<String, Object> container = container(spec);
    assertEquals(Map.of("http", 8083, "metrics", 9404, "hazelcast", 5701, "eventbus", 17001),
        containerPorts(container));

    assertEquals("/health/live", string(container, "livenessProbe", "httpGet", "path"));
    assertEquals("http", string(container, "livenessProbe", "httpGet", "port"));
    assertEquals("/health/ready", string(container, "readinessProbe", "httpGet", "path"));
    assertEquals("http", string(container, "readinessProbe", "httpGet", "port"));

    Map<String, Object> podSpec = map(spec, "template", "spec");
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
        assertEquals("/etc/vmm/config", m.get("mountPath"));
        assertNull(m.get("subPath"), "subPath mounts never see ConfigMap updates");
        mounted = true;
      }
    }
    assertTrue(mounted, "ConfigMap volume is not mounted");

    assertEquals(Map.of("http", 8083, "metrics", 9404), servicePorts(normalService(manifests)), "Service ports");
  }

  @Test
  void statefulSetFormsAClusterThroughTheHeadlessService() throws IOException {
    Map<String, List<Map<String, Object>>> manifests = manifests();
    Map<String, Object> spec = map(ofKind(manifests, "StatefulSet"), "spec");
    assertTrue(spec.get("replicas") instanceof Integer r && r > 1, "cluster mode runs several replicas");
    assertEquals("Parallel", spec.get("podManagementPolicy"));
    assertEquals("vertx-mirror-maker", string(spec, "selector", "matchLabels", "app.kubernetes.io/name"));
    assertEquals("vertx-mirror-maker", string(spec, "template", "metadata", "labels", "app.kubernetes.io/name"));

    Map<String, Object> container = container(spec);
    String podIp = null;
    for (Map<String, Object> e : this.<Map<String, Object>>list(container, "env")) {
      if ("POD_IP".equals(e.get("name"))) {
        podIp = string(e, "valueFrom", "fieldRef", "fieldPath");
      }
    }
    assertEquals("status.podIP", podIp, "env POD_IP from the downward API");

    List<Map<String, Object>> antiAffinity = list(map(spec, "template", "spec", "affinity", "podAntiAffinity"),
        "preferredDuringSchedulingIgnoredDuringExecution");
    assertTrue(antiAffinity.stream().anyMatch(a ->
            "kubernetes.io/hostname".equals(string(a, "podAffinityTerm", "topologyKey"))
                && "vertx-mirror-maker".equals(string(a, "podAffinityTerm", "labelSelector", "matchLabels",
                "app.kubernetes.io/name"))),
        "pod anti-affinity on kubernetes.io/hostname by the app label");

    Object serviceName = spec.get("serviceName");
    assertNotNull(serviceName, "StatefulSet serviceName");
    List<Map<String, Object>> named = ofKindAll(manifests, "Service").stream()
        .filter(s -> serviceName.equals(string(s, "metadata", "name"))).toList();
    assertEquals(1, named.size(), "serviceName " + serviceName + " names one Service");
    Map<String, Object> headlessSpec = map(named.get(0), "spec");
    assertEquals("None", headlessSpec.get("clusterIP"), serviceName + " must be headless");
    assertEquals(Boolean.TRUE, headlessSpec.get("publishNotReadyAddresses"),
        "members must find each other before they are ready");
    assertEquals("vertx-mirror-maker", string(headlessSpec, "selector", "app.kubernetes.io/name"));
    Map<String, Integer> ports = servicePorts(named.get(0));
    assertEquals(containerPorts(container).get("hazelcast"), ports.get("hazelcast"),
        serviceName + " exposes the hazelcast port");

    Map<String, Object> pdb = map(ofKind(manifests, "PodDisruptionBudget"), "spec");
    assertEquals(1, pdb.get("maxUnavailable"));
    assertNull(pdb.get("minAvailable"));
    assertEquals(map(spec, "selector", "matchLabels"), map(pdb, "selector", "matchLabels"), "PDB selector");
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

    Map<String, Object> statefulSet = map(ofKind(manifests, "StatefulSet"), "spec");
    Map<String, Integer> ports = containerPorts(container(statefulSet));
    ClusterModeSpec cluster = config.cluster();
    assertTrue(config.clustered(), "cluster.enabled");
    assertEquals(ports.get("hazelcast"), cluster.port(), "cluster.port is the container port hazelcast");
    assertEquals(ports.get("eventbus"), cluster.eventBusPort(), "cluster.eventBusPort is the container port eventbus");
    assertTrue(cluster.members().isEmpty(), "DNS discovery, not a member list");
    assertNull(cluster.configFile(), "DNS discovery, not a Hazelcast config file");
    String dns = cluster.kubernetesServiceDns();
    assertNotNull(dns, "cluster.kubernetes.serviceDns");
    String[] labels = dns.split("\\.");
    assertEquals(statefulSet.get("serviceName"), labels[0], "serviceDns must name the headless Service: " + dns);
    assertTrue(labels.length >= 3 && "svc".equals(labels[2]), "serviceDns is <service>.<namespace>.svc...: " + dns);
    assertEquals(ports.get("hazelcast"), cluster.kubernetesServicePort());
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
  /** Secrets are mounted one directory per Secret under $VMM_SECRETS_DIR; the rack id comes from the zone. */
  @Test
  void secretsAreMountedWhereTheSecretsDirSays() throws IOException {
    Map<String, Object> spec = map(ofKind(manifests(), "StatefulSet"), "spec");
    Map<String, Object> container = container(spec);
    Map<String, Object> env = new java.util.HashMap<>();
    for (Map<String, Object> e : this.<Map<String, Object>>list(container, "env")) {
      env.put((String) e.get("name"), e.get("value") != null ? e.get("value") : e.get("valueFrom"));
    }
    assertEquals(io.vmm.config.Environment.DEFAULT_SECRETS_DIR, env.get(io.vmm.config.Environment.SECRETS_DIR));
    assertNotNull(env.get(io.vmm.config.Environment.RACK_ID), "VMM_RACK_ID is set from the node's zone");
    Map<String, String> secretVolumes = new java.util.HashMap<>(); // volume name -> Secret name
    for (Map<String, Object> v : this.<Map<String, Object>>list(map(spec, "template", "spec"), "volumes")) {
      if (v.get("secret") instanceof Map<?, ?> secret) {
        secretVolumes.put((String) v.get("name"), (String) secret.get("secretName"));
      }
    }
    assertFalse(secretVolumes.isEmpty(), "no Secret volume");
    for (Map<String, Object> m : this.<Map<String, Object>>list(container, "volumeMounts")) {
      String secretName = secretVolumes.remove((String) m.get("name"));
      if (secretName != null) {
        assertEquals(io.vmm.config.Environment.DEFAULT_SECRETS_DIR + "/" + secretName, m.get("mountPath"));
      }
    }
    assertTrue(secretVolumes.isEmpty(), "Secret volumes not mounted: " + secretVolumes);
  }

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
    List<Map<String, Object>> found = ofKindAll(manifests, kind);
    assertEquals(1, found.size(), "expected one " + kind);
    return found.get(0);
  }

  private static List<Map<String, Object>> ofKindAll(Map<String, List<Map<String, Object>>> manifests,
                                                     String kind) {
    return manifests.values().stream().flatMap(List::stream).filter(d -> kind.equals(d.get("kind"))).toList();
  }

  /** The one Service that is not headless: REST API and metrics. */
  private static Map<String, Object> normalService(Map<String, List<Map<String, Object>>> manifests) {
    List<Map<String, Object>> found = ofKindAll(manifests, "Service").stream()
        .filter(s -> !"None".equals(map(s, "spec").get("clusterIP"))).toList();
    assertEquals(1, found.size(), "expected one Service with a cluster IP");
    return found.get(0);
  }

  /** The only container of a workload's pod template. */
  private Map<String, Object> container(Map<String, Object> workloadSpec) {
    List<Map<String, Object>> containers = list(map(workloadSpec, "template", "spec"), "containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  /** A container's ports: name to containerPort. */
  private Map<String, Integer> containerPorts(Map<String, Object> container) {
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (Map<String, Object> p : this.<Map<String, Object>>list(container, "ports")) {
      ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
    }
    return ports;
  }

  /** A Service's ports: name to port. */
  private Map<String, Integer> servicePorts(Map<String, Object> service) {
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (Map<String, Object> p : this.<Map<String, Object>>list(map(service, "spec"), "ports")) {
      ports.put((String) p.get("name"), (Integer) p.get("port"));
    }
    return ports;
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
