package io.vmm.connector;

import io.vertx.core.Future;
import io.vmm.kafka.FlowAdmins;
import org.apache.kafka.clients.admin.TransactionListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Exactly-once: fences the transactional ids of source tasks that no longer exist (after a {@code tasks.max}
 * decrease), so a producer of the previous generation of partition groups can never commit again, as Connect's
 * {@code DistributedHerder} fences a source connector's previous task generation with {@code Admin.fenceProducers}
 * before the new one starts. Task ids that still exist need nothing: each new task's {@code initTransactions()}
 * fences the earlier owner of its own id.
 * <p>
 * Algorithm: list the target cluster's transactions ({@code Admin.listTransactions}, filtered here, so any broker
 * version works), keep the ids {@code <prefix><n>} of this flow ({@link io.vmm.config.FlowSpec#transactionalId}
 * with the task number cut off) whose {@code n >= tasks.max}, and fence them with {@code Admin.fenceProducers}.
 * One INFO line names the ids fenced. Never fails: a failure (e.g. no DESCRIBE/WRITE on transactional ids) is a
 * WARN and the start goes on. Admin calls complete on the flow runner's context ({@link FlowAdmins#call}).
 */
final class TransactionFencing {

  private static final Logger LOG = LoggerFactory.getLogger(TransactionFencing.class);

  private TransactionFencing() {
  }

  /** The ids of {@code listed} that belong to this flow's prefix with a task number {@code >= tasksMax}, sorted. */
  static List<String> stale(Collection<String> listed, String prefix, int tasksMax) {
    TreeSet<String> out = new TreeSet<>();
    for (String id : listed) {
      if (id.startsWith(prefix)) {
        String rest = id.substring(prefix.length());
        if (!rest.isEmpty() && rest.chars().allMatch(Character::isDigit) && rest.length() < 10
            && Integer.parseInt(rest) >= tasksMax) {
          out.add(id);
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** Fences the flow's stale task ids when it is exactly-once; completes (never fails) on the scope's context. */
  static Future<Void> fenceStale(FlowScope scope) {
    if (!scope.flow().exactlyOnce()) {
      return Future.succeededFuture();
    }
    String zero = scope.flow().transactionalId(0);
    String prefix = zero.substring(0, zero.length() - 1);
    int tasksMax = scope.flow().sourceConnector().tasksMax();
    long started = System.currentTimeMillis();
    return FlowAdmins.create(scope.vertx(), scope.flow(), "fencing").compose(admins -> admins
        .call(scope.context(), admins.target().listTransactions().all(), "list transactions")
        .compose(listed -> {
          List<String> ids = stale(listed.stream().map(TransactionListing::transactionalId).toList(), prefix,
              tasksMax);
          if (ids.isEmpty()) {
            return Future.<Void>succeededFuture();
          }
          return admins.call(scope.context(), admins.target().fenceProducers(ids).all(), "fence producers")
              .onSuccess(v -> LOG.info("{} fenced the transactional ids of source tasks that no longer exist "
                  + "(tasks.max {}) in {} ms: {}", scope.name(), tasksMax, System.currentTimeMillis() - started, ids))
              .<Void>mapEmpty();
        })
        .eventually(() -> admins.close(scope.vertx())))
        .recover(e -> {
          LOG.warn("{} fencing transactional ids of removed source tasks failed (a producer of a task that no "
              + "longer exists could still commit): {}", scope.name(), e.toString());
          return Future.succeededFuture();
        });
  }
}
