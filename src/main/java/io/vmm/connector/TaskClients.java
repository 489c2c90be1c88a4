package io.vmm.connector;

import io.vmm.async.Budgets;
import io.vmm.config.ClientOverrides;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.progress.GroupProgress;
import io.vmm.source.SourceVerticle;
import io.vmm.target.CommitTrigger;
import io.vmm.target.TargetProducerVerticle;
import io.vmm.target.TransactionalProducerVerticle;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Map;

/**
 * What source task {@code t}'s clients and flow control are configured with: the cluster settings, then the
 * source connector's own client settings over them (Connect's {@code producer.override.*}, MM2's
 * {@code consumer.*}), then Strimzi's {@code rack}. Each call builds new, mutable maps. Stateless beyond the scope.
 */
final class TaskClients {

  private final FlowScope scope;

  TaskClients(FlowScope scope) {
    this.scope = scope;
  }

  /** Task {@code t}'s target producer: the target cluster's producer config with {@code producer.override.*}. */
  Map<String, Object> producer(int t) {
    return ClientOverrides.apply(scope.flow().target().producerConfig(scope.name() + "|producer-" + t),
        scope.flow().sourceConnector().config().clients().producerOverride());
  }

  /**
   * Task {@code t}'s target producer verticle: with exactly-once a transactional producer committing on the flow's
   * interval (capped at half the task's wait for an answer, since answers wait for the commit) and at half its
   * in-flight marks; else the at-least-once producer, which in legacy MM1 mode commits the group's offsets and,
   * with {@code abortOnSendFailure=false}, skips refused records.
   *
   * @throws IllegalStateException {@code abortOnSendFailure=false} with offset syncs on (a skipped record has no
   *                               downstream offset)
   */
  io.vertx.core.Deployable producerVerticle(int t) {
    if (exactlyOnce()) {
      SourceVerticle.Limits limits = limits(t);
      CommitTrigger trigger = new CommitTrigger(Math.min(scope.flow().transactionIntervalMs(),
          limits.requestTimeoutMs() / 2), limits.maxRecords(), limits.maxBytes(), limits.maxTaskBytes());
      return new TransactionalProducerVerticle(scope.name(), t, scope.flow().transactionalId(t), producer(t),
          scope.topics().progress(), trigger, scope.tracing(), scope.metrics().transactions(t));
    }
    boolean skipRefused = scope.flow().legacy() != null && !scope.flow().legacy().abortOnSendFailure();
    if (skipRefused && scope.flow().sourceConnector().config().getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED)) {
      throw new IllegalStateException(scope.name() + ": abortOnSendFailure=false (skip refused records) needs "
          + ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED + "=false");
    }
    GroupProgress group = !scope.flow().commitsLegacyGroup() ? null
        : new GroupProgress(scope.name(), scope.flow().legacy().groupId(),
            scope.flow().source().adminConfig(scope.name() + "|legacy-committer-" + t),
            java.time.Duration.ofMillis(scope.adminTimeoutMs()));
    return new TargetProducerVerticle(scope.name(), t, producer(t), scope.topics().progress(), scope.tracing(), group,
        skipRefused, batchPath() ? scope.metrics().passThroughTask(t) : null);
  }

  /**
   * Task {@code t}'s replication consumer: the source cluster's consumer config with {@code consumer.*} (MM2
   * {@code sourceConsumerConfig}), and {@code client.rack} from Strimzi's {@code rack} unless set explicitly.
   */
  Map<String, Object> consumer(int t) {
    Map<String, Object> m = ClientOverrides.apply(scope.flow().source().consumerConfig(
        scope.name() + "|MirrorSourceConnector-" + t + "|replication-consumer"),
        scope.flow().sourceConnector().config().clients().consumer());
    if (scope.clientRack() != null) {
      m.putIfAbsent("client.rack", scope.clientRack()); // follower fetching
    }
    if (scope.flow().exactlyOnce()) {
      m.put("isolation.level", "read_committed"); // aborted upstream data is never mirrored (config checked)
    }
    return m;
  }

  /** Task {@code t}'s flow-control and timing settings; the producer wait follows its {@code delivery.timeout.ms}. */
  SourceVerticle.Limits limits(int t) {
    ConnectorConfig c = scope.flow().sourceConnector().config();
    return new SourceVerticle.Limits(
        c.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_RECORDS), c.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_BYTES),
        c.getInt(ConnectorKeys.INFLIGHT_TASK_MAX_BYTES),
        // exactly-once: a store is answered at once (acknowledged = committed); it follows the transaction interval
        exactlyOnce() ? scope.flow().transactionIntervalMs() : c.getLong(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS),
        c.getLong(ConnectorKeys.CONSUMER_POLL_TIMEOUT_MS),
        Budgets.producerRequestMs(deliveryTimeoutMs(producer(t))),
        c.getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED) ? c.getLong(ConnectorKeys.OFFSET_LAG_MAX) : -1,
        exactlyOnce(), batchPath());
  }

  /**
   * Whether the tasks pass record batches through ({@code vmm.data.path=batch}); not with exactly-once (a
   * transactional pass-through sender is not built yet), legacy MM1 mode, or tracing on (each record's span
   * rewrites its {@code traceparent} header): those use the record path.
   */
  boolean batchPath() {
    return "batch".equals(scope.flow().sourceConnector().config().getString(ConnectorKeys.DATA_PATH))
        && !exactlyOnce() && scope.flow().legacy() == null && !scope.tracing().enabled();
  }

  /** Whether the tasks write through transactional producers (exactly-once; never in legacy MM1 group mode). */
  boolean exactlyOnce() {
    return scope.flow().exactlyOnce() && !scope.flow().commitsLegacyGroup();
  }

  /** A producer config's {@code delivery.timeout.ms} (Kafka's default 120000 when unset), ms. */
  static long deliveryTimeoutMs(Map<String, Object> producerConfig) {
    return Long.parseLong(String.valueOf(producerConfig.getOrDefault(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        "120000")).trim());
  }
}
