package io.vmm.wire;

import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.LeastLoadedNode;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;

/**
 * One connection set to one Kafka cluster, driven by its own I/O thread: Kafka's {@link NetworkClient} (the same
 * network layer as the consumer and producer, so TLS, SASL, OAuth and re-authentication behave the same) plus
 * the partition leaders learnt from Metadata requests. Used by {@link BatchFetcher} and {@link BatchSender}.
 * <p>
 * Threading: everything that touches the network client or the leaders runs on the I/O thread
 * ({@code vmm-wire-<name>}). Other threads only call {@link #execute(Runnable)} (queued, wakes the thread) and
 * {@link #close()}. Request handlers ({@link #send}) and metadata callbacks run on the I/O thread and must not
 * block.
 * <p>
 * Answers are read into {@link AnswerPool} buffers ({@link AnswerSelector}); a handler that keeps views of its
 * answer past its return holds it ({@link #holdAnswer}), every other answer's buffer is reused after the poll.
 * <p>
 * Pinned kafka-clients 4.1.1 internals: {@link NetworkClient} and {@code Selector} as {@link ClientUtils} builds
 * them, {@link ManualMetadataUpdater},
 * request builders.
 */
public final class WireClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WireClient.class);
  /** How long the I/O thread sleeps in one poll when nothing is pending, ms (new work wakes it at once). */
  private static final long IDLE_POLL_MS = 1_000;
  /** How long a Metadata request waits when no node can be asked (all backing off), ms. */
  private static final long NO_NODE_RETRY_MS = 100;
  /** Poll length while requests wait for a connection, ms. */
  private static final long CONNECT_POLL_MS = 20;

  /** A request waiting for its node's connection to be ready. */
  private record Waiting(Node node, AbstractRequest.Builder<?> builder, BiConsumer<AbstractResponse, Throwable> handler,
                         long deadlineMs) {
  }

  /** A task to run at {@code atMs}; ties run in scheduling order. */
  private record Timer(long atMs, long seq, Runnable task) implements Comparable<Timer> {
    @Override
    public int compareTo(Timer o) {
      return atMs != o.atMs ? Long.compare(atMs, o.atMs) : Long.compare(seq, o.seq);
    }
  }

  private final String name;
  private final NetworkClient client;
  private final AnswerSelector selector;
  /** The node whose answer's handler is running (see {@link #holdAnswer}), else null. */
  private String answering;
  private final ManualMetadataUpdater nodes;
  private final Metrics metrics = new Metrics();
  private final ApiVersions apiVersions = new ApiVersions();
  private final int requestTimeoutMs;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final java.util.PriorityQueue<Timer> timers = new java.util.PriorityQueue<>();
  private long timerSeq;
  private final Map<TopicPartition, Node> leaders = new HashMap<>();
  private final Map<TopicPartition, Integer> leaderEpochs = new HashMap<>();
  private final Map<String, Integer> partitionCounts = new HashMap<>();
  private final Set<String> metadataTopics = new HashSet<>();
  private final List<Runnable> afterMetadata = new ArrayList<>();
  private boolean metadataInFlight;
  private final java.util.function.Consumer<Throwable> onFatal;
  private volatile boolean running = true;

  /**
   * Creates the network client (resolving no host yet) and starts the I/O thread.
   *
   * @param name   thread and log name, e.g. {@code A->B#0 fetch}
   * @param config  the client's settings as Kafka parses them ({@code ConsumerConfig} or {@code ProducerConfig}:
   *                bootstrap servers, security, socket and reconnect settings, {@code request.timeout.ms})
   * @param onFatal called once, on the dying I/O thread, when it stops on an error (an {@link Error} such as
   *                OutOfMemoryError, or a failure of the network client itself); the client is closed then
   */
  public WireClient(String name, AbstractConfig config, java.util.function.Consumer<Throwable> onFatal) {
    this.name = name;
    this.onFatal = onFatal;
    this.requestTimeoutMs = config.getInt("request.timeout.ms");
    List<Node> bootstrap = new ArrayList<>();
    int id = -1;
    for (InetSocketAddress a : ClientUtils.parseAndValidateAddresses(config)) {
      bootstrap.add(new Node(id--, a.getHostString(), a.getPort()));
    }
    this.nodes = new ManualMetadataUpdater(bootstrap);
    LogContext logContext = new LogContext("[vmm-wire " + name + "] ");
    this.selector = AnswerSelector.create(config, metrics, "vmm-wire", AnswerPool.SHARED, logContext);
    this.client = selector.networkClient(config, "vmm-wire-" + name, logContext, apiVersions, 5, requestTimeoutMs,
        nodes);
    this.thread = new Thread(this::run, "vmm-wire-" + name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** The request timeout ({@code request.timeout.ms}), ms. */
  public int requestTimeoutMs() {
    return requestTimeoutMs;
  }

  /** Runs {@code task} on the I/O thread, after the tasks queued before it. Any thread. */
  public void execute(Runnable task) {
    tasks.add(task);
    client.wakeup();
  }

  /** Runs {@code task} on the I/O thread at wall-clock time {@code atMs} (or soon after). I/O thread only. */
  public void schedule(long atMs, Runnable task) {
    timers.add(new Timer(atMs, timerSeq++, task));
  }

  /**
   * Sends a request to {@code node} once its connection is ready; {@code handler} gets the response or the
   * failure (disconnect, authentication, unsupported version, or {@link TimeoutException} after
   * {@code request.timeout.ms} waiting for a connection or an answer). I/O thread only.
   */
  public void send(Node node, AbstractRequest.Builder<?> builder, BiConsumer<AbstractResponse, Throwable> handler) {
    waiting.add(new Waiting(node, builder, handler, System.currentTimeMillis() + requestTimeoutMs));
  }

  /** The least loaded known node (a bootstrap address before the first Metadata answer), or null. I/O thread. */
  public Node anyNode() {
    LeastLoadedNode n = client.leastLoadedNode(System.currentTimeMillis());
    return n == null ? null : n.node();
  }

  /** The leader of {@code tp} from the last Metadata answer, or null when unknown. I/O thread only. */
  public Node leader(TopicPartition tp) {
    return leaders.get(tp);
  }

  /**
   * The cluster's finalized {@code transaction.version} feature from the ApiVersions answers seen so far (0 when
   * none named it, e.g. before any connection): 2 or more means the brokers take transaction version 2
   * (KIP-890: Produce adds the partition to the transaction, every EndTxn moves the epoch on). Any thread.
   */
  public short transactionVersion() {
    Short v = apiVersions.getFinalizedFeaturesInfo().finalizedFeatures.get("transaction.version");
    return v == null ? 0 : v;
  }

  /** The number of partitions of {@code topic} from the last Metadata answer naming it, or -1. I/O thread only. */
  public int partitionCount(String topic) {
    return partitionCounts.getOrDefault(topic, -1);
  }

  /** The leader epoch of {@code tp} from the last Metadata answer, or null. I/O thread only. */
  public Integer leaderEpoch(TopicPartition tp) {
    return leaderEpochs.get(tp);
  }

  /**
   * Asks for the leaders of {@code topics} (added to the topics already known) and runs {@code then} on the I/O
   * thread when the answer is applied, or when it failed (then leaders stay as they were and the caller retries
   * later). Requests made while one is in flight share the next one. I/O thread only.
   */
  public void refreshLeaders(Set<String> topics, Runnable then) {
    metadataTopics.addAll(topics);
    afterMetadata.add(then);
    if (!metadataInFlight) {
      sendMetadata();
    }
  }

  private void sendMetadata() {
    Node node = anyNode();
    List<Runnable> callbacks = new ArrayList<>(afterMetadata);
    afterMetadata.clear();
    if (node == null) {
      // every node is backing off: answer later, never from inside the caller (it may ask again at once)
      schedule(System.currentTimeMillis() + NO_NODE_RETRY_MS, () -> callbacks.forEach(Runnable::run));
      return;
    }
    metadataInFlight = true;
    send(node, new MetadataRequest.Builder(new ArrayList<>(metadataTopics), false), (response, error) -> {
      metadataInFlight = false;
      if (response instanceof MetadataResponse m) {
        apply(m);
      } else {
        LOG.debug("{} metadata request failed: {}", name, String.valueOf(error));
      }
      callbacks.forEach(Runnable::run);
      if (!afterMetadata.isEmpty()) {
        sendMetadata();
      }
    });
  }

  private void apply(MetadataResponse m) {
    List<Node> brokers = new ArrayList<>(m.brokers());
    if (!brokers.isEmpty()) {
      nodes.setNodes(brokers);
    }
    Map<Integer, Node> byId = m.brokersById();
    for (MetadataResponse.TopicMetadata t : m.topicMetadata()) {
      if (t.error() != Errors.NONE) {
        continue;
      }
      partitionCounts.put(t.topic(), t.partitionMetadata().size());
      for (MetadataResponse.PartitionMetadata p : t.partitionMetadata()) {
        TopicPartition tp = new TopicPartition(t.topic(), p.partition());
        Node leader = p.leaderId.map(byId::get).orElse(null);
        if (leader == null || p.error != Errors.NONE) {
          leaders.remove(tp);
        } else {
          leaders.put(tp, leader);
        }
        p.leaderEpoch.ifPresentOrElse(e -> leaderEpochs.put(tp, e), () -> leaderEpochs.remove(tp));
      }
    }
  }

  private void run() {
    try {
      while (running) {
        Runnable task;
        while ((task = tasks.poll()) != null) {
          runSafely(task);
        }
        long now = System.currentTimeMillis();
        while (!timers.isEmpty() && timers.peek().atMs() <= now) {
          runSafely(timers.poll().task());
        }
        sendReady(now);
        long timeout = waiting.isEmpty() ? IDLE_POLL_MS : CONNECT_POLL_MS;
        if (!timers.isEmpty()) {
          timeout = Math.max(0, Math.min(timeout, timers.peek().atMs() - now));
        }
        if (!tasks.isEmpty()) {
          timeout = 0;
        }
        client.poll(timeout, System.currentTimeMillis()); // handlers run inside, through the completion handlers
        selector.releaseUnheld(); // answers no handler kept views of
      }
    } catch (Throwable e) {
      if (running) {
        LOG.error("{} wire client I/O thread stopped: {}", name, e.toString(), e);
        running = false;
        try {
          onFatal.accept(e);
        } catch (Throwable ignored) {
          // the owner could not be told; the error is logged above
        }
      }
    } finally {
      failAll(new DisconnectException("wire client " + name + " closed"));
      client.close();
      metrics.close();
    }
  }

  private void sendReady(long now) {
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      if (client.ready(w.node, now)) {
        it.remove();
        ClientRequest request = client.newClientRequest(w.node.idString(), w.builder, now, true, requestTimeoutMs,
            response -> complete(w.handler, response));
        client.send(request, now);
      } else if (client.authenticationException(w.node) != null) {
        it.remove();
        runSafely(() -> w.handler.accept(null, client.authenticationException(w.node)));
      } else if (now > w.deadlineMs || client.connectionFailed(w.node) && now > w.deadlineMs - requestTimeoutMs / 2) {
        it.remove();
        runSafely(() -> w.handler.accept(null, new TimeoutException("no connection to " + w.node + " after "
            + (now - w.deadlineMs + requestTimeoutMs) + " ms")));
      }
    }
  }

  private void complete(BiConsumer<AbstractResponse, Throwable> handler, ClientResponse response) {
    Throwable error = null;
    if (response.authenticationException() != null) {
      error = response.authenticationException();
    } else if (response.versionMismatch() != null) {
      error = response.versionMismatch();
    } else if (response.wasTimedOut()) {
      error = new TimeoutException("no answer from node " + response.destination() + " within "
          + requestTimeoutMs + " ms");
    } else if (response.wasDisconnected()) {
      error = new DisconnectException("node " + response.destination() + " disconnected");
    }
    Throwable failure = error;
    answering = failure == null ? response.destination() : null;
    try {
      runSafely(() -> handler.accept(failure == null ? response.responseBody() : null, failure));
    } finally {
      answering = null;
    }
  }

  /**
   * Keeps the receive buffer of the answer whose handler is running now (called from inside that handler) for
   * views of it that outlive the handler, e.g. a Fetch answer's batches ({@link RawBatch}): the returned lease
   * (count 1, plus one per {@code retain}) gives it back to the {@link AnswerPool}. Without this the buffer is
   * reused as soon as the handlers of the poll ran. {@link AnswerLease#NONE} outside a handler. I/O thread only.
   */
  public AnswerLease holdAnswer() {
    return answering == null ? AnswerLease.NONE : selector.hold(answering);
  }

  private void failAll(Throwable e) {
    Waiting w;
    while ((w = waiting.poll()) != null) {
      Waiting failed = w;
      runSafely(() -> failed.handler.accept(null, e));
    }
  }

  private void runSafely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.error("{} wire handler failed: {}", name, e.toString(), e);
    }
  }

  /** Stops the I/O thread and closes every connection; waits up to {@code waitMs} for the thread. Any thread. */
  public void close(long waitMs) {
    running = false;
    client.wakeup();
    try {
      thread.join(waitMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(io.vmm.async.Budgets.CLIENT_CLOSE_MS);
  }
}
