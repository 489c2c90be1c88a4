package io.vmm.config;

import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration: the JSON form of Strimzi's {@code KafkaMirrorMaker2} spec plus service
 * blocks (shared/design.md §1). Immutable. Build it with {@link ConfigParser#parse}.
 *
 * @param clusters    every cluster, in document order
 * @param flows       every mirror, in document order
 * @param httpPort    REST/health port ({@code http.port}, default 8083)
 * @param metricsPort Prometheus port ({@code metrics.port}, default 9404)
 * @param cluster     the {@code cluster} block: run as one member of a Vert.x cluster of replicas, and how
 * @param httpToken   {@code http.token}: bearer token the REST API's mutating endpoints require, or null for none
 *                    (the environment variable {@code VMM_HTTP_TOKEN} wins when set)
 * @param loggers     {@code logging.loggers}: logger name (or {@code ROOT}) to level, see {@link LoggingSpec}
 * @param reloadEnabled {@code reload.enabled}: watch the config file and apply changes live (default true)
 * @param reloadScanMs  {@code reload.scanPeriodMs}: how often the file is read, ms (default 5000)
 * @param clientRack    Strimzi's {@code rack}: the {@code client.rack} of the source consumers (follower fetching),
 *                      from {@code $VMM_RACK_ID}; null when {@code rack} is absent or no rack id is set
 * @param tracing       Strimzi's {@code tracing}: whether mirrored records are traced; {@link TracingSpec#OFF} when
 *                      the block is absent
 */
public record MirrorMakerConfig(List<ClusterSpec> clusters, List<FlowSpec> flows, int httpPort, int metricsPort,
                                ClusterModeSpec cluster, String httpToken, Map<String, String> loggers,
                                boolean reloadEnabled, int reloadScanMs, String clientRack,
                                TracingSpec tracing) {

  /** {@code cluster.enabled}: this replica is one member of a Vert.x cluster. */
  public boolean clustered() {
    return cluster.enabled();
  }

  /** Every field; the HTTP token as {@code [hidden]} and cluster secrets hidden ({@link ClusterSpec#toString}). */
  @Override
  public String toString() {
    return "MirrorMakerConfig[clusters=" + clusters + ", flows=" + flows + ", httpPort=" + httpPort
        + ", metricsPort=" + metricsPort + ", cluster=" + cluster + ", httpToken=" + Secrets.hidden(httpToken)
        + ", loggers=" + loggers + ", reloadEnabled=" + reloadEnabled + ", reloadScanMs=" + reloadScanMs
        + ", tracing=" + tracing + "]";
  }

  /** The flow named {@code A->B}, or null. */
  public FlowSpec flow(String name) {
    for (FlowSpec f : flows) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }
}
