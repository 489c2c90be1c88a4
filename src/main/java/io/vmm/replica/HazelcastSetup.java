package io.vmm.replica;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vmm.metrics.MetricsSetup;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vmm.config.ClusterModeSpec;

import java.io.FileNotFoundException;

/**
 * Builds the Hazelcast config of a replica from the {@code cluster} block. The base is Vert.x's
 * {@code default-cluster.xml} (it holds the {@code __vertx.*} structures the cluster manager needs); on top:
 * the cluster name, the bind address ({@code hazelcast.socket.bind.any=false} so nothing listens on 0.0.0.0),
 * the port, one join mode (TCP-IP members or Kubernetes DNS lookup; multicast and auto-detection off), failure
 * detection after {@code memberTimeoutSeconds} (heartbeats every second), no phone-home, SLF4J logging, and no
 * Hazelcast shutdown hook: on SIGTERM the replica first stores its progress and only then leaves the cluster,
 * so the members taking over its work start from the stored positions. A {@code configFile} is used as it is,
 * with only the shutdown hook turned off.
 */
public final class HazelcastSetup {

  /** Node metadata key carrying a replica's member name; nodes without it (other Vert.x apps) get no work. */
  public static final String MEMBER_NAME = "vmm.memberName";

  private HazelcastSetup() {
  }

  /** The cluster manager for {@code spec}; fails with a clear message when {@code configFile} cannot be read. */
  public static HazelcastClusterManager clusterManager(ClusterModeSpec spec) {
    return new HazelcastClusterManager(config(spec));
  }

  /** The node metadata a replica announces: its member name. */
  public static JsonObject metadata(ClusterModeSpec spec) {
    return new JsonObject().put(MEMBER_NAME, spec.memberName());
  }

  static Config config(ClusterModeSpec spec) {
    Config config;
    if (spec.configFile() != null) {
      try {
        config = new FileSystemXmlConfig(spec.configFile());
      } catch (FileNotFoundException e) {
        throw new IllegalArgumentException("cluster.configFile: cannot read " + spec.configFile(), e);
      }
      config.setProperty("hazelcast.shutdownhook.enabled", "false");
      return config;
    }
    config = ConfigUtil.loadConfig();
    config.setClusterName(spec.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(spec.memberTimeoutSeconds()));
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "5");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(spec.port()).setPortAutoIncrement(true);
    if (spec.host() != null) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      network.getInterfaces().setEnabled(true).clear().addInterface(spec.host());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    if (spec.kubernetesServiceDns() != null) {
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", spec.kubernetesServiceDns())
          .setProperty("service-port", String.valueOf(spec.kubernetesServicePort()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2).setMembers(spec.members());
    }
    return config;
  }

  /**
   * A clustered Vert.x instance (Hazelcast cluster manager, see {@link #config}) reporting into
   * {@code registry}, its event bus bound to {@code cluster.host} and announcing the member name. Completes
   * once this replica has joined the cluster; fails when Hazelcast cannot start (e.g. no free port).
   */
  public static Future<Vertx> newClusteredVertx(PrometheusMeterRegistry registry, ClusterModeSpec cluster) {
    EventBusOptions eventBus = new EventBusOptions().setPort(cluster.eventBusPort())
        .setClusterNodeMetadata(metadata(cluster));
    if (cluster.host() != null) {
      eventBus.setHost(cluster.host()).setClusterPublicHost(cluster.host());
    }
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(MetricsSetup.metricsOptions()).setEventBusOptions(eventBus))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withClusterManager(clusterManager(cluster))
        .buildClustered();
  }
}
