package io.vmm.replica;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vmm.config.ClusterModeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Hazelcast config built from the {@code cluster} block (no member is started): bind address, exactly one
 * join mode, failure detection, no shutdown hook, and the Vert.x structures of {@code default-cluster.xml} kept;
 * a {@code configFile} is used as it is except for the shutdown hook.
 */
class HazelcastSetupTest {

  static ClusterModeSpec tcpIp() {
    return new ClusterModeSpec(true, "mm-test", "vmm-0", "127.0.0.1", 15701, 0,
        List.of("127.0.0.1:15701", "127.0.0.1:15702"), null, 5701, null, 7);
  }

  static ClusterModeSpec kubernetes() {
    return new ClusterModeSpec(true, "mm-k8s", "vmm-0", null, 5701, 0, List.of(),
        "vmm-hz.ns.svc.cluster.local", 5801, null, 5);
  }

  @Test
  void tcpIpMembersWithHost() {
    Config config = HazelcastSetup.config(tcpIp());
    assertEquals("mm-test", config.getClusterName());
    assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals(15701, config.getNetworkConfig().getPort());
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1:15701", "127.0.0.1:15702"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertEquals("7", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
  }

  @Test
  void vertxStructuresFromDefaultClusterXmlAreKept() {
    Config config = HazelcastSetup.config(tcpIp());
    assertTrue(config.getMultiMapConfigs().containsKey("__vertx.subs"), config.getMultiMapConfigs().keySet().toString());
    assertTrue(config.getMapConfigs().containsKey("__vertx.haInfo"), config.getMapConfigs().keySet().toString());
    assertTrue(config.getMapConfigs().containsKey("__vertx.nodeInfo"), config.getMapConfigs().keySet().toString());
  }

  @Test
  void withoutHostNothingIsPinned() {
    Config config = HazelcastSetup.config(kubernetes());
    assertNull(config.getProperty("hazelcast.socket.bind.any"));
    assertFalse(config.getNetworkConfig().getInterfaces().isEnabled());
  }

  @Test
  void kubernetesServiceDns() {
    Config config = HazelcastSetup.config(kubernetes());
    assertEquals("mm-k8s", config.getClusterName());
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("vmm-hz.ns.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals("5801", join.getKubernetesConfig().getProperty("service-port"));
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
  }

  @Test
  void configFileIsUsedAsItIsWithoutShutdownHook(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("hazelcast.xml"), """
        <?xml version="1.0" encoding="UTF-8"?>
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>from-file</cluster-name>
          <network>
            <port auto-increment="false">16701</port>
          </network>
        </hazelcast>
        """);
    ClusterModeSpec spec = new ClusterModeSpec(true, "ignored-name", "vmm-0", "127.0.0.1", 5701, 0, List.of(),
        null, 5701, file.toString(), 5);
    Config config = HazelcastSetup.config(spec);
    assertEquals("from-file", config.getClusterName());
    assertEquals(16701, config.getNetworkConfig().getPort());
    assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
    assertNull(config.getProperty("hazelcast.max.no.heartbeat.seconds"));
  }

  @Test
  void unreadableConfigFileFailsWithItsPath(@TempDir Path dir) {
    String missing = dir.resolve("missing.xml").toString();
    ClusterModeSpec spec = new ClusterModeSpec(true, "x", "vmm-0", null, 5701, 0, List.of(), null, 5701, missing, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HazelcastSetup.config(spec));
    assertTrue(e.getMessage().startsWith("cluster.configFile: cannot read " + missing), e.getMessage());
  }

  @Test
  void metadataCarriesTheMemberName() {
    assertEquals("vmm-0", HazelcastSetup.metadata(tcpIp()).getString(HazelcastSetup.MEMBER_NAME));
  }
}
