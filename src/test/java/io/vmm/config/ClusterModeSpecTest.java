package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code cluster} block: defaults when absent, the three discovery modes (exactly one when enabled), and
 * every problem reported with its JSON path; plus the default member name taken from the environment.
 */
class ClusterModeSpecTest {

  static JsonObject withCluster(JsonObject cluster) {
    return ConfigParserTest.valid().put("cluster", cluster);
  }

  static ClusterModeSpec parse(JsonObject cluster) {
    return ConfigParser.parse(withCluster(cluster)).cluster();
  }

  static List<String> problems(JsonObject cluster) {
    return ConfigParserTest.problems(withCluster(cluster));
  }

  static void assertProblem(List<String> problems, String prefix) {
    assertTrue(problems.stream().anyMatch(p -> p.startsWith(prefix)), prefix + " not in " + problems);
  }

  @Test
  void absentBlockMeansDisabledWithDefaults() {
    MirrorMakerConfig config = ConfigParser.parse(ConfigParserTest.valid());
    ClusterModeSpec spec = config.cluster();
    assertFalse(spec.enabled());
    assertFalse(config.clustered());
    assertEquals("vertx-mirror-maker", spec.name());
    assertEquals(5701, spec.port());
    assertEquals(0, spec.eventBusPort());
    assertEquals(5, spec.memberTimeoutSeconds());
    assertEquals(List.of(), spec.members());
    assertNull(spec.kubernetesServiceDns());
    assertNull(spec.configFile());
    assertTrue(spec.memberName() != null && !spec.memberName().isBlank());
  }

  @Test
  void enabledWithMembersParses() {
    MirrorMakerConfig config = ConfigParser.parse(withCluster(new JsonObject().put("enabled", true)
        .put("name", "mm-test").put("memberName", "vmm-0").put("host", "127.0.0.1").put("port", 15701)
        .put("eventBusPort", 15801).put("memberTimeoutSeconds", 3)
        .put("members", new JsonArray().add("127.0.0.1:15701").add("127.0.0.2").add("10.0.0.1:5703"))));
    assertTrue(config.clustered());
    ClusterModeSpec spec = config.cluster();
    assertTrue(spec.enabled());
    assertEquals("mm-test", spec.name());
    assertEquals("vmm-0", spec.memberName());
    assertEquals("127.0.0.1", spec.host());
    assertEquals(15701, spec.port());
    assertEquals(15801, spec.eventBusPort());
    assertEquals(3, spec.memberTimeoutSeconds());
    assertEquals(List.of("127.0.0.1:15701", "127.0.0.2", "10.0.0.1:5703"), spec.members());
    assertNull(spec.kubernetesServiceDns());
    assertNull(spec.configFile());
  }

  @Test
  void enabledWithKubernetesServiceDnsParsesWithDefaultServicePort() {
    ClusterModeSpec spec = parse(new JsonObject().put("enabled", true)
        .put("kubernetes", new JsonObject().put("serviceDns", "vmm-hz.ns.svc.cluster.local")));
    assertTrue(spec.enabled());
    assertEquals("vmm-hz.ns.svc.cluster.local", spec.kubernetesServiceDns());
    assertEquals(5701, spec.kubernetesServicePort());
    assertEquals(List.of(), spec.members());
  }

  @Test
  void kubernetesServicePortCanBeSet() {
    ClusterModeSpec spec = parse(new JsonObject().put("enabled", true)
        .put("kubernetes", new JsonObject().put("serviceDns", "vmm-hz").put("servicePort", 5801)));
    assertEquals(5801, spec.kubernetesServicePort());
  }

