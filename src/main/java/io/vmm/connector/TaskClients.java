package io.vmm.connector;

import io.vertx.core.Future;
import io.vmm.async.Budgets;
import io.vmm.bus.Addresses;
import io.vmm.bus.Discovery;
import io.vmm.bus.RemoteLimitsRequest;
import io.vmm.config.ClientOverrides;
import io.vmm.config.ClusterSpec;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.progress.GroupProgress;
import io.vmm.source.SourceVerticle;
import io.vmm.target.CommitTrigger;
import io.vmm.target.TargetProducerVerticle;
import io.vmm.target.TransactionalProducerVerticle;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What source task {@code t}'s clients and flow control are configured with: the cluster settings, then the
 * source connector's own client settings over them (Connect's {@code producer.override.*}, MM2's
 * {@code consumer.*}), then Strimzi's {@code rack}. Each call builds new, mutable maps.
 * <p>
 * The producer's {@code batch.size} and {@code max.request.size} are kept at most the smallest
 * {@code max.message.bytes} of the flow's remote topics as the latest discovery read them ({@link #remoteLimits}):
 * Kafka's producer splits a batch the topic refuses as too large into batches of up to {@code batch.size} again
 * (a record too large for the topic can share such a batch with small ones), so it retries such a batch until
 * {@code delivery.timeout.ms}, nothing mirrored meanwhile. Producers take it when they are created (task start
 * or restart). Thread-safety: the limit is written on the connector's context and read by its deployments.
 */
final class TaskClients {

  private static final Logger LOG = LoggerFactory.getLogger(TaskClients.class);

  private final FlowScope scope;
  /** The remote topic with the smallest max.message.bytes, and that limit (bytes); null while unknown. */
  private volatile Map.Entry<String, Integer> smallestLimit;

  TaskClients(FlowScope scope) {
    this.scope = scope;
  }

