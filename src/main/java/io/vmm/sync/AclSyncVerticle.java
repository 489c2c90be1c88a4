package io.vmm.sync;

import io.vmm.policy.AclRules;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vmm.kafka.FlowAdmins;
import io.vmm.kafka.KafkaFutures;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.policy.ReplicationRules;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Topic ACL sync of a flow (MM2's {@code sync.topic.acls.*}): at start and then every
 * {@code sync.topic.acls.interval.seconds}, reads the source's TOPIC ACLs and creates their {@link AclRules}
 * counterparts on the target. Only adds, never removes. A source without an authorizer gives one info line and
 * the sync stops (no failure loop). Bindings already created by this process are not sent again.
 * Admin calls complete on this verticle's context, bounded by {@code admin.timeout.ms}; runs never overlap.
 */
public final class AclSyncVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AclSyncVerticle.class);
  private static final AclBindingFilter TOPIC_ACLS = new AclBindingFilter(
      new ResourcePatternFilter(ResourceType.TOPIC, null, PatternType.ANY), AccessControlEntryFilter.ANY);

  private final FlowSpec flow;
  private final AclRules rules;
  private final Set<AclBinding> created = new HashSet<>();
  private FlowAdmins admins;
  private long timer = -1;
  private boolean stopped;

  public AclSyncVerticle(FlowSpec flow) {
    this.flow = flow;
    this.rules = new AclRules(ReplicationRules.of(flow));
  }

  @Override
  public Future<?> start() {
    return FlowAdmins.create(vertx, flow, "acl-sync").onSuccess(a -> {
      admins = a;
      timer = vertx.setTimer(1, id -> run());
    });
  }

  private void run() {
    if (stopped) {
      return;
    }
    sync().onComplete(ar -> {
      if (ar.failed() && KafkaFutures.causedBy(ar.cause(), SecurityDisabledException.class)) {
        LOG.info("{} the source cluster has no authorizer: topic ACL sync is off for this run of the flow "
            + "(set sync.topic.acls.enabled=false to skip the check)", flow.name());
        return;
      }
      if (ar.failed()) {
        LOG.warn("{} topic ACL sync failed, will retry: {}", flow.name(), ar.cause().getMessage());
      } else if (ar.result() > 0) {
        LOG.info("{} topic ACL sync: created {} ACL bindings on the target", flow.name(), ar.result());
      }
      if (!stopped) {
        timer = vertx.setTimer(flow.sourceConnector().config()
            .getSeconds(ConnectorKeys.SYNC_TOPIC_ACLS_INTERVAL_SECONDS).toMillis(), id -> run());
      }
    });
  }

  /** One run; the number of bindings created. */
  Future<Integer> sync() {
    return call(admins.source().describeAcls(TOPIC_ACLS).values(), "describe source topic ACLs")
        .compose(bindings -> {
          List<AclBinding> toCreate = new ArrayList<>();
          for (AclBinding b : bindings) {
            rules.targetBinding(b).filter(t -> !created.contains(t)).ifPresent(toCreate::add);
          }
          if (toCreate.isEmpty()) {
            return Future.succeededFuture(0);
          }
          return call(admins.target().createAcls(toCreate).all(), "create ACLs on the target")
              .map(v -> {
                created.addAll(toCreate);
                return toCreate.size();
              });
        });
  }

  private <T> Future<T> call(KafkaFuture<T> future, String what) {
    return admins.call(context, future, what);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return admins == null ? Future.succeededFuture() : admins.close(vertx);
  }
}
