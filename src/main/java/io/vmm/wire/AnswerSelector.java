package io.vmm.wire;

import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.DefaultHostResolver;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.MetadataUpdater;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.memory.MemoryPool;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.network.NetworkReceive;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Kafka's {@link Selector} reading answers into {@link AnswerPool} buffers, and knowing which buffer each answer
 * of the last poll came in: Kafka's clients never give a receive buffer back (their pool is
 * {@link MemoryPool#NONE}), so the {@link WireClient} does it after each {@code NetworkClient.poll}: a handler
 * that keeps views of its answer (a Fetch answer's batches) {@link #hold}s it, and {@link #releaseUnheld} gives
 * every other buffer of the poll back once all handlers ran.
 * <p>
 * This relies on two facts of the pinned kafka-clients 4.1.1 {@code NetworkClient.poll}: it calls
 * {@code Selector.poll} once and runs every completion handler of that poll's answers before it returns, and the
 * selector completes at most one answer per connection (node) in a poll. {@code WireClientPoolTest} checks them
 * on a real broker.
 * <p>
 * Threading: the wire client's I/O thread only.
 */
final class AnswerSelector extends Selector {

  private final AnswerPool pool;
  /** The last poll's answer buffers by node id. */
  private final Map<String, ByteBuffer> answers = new HashMap<>();
  /** Buffers of the last poll that a handler holds, with their lease. */
  private final Map<ByteBuffer, AnswerLease> held = new IdentityHashMap<>();

  private AnswerSelector(long connectionMaxIdleMs, Metrics metrics, String metricGroupPrefix,
                         ChannelBuilder channelBuilder, AnswerPool pool, LogContext logContext) {
    // as Kafka's clients build theirs (ClientUtils.createNetworkClient), with a pool
    super(NetworkReceive.UNLIMITED, connectionMaxIdleMs, 0, metrics, Time.SYSTEM, metricGroupPrefix, Map.of(),
        true, false, channelBuilder, pool, logContext);
    this.pool = pool;
  }

  /**
   * A selector as Kafka's clients build theirs from {@code config} (security, {@code connections.max.idle.ms}),
   * reading answers into {@code pool}.
   */
  static AnswerSelector create(AbstractConfig config, Metrics metrics, String metricGroupPrefix, AnswerPool pool,
                               LogContext logContext) {
    ChannelBuilder channelBuilder = ClientUtils.createChannelBuilder(config, Time.SYSTEM, logContext);
    try {
      return new AnswerSelector(config.getLong(CommonClientConfigs.CONNECTIONS_MAX_IDLE_MS_CONFIG), metrics,
          metricGroupPrefix, channelBuilder, pool, logContext);
    } catch (RuntimeException e) {
      Utils.closeQuietly(channelBuilder, "ChannelBuilder");
      throw e;
    }
  }

  /**
   * The network client a consumer or producer would build from {@code config} (socket, reconnect and metadata
   * recovery settings) on this selector, as {@code ClientUtils.createNetworkClient} builds it. On failure the
   * selector is closed.
   */
  NetworkClient networkClient(AbstractConfig config, String clientId, LogContext logContext, ApiVersions apiVersions,
                              int maxInFlight, int requestTimeoutMs, MetadataUpdater nodes) {
    try {
      return new NetworkClient(nodes, null, this, clientId, maxInFlight,
          config.getLong(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG),
          config.getLong(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG),
          config.getInt(CommonClientConfigs.SEND_BUFFER_CONFIG), config.getInt(CommonClientConfigs.RECEIVE_BUFFER_CONFIG),
          requestTimeoutMs, config.getLong(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG),
          config.getLong(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG), Time.SYSTEM, true,
          apiVersions, null, logContext, new DefaultHostResolver(), null,
          config.getLong(CommonClientConfigs.METADATA_RECOVERY_REBOOTSTRAP_TRIGGER_MS_CONFIG),
          MetadataRecoveryStrategy.forName(config.getString(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG)));
    } catch (RuntimeException e) {
      Utils.closeQuietly(this, "Selector"); // closes the channel builder too
      throw new KafkaException("Failed to create the wire client's network client", e);
    }
  }

  @Override
  public void poll(long timeout) throws IOException {
    releaseUnheld(); // normally done already, after the previous poll's handlers
    super.poll(timeout);
    for (NetworkReceive r : completedReceives()) {
      answers.put(r.source(), r.payload());
    }
  }

  /**
   * Keeps the buffer of the answer from {@code node} in the last poll out of {@link #releaseUnheld}: the returned
   * lease gives it back (a second hold of the same answer counts one more holder of the same lease).
   * {@link AnswerLease#NONE} when that poll has no answer from the node.
   */
  AnswerLease hold(String node) {
    ByteBuffer b = answers.get(node);
    if (b == null) {
      return AnswerLease.NONE;
    }
    AnswerLease earlier = held.get(b);
    if (earlier != null) {
      return earlier.retain();
    }
    AnswerLease lease = pool.lease(b);
    held.put(b, lease);
    return lease;
  }

  /** Gives back every buffer of the last poll's answers that no handler held. */
  void releaseUnheld() {
    if (answers.isEmpty()) {
      return;
    }
    for (ByteBuffer b : answers.values()) {
      if (!held.containsKey(b)) {
        pool.release(b);
      }
    }
    answers.clear();
    held.clear();
  }
}
