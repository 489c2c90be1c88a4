package io.vmm.config;

import java.util.List;

/**
 * The whole validated configuration: the JSON form of Strimzi's {@code KafkaMirrorMaker2} spec plus service
 * blocks (shared/design.md §1). Immutable. Build it with {@link ConfigParser#parse}.
 *
 * @param clusters    every cluster, in document order
 * @param flows       every mirror, in document order
 * @param httpPort    REST/health port ({@code http.port}, default 8083)
 * @param metricsPort Prometheus port ({@code metrics.port}, default 9404)
 * @param clustered   {@code cluster.enabled}: run as one member of a Vert.x cluster
 */
public record MirrorMakerConfig(List<ClusterSpec> clusters, List<FlowSpec> flows, int httpPort, int metricsPort,
                                boolean clustered) {
}
