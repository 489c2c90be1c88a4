package io.vmm.sync;

import io.vertx.core.Future;
import io.vmm.bus.Addresses;
import io.vmm.bus.Discovery;
import io.vmm.bus.TopicInfo;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.kafka.KafkaFutures;
import io.vmm.policy.TopicConfigRules;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Topic-config sync of a flow (after MM2's {@code MirrorSourceConnector.syncTopicConfigs},
 * {@code sync.topic.configs.*}): at start and then every {@code sync.topic.configs.interval.seconds} after a run
 * ends, reads the configs of the replicated source topics and applies the changes to their remote topics with
 * incremental alter configs, by the rules of {@link TopicConfigRules} (which, unlike MM2, leave target-owned
 * settings alone after the first sync).
 * <p>
 * The replicated topics come with the deployment and from the {@link Discovery} messages published on
 * {@link Addresses#topicsChanged} (topics are only added, as discovery reports every replicated topic). A failed
 * run is logged (throttled) and retried next interval; a topic whose alter failed is written in full next run.
 * <p>
 * Threading: event-loop verticle; admin calls complete on its context, bounded by {@code admin.timeout.ms}; runs
 * never overlap (see {@link PeriodicAdminRole}).
 */
public final class TopicConfigSyncVerticle extends PeriodicAdminRole {

  private static final Logger LOG = LoggerFactory.getLogger(TopicConfigSyncVerticle.class);

  private final TopicConfigRules rules;
  /** Source topic → remote topic. */
  private final Map<String, String> topics = new TreeMap<>();

  /**
   * @param flow   the flow
   * @param topics the replicated topics when deployed (as discovery found them)
   */
  public TopicConfigSyncVerticle(FlowSpec flow, List<TopicInfo> topics) {
    super(flow, "config-sync", "topic config sync");
    this.rules = TopicConfigRules.of(flow.sourceConnector().config());
    remember(topics);
  }

  private void remember(List<TopicInfo> list) {
    for (TopicInfo t : list) {
      topics.put(t.topic(), t.remote());
    }
  }

  @Override
  protected Future<?> started() {
    return vertx.eventBus().<Discovery>localConsumer(Addresses.topicsChanged(flow.name()),
        m -> remember(m.body().topics())).completion();
  }

  @Override
  protected long intervalMs() {
    return flow.sourceConnector().config().getSeconds(ConnectorKeys.SYNC_TOPIC_CONFIGS_INTERVAL_SECONDS).toMillis();
  }

  @Override
  protected Future<?> runOnce() {
    long started = System.currentTimeMillis();
    return sync().onSuccess(n -> {
      if (n > 0) {
        LOG.info("{} topic config sync: {} changes applied in {} ms", flow.name(), n,
            System.currentTimeMillis() - started);
      }
    });
  }

  /** One sync run; the number of config changes applied. */
  Future<Integer> sync() {
    if (topics.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Map<String, String> snapshot = new TreeMap<>(topics);
    List<ConfigResource> resources = new ArrayList<>();
    snapshot.keySet().forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
    return call(admins.source().describeConfigs(resources).all(), "describe source topic configs")
        .compose(configs -> {
          Map<ConfigResource, Collection<AlterConfigOp>> alters = new HashMap<>();
          int changes = 0;
          for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
            String remote = snapshot.get(e.getKey().name());
            List<AlterConfigOp> ops = rules.plan(remote, e.getValue());
            if (!ops.isEmpty()) {
              alters.put(new ConfigResource(ConfigResource.Type.TOPIC, remote), ops);
              changes += ops.size();
            }
          }
          if (alters.isEmpty()) {
            return Future.succeededFuture(0);
          }
          int total = changes;
          List<Future<Void>> each = new ArrayList<>();
          admins.target().incrementalAlterConfigs(alters).values().forEach((resource, kf) -> each.add(
              call(kf, "alter configs of " + resource.name()).recover(err -> {
                rules.forget(resource.name()); // write it all again next time
                if (KafkaFutures.causedBy(err, UnsupportedVersionException.class)) {
                  LOG.error("{} the target cluster does not support incremental alter configs: {}", flow.name(),
                      err.getMessage());
                } else {
                  LOG.warn("{} could not alter configs of {}: {}", flow.name(), resource.name(), err.getMessage());
                }
                return Future.succeededFuture();
              })));
          return Future.join(each).map(total);
        });
  }
}
