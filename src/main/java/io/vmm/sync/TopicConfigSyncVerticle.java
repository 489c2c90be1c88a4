package io.vmm.sync;

import io.vmm.policy.TopicConfigRules;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.bus.Addresses;
import io.vmm.kafka.FlowAdmins;
import io.vmm.kafka.KafkaFutures;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.KafkaFuture;
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
 * Topic-config sync of a flow (MM2's {@code sync.topic.configs.*}): at start and then every
 * {@code sync.topic.configs.interval.seconds}, reads the configs of the replicated source topics and applies
 * the changes to their remote topics with incremental alter configs, by the rules of {@link TopicConfigRules}
 * (which, unlike MM2, leave target-owned settings alone after the first sync).
 * <p>
 * The replicated topics come with the deployment and from {@link Addresses#topicsChanged}. Admin calls run on
 * the admin clients' threads and complete on this verticle's context, bounded by {@code admin.timeout.ms}; a
 * run is re-armed with setTimer after it ends, so runs never overlap. Failures are logged and retried next run.
 */
public final class TopicConfigSyncVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TopicConfigSyncVerticle.class);

  private final FlowSpec flow;
  private final TopicConfigRules rules;
  /** Source topic → remote topic. */
  private final Map<String, String> topics = new TreeMap<>();
  private FlowAdmins admins;
  private MessageConsumer<JsonObject> topicsListener;
  private long timer = -1;
  private boolean stopped;

  /**
   * @param flow   the flow
   * @param topics the replicated topics, as in the discovery reply: {@code [{"topic":..,"remote":..}, ...]}
   */
  public TopicConfigSyncVerticle(FlowSpec flow, JsonArray topics) {
    this.flow = flow;
    this.rules = TopicConfigRules.of(flow.sourceConnector().config());
    remember(topics);
  }

  private void remember(JsonArray list) {
    for (int i = 0; i < list.size(); i++) {
      topics.put(list.getJsonObject(i).getString("topic"), list.getJsonObject(i).getString("remote"));
    }
  }

  @Override
  public Future<?> start() {
    return FlowAdmins.create(vertx, flow, "config-sync").compose(a -> {
      admins = a;
      topicsListener = vertx.eventBus().localConsumer(Addresses.topicsChanged(flow.name()),
          m -> remember(m.body().getJsonArray("topics")));
      timer = vertx.setTimer(1, id -> run());
      return topicsListener.completion();
    });
  }

  private void run() {
    if (stopped) {
      return;
    }
    long started = System.currentTimeMillis();
    sync()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("{} topic config sync: {} changes applied in {} ms", flow.name(), n,
                System.currentTimeMillis() - started);
          }
        })
        .onFailure(e -> LOG.warn("{} topic config sync failed, will retry: {}", flow.name(), e.getMessage()))
        .onComplete(ar -> {
          if (!stopped) {
            timer = vertx.setTimer(flow.sourceConnector().config()
                .getSeconds(ConnectorKeys.SYNC_TOPIC_CONFIGS_INTERVAL_SECONDS).toMillis(), id -> run());
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
