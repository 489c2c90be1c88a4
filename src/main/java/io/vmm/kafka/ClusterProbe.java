package io.vmm.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vmm.config.ClusterSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a cluster answers, for readiness: one admin client per cluster alias, kept between checks (so a
 * check is one {@code describeCluster} round trip), replaced when the cluster's settings change.
 * <p>
 * A check fails after {@code timeout} with the cause's message. Admins are created and closed on worker
 * threads; calls are non-blocking and complete on the caller's context. Not thread-safe: use from one context.
 */
public final class ClusterProbe {

  private final Vertx vertx;
  private final Duration timeout;
  private final Map<String, ClusterSpec> specs = new HashMap<>();
  private final Map<String, Future<Admin>> admins = new HashMap<>();

  /** @param timeout bound of one check (the admin call's own timeout, and the future's) */
  public ClusterProbe(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  /** Succeeds when the cluster lists its brokers within the timeout; fails with a message naming the cluster. */
  public Future<Void> check(Context context, ClusterSpec cluster) {
    Future<Admin> admin = admins.get(cluster.alias());
    if (admin == null || !cluster.equals(specs.get(cluster.alias()))) {
      if (admin != null) {
        close(admin);
      }
      admin = vertx.executeBlocking(() -> Admin.create(cluster.adminConfig("vmm|health|" + cluster.alias())), false);
      admins.put(cluster.alias(), admin);
      specs.put(cluster.alias(), cluster);
    }
    return admin.compose(a -> KafkaFutures.on(context,
            a.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).nodes(),
            timeout.plusMillis(500), "cluster " + cluster.alias() + " (" + cluster.bootstrapServers() + ")"))
        .compose(nodes -> nodes.isEmpty()
            ? Future.failedFuture("cluster " + cluster.alias() + " has no broker available") : Future.succeededFuture());
  }

  private void close(Future<Admin> admin) {
    admin.onSuccess(a -> vertx.executeBlocking(() -> {
      a.close(Duration.ofSeconds(1));
      return null;
    }, false));
  }

  /** Closes every admin (in the background). */
  public void close() {
    List<Future<Admin>> all = new ArrayList<>(admins.values());
    admins.clear();
    specs.clear();
    all.forEach(this::close);
  }
}
