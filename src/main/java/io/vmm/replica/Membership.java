package io.vmm.replica;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vmm.async.RetryPolicy;
import io.vmm.async.ThrottledLog;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Follows the replicas of a clustered Vert.x instance and turns them into {@link MemberView}s. A replica is a
 * node that announces a member name ({@link HazelcastSetup#MEMBER_NAME} in its node metadata); other Vert.x
 * apps in the cluster (event-bus API users) are not members and get no work. Member keys are the names; a name
 * held by several nodes is made unique as {@code name@nodeId} (logged: such a replica does not get the same
 * work back after a restart).
 * <p>
 * Cluster-manager events arrive on Hazelcast threads; they are coalesced for {@link #SETTLE_MS} and the member
 * list is then rebuilt on {@code context}, where the listener is called with each new view (never twice with
 * the same list).
 */
public final class Membership {

  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  /** How long membership events are coalesced before the view is rebuilt, ms. */
  static final long SETTLE_MS = 300;

  private final Vertx vertx;
  private final Context context;
  private final ClusterManager manager;
  private final String selfName;
  private final Map<String, String> names = new HashMap<>(); // node id -> member name, or "" for non-members
  private Consumer<MemberView> listener = v -> { };
  private MemberView view;
  private boolean rebuildPending;
  private boolean closed;
  private int failedRebuilds;
  private final ThrottledLog rebuildFailures = new ThrottledLog(LOG);

  private Membership(Vertx vertx, Context context, String selfName) {
    this.vertx = vertx;
    this.context = context;
    this.manager = ((VertxInternal) vertx).clusterManager();
    this.selfName = selfName;
  }

  /**
   * Starts following the members of clustered {@code vertx}; completes on {@code context} with the first
   * view (this replica and every replica already in the cluster).
   *
   * @param selfName this replica's member name (the one it announces)
   */
  public static Future<Membership> start(Vertx vertx, Context context, String selfName) {
    Membership m = new Membership(vertx, context, selfName);
    Promise<Membership> started = Promise.promise();
    context.runOnContext(v -> {
      m.manager.nodeListener(new NodeListener() {
        @Override
        public void nodeAdded(String nodeId) {
          m.changed();
        }

        @Override
        public void nodeLeft(String nodeId) {
          m.changed();
        }
      });
      m.rebuildWithRetry(20).onSuccess(view -> {
        m.view = view;
        LOG.info("cluster members: {} (this replica: {})", view.members(), view.self());
      }).map(m).onComplete(started);
    });
    return started.future();
  }

  /** The current view (read on {@code context}). */
  public MemberView view() {
    return view;
  }

  /** Calls {@code listener} on {@code context} with every new view. */
  public void onChange(Consumer<MemberView> listener) {
    this.listener = listener;
  }

  public void close() {
    closed = true;
  }

  private void changed() {
    context.runOnContext(v -> {
      if (rebuildPending || closed) {
        return;
      }
      rebuildPending = true;
      vertx.setTimer(SETTLE_MS, id -> {
        rebuildPending = false;
        if (closed) {
          return;
        }
        rebuild().onSuccess(next -> {
          failedRebuilds = 0;
          if (!closed && (view == null || !next.members().equals(view.members()) || !next.self().equals(view.self()))) {
            LOG.info("cluster members changed: {} -> {}", view == null ? "[]" : view.members(), next.members());
            view = next;
            listener.accept(next);
          }
        }).onFailure(e -> {
          // a joining node's info appears shortly after it does: only a lasting failure is worth a warning
          if (++failedRebuilds >= 10) {
            rebuildFailures.warn("cannot read the cluster members ({} attempts), retrying: {}", failedRebuilds,
                e.toString());
          } else {
            LOG.debug("cannot read the cluster members yet, retrying: {}", e.toString());
          }
          changed();
        });
      });
    });
  }

  /** The first view: retried every {@link #SETTLE_MS} for up to 20 attempts while node infos are missing. */
  private Future<MemberView> rebuildWithRetry(int attempts) {
    return new RetryPolicy(SETTLE_MS, SETTLE_MS).run(vertx, this::rebuild, e -> true,
        System.currentTimeMillis() + attempts * SETTLE_MS);
  }

  /** Reads every node's member name (cached), then builds the view. */
  private Future<MemberView> rebuild() {
    List<String> nodes = manager.getNodes();
    String selfNode = manager.getNodeId();
    names.keySet().retainAll(nodes);
    names.put(selfNode, selfName);
    List<Future<Void>> lookups = new ArrayList<>();
    for (String node : nodes) {
      if (!names.containsKey(node)) {
        lookups.add(nameOf(node).onSuccess(name -> names.put(node, name)).mapEmpty());
      }
    }
    return Future.all(lookups).map(v -> {
      Map<String, Integer> counts = new HashMap<>();
      names.values().forEach(n -> counts.merge(n, 1, Integer::sum));
      List<String> keys = new ArrayList<>();
      String self = null;
      for (String node : nodes) {
        String name = names.get(node);
        if (name == null || name.isEmpty()) {
          continue;
        }
        String key = counts.get(name) > 1 ? name + "@" + node : name;
        if (counts.get(name) > 1) {
          LOG.warn("member name {} is used by {} replicas; using {} (set distinct cluster.memberName or "
              + "VMM_MEMBER_NAME values so a restarted replica gets its work back)", name, counts.get(name), key);
        }
        keys.add(key);
        if (node.equals(selfNode)) {
          self = key;
        }
      }
      keys.sort(null);
      return new MemberView(self, keys);
    });
  }

  /** The member name node {@code node} announces, "" when it announces none, retried while its info is absent. */
  private Future<String> nameOf(String node) {
    Promise<NodeInfo> info = ((ContextInternal) context).promise(); // completes on the context
    manager.getNodeInfo(node, info);
    return info.future().map(i -> {
      if (i == null) {
        throw new IllegalStateException("no node info yet for " + node);
      }
      Object name = i.metadata() == null ? null : i.metadata().getValue(HazelcastSetup.MEMBER_NAME);
      return name instanceof String s ? s : "";
    });
  }
}
