package io.vmm.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vmm.async.Budgets;
import io.vmm.config.FlowSpec;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The run-time half of "a flow's source and target must be two clusters": once both answer, their cluster ids
 * ({@code describeCluster().clusterId()}) must differ. The config check compares bootstrap servers only
 * ({@code ConfigParser}); two aliases can still reach one cluster through different addresses ({@code localhost}
 * and {@code 127.0.0.1}, a load balancer, another listener).
 * <p>
 * {@link #check} uses admins of its own ({@link FlowAdmins}, role {@code cluster-id}), closed before it completes.
 * Outcomes: the same id fails with {@link SameClusterException} (a config error: not transient, retrying cannot
 * help); different ids, or a cluster that does not answer within {@code admin.timeout.ms}, or one without an id,
 * succeed (the flow's own start then reports an unreachable cluster as it always does). Each call is bounded by
 * {@link Budgets#PROBE_MS} (as the readiness probe's), not {@code admin.timeout.ms}: an unreachable cluster delays
 * a start attempt by about that much only, and a cluster slower than that is not compared in that attempt.
 * Completes on {@code context}.
 */
public final class ClusterIdentity {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterIdentity.class);
  /** Bound of each cluster-id call: the readiness probe's, so an unreachable cluster delays a start by this only. */
  private static final Duration BOUND = Duration.ofMillis(Budgets.PROBE_MS + 500);

  /** The flow's source and target are one Kafka cluster. */
  public static final class SameClusterException extends RuntimeException {
    public SameClusterException(String message) {
      super(message, null, false, false);
    }
  }

  private ClusterIdentity() {
  }

  /**
   * Compares the cluster ids of {@code flow}'s source and target.
   *
   * @return fails with {@link SameClusterException} naming both aliases and the id when they are equal; else
   *         succeeds (also when an id could not be read)
   */
  public static Future<Void> check(Vertx vertx, Context context, FlowSpec flow) {
    return FlowAdmins.create(vertx, flow, "cluster-id").compose(admins -> {
      Future<String> source = clusterId(context, admins.source(), flow, flow.id().source());
      Future<String> target = clusterId(context, admins.target(), flow, flow.id().target());
      return Future.join(source, target).transform(ar -> admins.close(vertx).transform(x -> {
        if (ar.failed()) {
          LOG.debug("{}: cluster ids not compared: {}", flow.name(), ar.cause().toString());
          return Future.<Void>succeededFuture();
        }
        String id = source.result();
        if (id != null && id.equals(target.result())) {
          return Future.<Void>failedFuture(new SameClusterException("source cluster \"" + flow.id().source()
              + "\" and target cluster \"" + flow.id().target() + "\" are the same Kafka cluster (cluster id " + id
              + "): a flow must not mirror a cluster onto itself; point one of the aliases at another cluster"));
        }
        return Future.<Void>succeededFuture();
      }));
    }, e -> {
      LOG.debug("{}: cluster ids not compared: {}", flow.name(), e.toString());
      return Future.succeededFuture();
    });
  }

  private static Future<String> clusterId(Context context, org.apache.kafka.clients.admin.Admin admin, FlowSpec flow,
                                          String alias) {
    return KafkaFutures.on(context, admin.describeCluster(new DescribeClusterOptions()
            .timeoutMs((int) Budgets.PROBE_MS)).clusterId(), BOUND, flow.name() + " cluster id of " + alias);
  }
}
