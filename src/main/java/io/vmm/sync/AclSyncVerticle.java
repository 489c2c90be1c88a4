package io.vmm.sync;

import io.vertx.core.Future;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.kafka.KafkaFutures;
import io.vmm.policy.AclRules;
import io.vmm.policy.ReplicationRules;
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
 * Topic ACL sync of a flow (after MM2's {@code MirrorSourceConnector.syncTopicAcls}, {@code sync.topic.acls.*}):
 * at start and then every {@code sync.topic.acls.interval.seconds} after a run ends, reads the source's TOPIC ACLs
 * and creates their {@link AclRules} counterparts on the target. Only adds, never removes. A source without an
 * authorizer gives one info line and the sync stops (no failure loop). Bindings already created by this process
 * are not sent again. Failed runs are logged (throttled) and retried next interval.
 * <p>
 * Threading: event-loop verticle; admin calls complete on its context, bounded by {@code admin.timeout.ms}; runs
 * never overlap (see {@link PeriodicAdminRole}).
 */
public final class AclSyncVerticle extends PeriodicAdminRole {

  private static final Logger LOG = LoggerFactory.getLogger(AclSyncVerticle.class);
  private static final AclBindingFilter TOPIC_ACLS = new AclBindingFilter(
      new ResourcePatternFilter(ResourceType.TOPIC, null, PatternType.ANY), AccessControlEntryFilter.ANY);

  private final AclRules rules;
  private final Set<AclBinding> created = new HashSet<>();

  public AclSyncVerticle(FlowSpec flow) {
    super(flow, "acl-sync", "topic ACL sync");
    this.rules = new AclRules(ReplicationRules.of(flow));
  }

  @Override
  protected long intervalMs() {
    return flow.sourceConnector().config().getSeconds(ConnectorKeys.SYNC_TOPIC_ACLS_INTERVAL_SECONDS).toMillis();
  }

  @Override
  protected Future<?> runOnce() {
    return sync()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("{} topic ACL sync: created {} ACL bindings on the target", flow.name(), n);
          }
        })
        .recover(e -> {
          if (!KafkaFutures.causedBy(e, SecurityDisabledException.class)) {
            return Future.failedFuture(e);
          }
          LOG.info("{} the source cluster has no authorizer: topic ACL sync is off for this run of the flow "
              + "(set sync.topic.acls.enabled=false to skip the check)", flow.name());
          stopRuns();
          return Future.succeededFuture(0);
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
}