  /**
   * Task {@code t}'s target producer: the target cluster's producer config with {@code producer.override.*}, its
   * {@code batch.size} and {@code max.request.size} lowered to the smallest remote {@code max.message.bytes} when
   * that is smaller (the latter so a record larger than the topic accepts fails at once, as too large, instead
   * of riding in split batches the topic refuses again and again).
   */
  Map<String, Object> producer(int t) {
    Map<String, Object> m = configuredProducer(t);
    Map.Entry<String, Integer> limit = smallestLimit;
    if (limit != null && limit.getValue() < batchSize(m)) {
      m.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(limit.getValue()));
    }
    if (limit != null && limit.getValue() < maxRequestSize(m)) {
      m.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(limit.getValue()));
    }
    return m;
  }

  /** Task {@code t}'s producer config as the user's settings and our defaults make it. */
  private Map<String, Object> configuredProducer(int t) {
    return ClientOverrides.apply(scope.flow().target().producerConfig(scope.name() + "|producer-" + t),
        scope.flow().sourceConnector().config().clients().producerOverride());
  }

  /**
   * Takes the smallest remote limit of a discovery ({@link io.vmm.bus.Discovery#smallestRemoteLimit}; null: none
   * known). Returns a message worth a WARN when producers created before have a {@code batch.size} above it (they
   * would retry such batches until {@code delivery.timeout.ms}; they take the smaller size when their task
   * restarts), else null.
   */
  String remoteLimits(Map.Entry<String, Integer> smallest) {
    Map.Entry<String, Integer> before = smallestLimit;
    smallestLimit = smallest;
    if (smallest == null) {
      return null;
    }
    int had = batchSize(configuredProducer(0)); // a batch.size above a topic's limit is what loops
    if (before != null) {
      had = Math.min(had, before.getValue());
    }
    return smallest.getValue() < had ? "remote topic " + smallest.getKey() + " has max.message.bytes "
        + smallest.getValue() + ", below the running producers' batch.size " + had : null;
  }

  /**
   * Takes a refresh's remote topic limits for the producers created from now on; a WARN when running producers
   * batch more than a remote topic accepts (the record path's producer cannot write that topic until its task
   * restarts: restart the connector's tasks, or set the producer's sizes).
   */
  void refreshLimits(Discovery discovery) {
    String problem = remoteLimits(discovery.smallestRemoteLimit());
    if (problem != null && !batchPath()) {
      LOG.warn("{} {}: the record path cannot write batches that large to it; restart the source connector's tasks "
          + "(POST .../restart?includeTasks=true), or set producer.override.batch.size and producer.override.max.request.size "
          + "to at most that", scope.name(), problem);
    }
  }

  /**
   * Reads the remote topics' {@code max.message.bytes} again (topic discovery answers), so a producer created next
   * fits a limit changed since (e.g. raised to let a refused record through). Completes on the caller's context;
   * never fails: without an answer the limits known before stay.
   */
  Future<Void> readRemoteLimits(Collection<String> remoteTopics) {
    return scope.vertx().eventBus().<RemoteLimitsRequest.Reply>request(Addresses.remoteLimits(scope.name()),
            new RemoteLimitsRequest(List.copyOf(new TreeSet<>(remoteTopics))), Addresses.local())
        .map(reply -> {
          Map.Entry<String, Integer> smallest = Discovery.smallest(reply.body().limits());
          if (smallest != null) {
            remoteLimits(smallest);
          }
          return (Void) null;
        })
        .otherwiseEmpty();
  }

  private static int maxRequestSize(Map<String, Object> producerConfig) {
    return Integer.parseInt(String.valueOf(producerConfig.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        "1048576")).trim());
  }

  private static int batchSize(Map<String, Object> producerConfig) {
    return Integer.parseInt(String.valueOf(producerConfig.getOrDefault(ProducerConfig.BATCH_SIZE_CONFIG, "16384"))
        .trim());
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
    Map.Entry<String, Integer> limit = smallestLimit;
    Map<String, Object> configured = configuredProducer(t);
    if (limit != null && limit.getValue() < Math.max(batchSize(configured), maxRequestSize(configured))) {
      LOG.info("{} producer {}: batch.size and max.request.size at most {} (configured {} and {}): remote topic {} "
          + "has max.message.bytes {}", scope.name(), t, limit.getValue(), batchSize(configured),
          maxRequestSize(configured), limit.getKey(), limit.getValue());
    }
    if (exactlyOnce()) {
      SourceVerticle.Limits limits = limits(t);
      CommitTrigger trigger = new CommitTrigger(Math.min(scope.flow().transactionIntervalMs(),
          limits.requestTimeoutMs() / 2), limits.maxRecords(), limits.maxBytes(), limits.maxTaskBytes());
      return new TransactionalProducerVerticle(scope.name(), t, scope.flow().transactionalId(t), producer(t),
          scope.topics().progress(), trigger, scope.tracing(), scope.metrics().transactions(t),
          batchPath() ? scope.metrics().passThroughTask(t) : null);
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
   * {@code sourceConsumerConfig}), and {@code client.rack} from Strimzi's {@code rack} unless set explicitly;
   * {@code fetch.max.bytes} by default {@link ClusterSpec#FETCH_MAX_BYTES} on the batch path,
   * {@link ClusterSpec#RECORD_PATH_FETCH_MAX_BYTES} on the record path.
   */
  Map<String, Object> consumer(int t) {
    Map<String, Object> m = ClientOverrides.apply(scope.flow().source().consumerConfig(
        scope.name() + "|MirrorSourceConnector-" + t + "|replication-consumer",
        batchPath() ? ClusterSpec.FETCH_MAX_BYTES : ClusterSpec.RECORD_PATH_FETCH_MAX_BYTES),
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
        ConnectorKeys.inflightTaskMaxBytes(c, batchPath()),
        // exactly-once: a store is answered at once (acknowledged = committed); it follows the transaction interval
        exactlyOnce() ? scope.flow().transactionIntervalMs() : c.getLong(ConnectorKeys.OFFSET_FLUSH_INTERVAL_MS),
        c.getLong(ConnectorKeys.CONSUMER_POLL_TIMEOUT_MS),
        Budgets.producerRequestMs(deliveryTimeoutMs(producer(t))),
        c.getBoolean(ConnectorKeys.EMIT_OFFSET_SYNCS_ENABLED) ? c.getLong(ConnectorKeys.OFFSET_LAG_MAX) : -1,
        exactlyOnce(), batchPath());
  }

  /**
   * Whether the tasks pass record batches through ({@code vmm.data.path=batch}, exactly-once included); not in
   * legacy MM1 mode or with tracing on (each record's span rewrites its {@code traceparent} header): those use the
   * record path.
   */
  boolean batchPath() {
    return "batch".equals(scope.flow().sourceConnector().config().getString(ConnectorKeys.DATA_PATH))
        && scope.flow().legacy() == null && !scope.tracing().enabled();
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