  @Test
  void enabledWithAReadableConfigFileParses(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("hazelcast.xml"), "<hazelcast/>");
    ClusterModeSpec spec = parse(new JsonObject().put("enabled", true).put("configFile", file.toString()));
    assertEquals(file.toString(), spec.configFile());
  }

  @Test
  void enabledWithoutDiscoveryIsAProblemAtEnabled() {
    List<String> p = problems(new JsonObject().put("enabled", true));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("cluster.enabled: cluster mode needs a way to find the other replicas"), p.get(0));
    assertTrue(p.get(0).contains("cluster.members") && p.get(0).contains("cluster.kubernetes.serviceDns")
        && p.get(0).contains("cluster.configFile"), p.get(0));
  }

  @Test
  void disabledWithoutDiscoveryIsFine() {
    assertFalse(parse(new JsonObject().put("enabled", false)).enabled());
    assertFalse(parse(new JsonObject()).enabled());
  }

  @Test
  void twoDiscoveryModesAreAProblem() {
    List<String> p = problems(new JsonObject().put("enabled", true)
        .put("members", new JsonArray().add("10.0.0.1"))
        .put("kubernetes", new JsonObject().put("serviceDns", "vmm-hz")));
    assertEquals(List.of("cluster.enabled: set only one of cluster.members, cluster.kubernetes.serviceDns and "
        + "cluster.configFile"), p);
  }

  @Test
  void unknownFieldIsReportedWithItsPath() {
    List<String> p = problems(new JsonObject().put("enabled", true).put("members", new JsonArray().add("h"))
        .put("membres", new JsonArray().add("h")));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("cluster.membres: unknown field (did you mean members?)"), p.get(0));
  }

  @Test
  void unknownFieldInKubernetesIsReportedWithItsPath() {
    List<String> p = problems(new JsonObject().put("enabled", true)
        .put("kubernetes", new JsonObject().put("serviceDns", "vmm-hz").put("namespace", "x")));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("cluster.kubernetes.namespace: unknown field"), p.get(0));
  }

  @Test
  void badMemberPortIsReportedAtItsIndex() {
    List<String> p = problems(new JsonObject().put("enabled", true)
        .put("members", new JsonArray().add("host:abc").add("ok:5701")));
    assertEquals(List.of("cluster.members[0]: expected host or host:port, got \"host:abc\""), p);
  }

  @Test
  void memberTimeoutOutOfRangeIsReported() {
    List<String> p = problems(new JsonObject().put("enabled", true).put("members", new JsonArray().add("h"))
        .put("memberTimeoutSeconds", 1));
    assertEquals(List.of("cluster.memberTimeoutSeconds: must be between 2 and 300, got 1"), p);
    assertProblem(problems(new JsonObject().put("memberTimeoutSeconds", 301)), "cluster.memberTimeoutSeconds: ");
  }

  @Test
  void missingConfigFileIsReported(@TempDir Path dir) {
    String missing = dir.resolve("nope.xml").toString();
    List<String> p = problems(new JsonObject().put("enabled", true).put("configFile", missing));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("cluster.configFile: cannot read Hazelcast config file"), p.get(0));
    assertTrue(p.get(0).contains(missing), p.get(0));
  }

  @Test
  void blankNameIsReported() {
    assertProblem(problems(new JsonObject().put("name", " ")), "cluster.name: must not be blank");
  }

  @Test
  void clusteredReflectsEnabled() {
    assertTrue(ConfigParser.parse(withCluster(new JsonObject().put("enabled", true)
        .put("members", new JsonArray().add("127.0.0.1")))).clustered());
    assertFalse(ConfigParser.parse(withCluster(new JsonObject().put("enabled", false)
        .put("members", new JsonArray().add("127.0.0.1")))).clustered());
  }

  @Test
  void defaultMemberNamePrefersVmmMemberNameThenHostname() {
    assertEquals("vmm-1", ClusterModeSpec.defaultMemberName(env(Map.of("VMM_MEMBER_NAME", "vmm-1", "HOSTNAME", "pod-7"))));
    assertEquals("pod-7", ClusterModeSpec.defaultMemberName(env(Map.of("HOSTNAME", "pod-7"))));
    assertEquals("pod-7", ClusterModeSpec.defaultMemberName(env(Map.of("VMM_MEMBER_NAME", "  ", "HOSTNAME", "pod-7"))));
    assertEquals("vmm-1", ClusterModeSpec.defaultMemberName(env(Map.of("VMM_MEMBER_NAME", " vmm-1 "))));
    String fallback = ClusterModeSpec.defaultMemberName(env(Map.of()));
    assertTrue(fallback != null && !fallback.isBlank(), fallback);
  }

  @Test
  void environmentGivesTheDefaultMemberNameAndHost() {
    Environment env = env(Map.of("VMM_MEMBER_NAME", "vmm-2", "POD_IP", "10.1.2.3"));
    ClusterModeSpec spec = ConfigParser.parse(withCluster(new JsonObject().put("enabled", true)
        .put("members", new JsonArray().add("10.1.2.4"))), env).cluster();
    assertEquals("vmm-2", spec.memberName());
    assertEquals("10.1.2.3", spec.host());
    assertEquals("vmm-2", ConfigParser.parse(ConfigParserTest.valid(), env).cluster().memberName());
    assertEquals("vmm-2", ClusterModeSpec.disabled(env).memberName());
  }

  @Test
  void configWinsOverTheEnvironment() {
    Environment env = env(Map.of("VMM_MEMBER_NAME", "vmm-2", "POD_IP", "10.1.2.3"));
    ClusterModeSpec spec = ConfigParser.parse(withCluster(new JsonObject().put("enabled", true)
        .put("memberName", "vmm-0").put("host", "127.0.0.1").put("members", new JsonArray().add("h"))), env).cluster();
    assertEquals("vmm-0", spec.memberName());
    assertEquals("127.0.0.1", spec.host());
    assertNull(ConfigParser.parse(withCluster(new JsonObject()), env(Map.of("POD_IP", " "))).cluster().host());
  }

  private static Environment env(Map<String, String> variables) {
    return new Environment(variables);
  }
}
