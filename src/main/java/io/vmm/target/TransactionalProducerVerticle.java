package io.vmm.target;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vmm.async.Budgets;
import io.vmm.bus.Addresses;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.ProgressUpdate;
import io.vmm.bus.SourceBatch;
import io.vmm.metrics.FlowMetrics;
import io.vmm.progress.ProgressFormat;
import io.vmm.target.TransactionErrors.Kind;
import io.vmm.tracing.Tracing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The exactly-once target producer of one source task (deployed instead of {@link TargetProducerVerticle} when the
 * flow's target sets {@code exactly.once.source.support=enabled}; same addresses, same messages). One
 * {@link TransactionalWriter} (a transactional {@link KafkaProducer} on the record path, {@link PassThroughTransactions}
 * on the batch path) whose {@code transactional.id} is the task's
 * ({@link io.vmm.config.FlowSpec#transactionalId}); {@code initTransactions()} at start fences any earlier owner of
 * the id (a restarted task, a zombie process, the previous owner of a unit moved in cluster mode), after
 * Connect's {@code ExactlyOnceWorkerSourceTask}.
 * <p>
 * Each transaction holds mirrored records ({@link TargetRecords}) and, written last, one progress record per source
 * partition in it (MM2's format, upstream offset of its last record in the transaction) in
 * {@code mm2-offsets.<source>.internal}. A transaction begins with the first batch to send and commits when the
 * {@link CommitTrigger} says (interval, or half of the task's in-flight marks), when the source task stops (a
 * {@link ProgressUpdate} with {@code commitNow}; every progress store is answered with success at once, as the
 * progress it names is in committed transactions already), and at stop. <b>{@link io.vmm.bus.BatchResult}s are held until their
 * transaction commits</b>, then answered in order: every position the source task takes as written, stores or
 * turns into an offset sync (after MM2's {@code OffsetSyncWriter}) is a committed one, so a checkpoint never
 * points at an aborted record.
 * <p>
 * Failures ({@link TransactionErrors}): a send error or an epoch / transaction-timeout error aborts the
 * transaction and answers its chunks with {@link PartitionResult#rewind}: the task re-reads each partition from its
 * last committed position, and chunks of an older rewind generation that arrive meanwhile are not sent. A
 * transaction open for {@code transaction.timeout.ms} or longer (the process was frozen, a long GC pause) is
 * aborted, never committed: the target's coordinator aborts (or aborted) it anyway. A commit the coordinator
 * answers after its own timeout abort ({@code InvalidTxnStateException}, which leaves Kafka's client unusable) is
 * not a task failure: the producer is replaced by a new one with the same id ({@link TransactionalClient#renew})
 * and the chunks rewind. A record refused for good (first error of the transaction, e.g.
 * {@code RecordTooLargeException}) also aborts; its partition is answered FAILED at its first uncommitted record
 * and is never written again by this producer. A commit or abort that times out is retried for {@link Budgets#TXN_END_RETRY_MS} (Kafka allows it), never
 * assumed either way. Fencing ({@code ProducerFencedException}), authorization errors and an end of transaction
 * that cannot be resolved stop this producer for good: everything held and every later chunk is answered FAILED
 * with an error naming the {@code transactional.id}; a task restart resumes from the committed progress.
 * <p>
 * Threading: a <b>worker</b> verticle; messages, the commit timer and every transaction call run one at a time on
 * its context (commit and abort block it: batches queue meanwhile, as one transaction is open at a time). Kafka
 * runs the send callbacks on its network thread: they only record downstream offsets and the transaction's first
 * error. Stop: an open transaction (normally none: the task's own stop asked for the commit) is committed as any
 * other, else aborted; the producer closes within {@link Budgets#CLIENT_CLOSE_MS}.
 */
public final class TransactionalProducerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TransactionalProducerVerticle.class);

  /** The first send error of a transaction: source partition, upstream offset, error. */
  private record SendError(long txn, TopicPartition source, long upstream, Throwable error) {
  }

  private final String flow;
  private final String sourceAlias;
  private final String targetAlias;
  private final int index;
  private final String transactionalId;
  private final String progressTopic;
  private final FlowMetrics.TransactionMetrics metrics;
  private final CommitTrigger trigger;
  /** The producer's {@code transaction.timeout.ms}. */
  private final long timeoutMs;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final TransactionBatches batches = new TransactionBatches();
  /** Last upstream offset per source partition in the open transaction (its progress records). */
  private final Map<TopicPartition, Long> lastUpstream = new LinkedHashMap<>();
  private final RewindGenerations generations = new RewindGenerations();
  /** Partitions with a record refused for good: never written again by this producer. */
  private final Map<TopicPartition, Throwable> failed = new HashMap<>();
  /** The open transaction's first send error; a new reference per transaction (late callbacks cannot leak). */
  private AtomicReference<SendError> firstError = new AtomicReference<>();
  private final TransactionalWriter client;
  /** Set when this producer can never write again: every chunk is answered FAILED with it. */
  private Throwable fatal;
  private long txn;
  private long timer = -1;

  /**
   * @param flow            flow name {@code A->B}
   * @param index           source task number (uses producer {@code index})
   * @param transactionalId the task's {@code transactional.id}
   * @param producerConfig  target producer settings with overrides (the transactional ones are added:
   *                        {@link TransactionalConfig})
   * @param progressTopic   {@code mm2-offsets.<source>.internal}
   * @param trigger         when to commit: the task's commit interval (the caller caps it well below the source
   *                        task's wait for an answer, so a held answer never times out) and in-flight marks
   * @param metrics         the task's transaction meters
   * @param passThrough     null: records through Kafka's transactional producer (the record path); else the
   *                        task's pass-through meters, and chunks are written by {@link PassThroughTransactions}
   *                        (record batches unchanged, {@code vmm.data.path=batch})
   */
  public TransactionalProducerVerticle(String flow, int index, String transactionalId,
                                       Map<String, Object> producerConfig, String progressTopic,
                                       CommitTrigger trigger, Tracing tracing,
                                       FlowMetrics.TransactionMetrics metrics, FlowMetrics.TaskMetrics passThrough) {
    this(flow, index, transactionalId, producerConfig, progressTopic, trigger, metrics, config -> passThrough == null
        ? new TransactionalClient(flow, transactionalId, config, tracing, KafkaProducer::new)
        : new PassThroughTransactions(flow, index, transactionalId, config, progressTopic, passThrough));
  }

  /** As the public constructor, with the writer made by {@code writer} from the final producer config (tests). */
  TransactionalProducerVerticle(String flow, int index, String transactionalId, Map<String, Object> producerConfig,
                                String progressTopic, CommitTrigger trigger, FlowMetrics.TransactionMetrics metrics,
                                Function<Map<String, Object>, TransactionalWriter> writer) {
    this.flow = flow;
    this.sourceAlias = flow.substring(0, flow.indexOf("->"));
    this.targetAlias = flow.substring(flow.indexOf("->") + 2);
    this.index = index;
    this.transactionalId = transactionalId;
    Map<String, Object> config = TransactionalConfig.of(producerConfig, transactionalId, trigger.intervalMs());
    this.timeoutMs = TransactionalConfig.transactionTimeoutMs(config);
    this.client = writer.apply(config);
    this.progressTopic = progressTopic;
    this.metrics = metrics;
    this.trigger = trigger;
  }

  /** Creates the producer and fences earlier owners of the id ({@code initTransactions}, blocking: worker). */
  @Override
  public Future<?> start() {
    long started = System.currentTimeMillis();
    try {
      client.init();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    LOG.info("{} exactly-once producer {} ready in {} ms: transactional.id {} (earlier owners fenced), commit "
        + "interval {} ms", flow, index, System.currentTimeMillis() - started, transactionalId, trigger.intervalMs());
    consumers.add(vertx.eventBus().<SourceBatch>localConsumer(Addresses.produce(flow, index), this::onBatch));
    consumers.add(vertx.eventBus().<ProgressUpdate>localConsumer(Addresses.progress(flow, index), this::onProgress));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  // ------------------------------------------------------------------------------------------ batches

  private void onBatch(Message<SourceBatch> message) {
    TransactionBatches.Held held = new TransactionBatches.Held(message);
    for (SourceBatch.Chunk chunk : message.body().chunks()) {
      TopicPartition tp = chunk.source();
      long[] upstream = ChunkSegments.upstream(chunk.records(), chunk.batches());
      TransactionBatches.Answer answer = held.add(tp, upstream);
      boolean sent = false;
      if (fatal != null) {
        answer.preset(TransactionBatches.failedAt0(tp, upstream, fatal));
      } else if (failed.containsKey(tp)) {
        answer.preset(TransactionBatches.failedAt0(tp, upstream, failed.get(tp)));
      } else if (generations.stale(tp, chunk.generation())) {
        answer.preset(PartitionResult.rewind(tp, upstream, new IllegalStateException("polled before a rewind")));
      } else if (begin()) {
        send(chunk, answer);
        sent = true;
      } else {
        answer.preset(TransactionBatches.failedAt0(tp, upstream, fatal));
      }
      if (!sent) {
        io.vmm.wire.RawBatch.releaseAll(chunk.batches()); // refused: the pooled buffers may take other answers
      }
      chunk.release(); // the producer holds the bytes now
    }
    batches.hold(held);
    if (fatal != null) {
      batches.answerAll((tp, upstream, downstream) -> TransactionBatches.failedAt0(tp, upstream, fatal));
    } else if (!trigger.open()) {
      batches.answerAll(TransactionBatches::committed); // nothing in a transaction: every answer is preset
    } else if (firstError.get() != null) {
      abortAndRewind(firstError.get().error());
    } else if (trigger.due(System.currentTimeMillis()) != CommitTrigger.Reason.NONE) {
      commit();
    }
  }

  /** Begins a transaction unless one is open; false when this producer is fatally failed (then {@link #fatal}). */
  private boolean begin() {
    if (trigger.open()) {
      return true;
    }
    try {
      client.begin();
    } catch (RuntimeException e) {
      fail(e);
      return false;
    }
    long t = ++txn;
    firstError = new AtomicReference<>();
    trigger.began(System.currentTimeMillis());
    timer = vertx.setTimer(trigger.remainingMs(System.currentTimeMillis()) + 1, id -> {
      timer = -1;
      if (txn == t && trigger.open()) {
        commit();
      }
    });
    return true;
  }

  private void send(SourceBatch.Chunk chunk, TransactionBatches.Answer answer) {
    TopicPartition tp = chunk.source();
    long t = txn;
    AtomicReference<SendError> errors = firstError;
    int decoded = chunk.records().size();
    long bytes = client.send(chunk, answer, (upstream, e) -> {
      if (errors.compareAndSet(null, new SendError(t, tp, upstream, e))) {
        context.runOnContext(v -> {
          if (txn == t && trigger.open()) {
            abortAndRewind(e);
          }
        });
      }
    });
    trigger.added(tp, answer.upstream.length, decoded, bytes);
    lastUpstream.put(tp, answer.upstream[answer.upstream.length - 1]);
    generations.sent(tp, chunk.generation());
  }

  // ------------------------------------------------------------------------------------------ commit, abort

  /**
   * A progress store: answered with success at once (every position a task took as written was answered after its
   * commit, progress records included); with {@link ProgressUpdate#commitNow()} (a stop) the open one commits first.
   */
  private void onProgress(Message<ProgressUpdate> message) {
    if (message.body().commitNow() && trigger.open()) {
      commit();
    }
    message.reply(null);
  }

  /**
   * Writes the progress records, commits (timeouts retried), answers the held batches; on failure aborts and
   * rewinds, or fails this producer.
   */
  private void commit() {
    long openMs = trigger.openMs(System.currentTimeMillis());
    if (firstError.get() != null || openMs >= timeoutMs) { // outlived: the coordinator aborts (or aborted) it
      abortAndRewind(firstError.get() != null ? firstError.get().error() : new TimeoutException("the transaction "
          + "was open for " + openMs + " ms, transaction.timeout.ms is " + timeoutMs + ": aborted, not committed"));
      return;
    }
    long started = System.currentTimeMillis();
    long t = txn;
    AtomicReference<SendError> errors = firstError;
    try {
      lastUpstream.forEach((tp, offset) -> client.progress(progressTopic, ProgressFormat.key(sourceAlias, tp),
          ProgressFormat.value(offset), e -> errors.compareAndSet(null, new SendError(t, null, -1, e))));
      client.end(true);
    } catch (TimeoutException e) {
      fail(new IllegalStateException("the outcome of the commit is unknown after retrying for "
          + Budgets.TXN_END_RETRY_MS + " ms", e));
      return;
    } catch (RuntimeException e) {
      SendError first = firstError.get();
      abortAndRewind(first != null ? first.error() : e);
      return;
    }
    long latency = System.currentTimeMillis() - started;
    metrics.committed(trigger.records(), latency);
    LOG.debug("{} {} committed {} records of {} in {} ms", flow, transactionalId, trigger.records(),
        lastUpstream.keySet(), latency);
    ended();
    batches.answerAll(TransactionBatches::committed);
  }

  /** Aborts the open transaction after {@code cause}; its chunks rewind (a refused record's partition FAILS). */
  private void abortAndRewind(Throwable cause) {
    SendError first = firstError.get();
    Throwable error = first != null ? first.error() : cause;
    long openMs = trigger.openMs(System.currentTimeMillis());
    Kind kind = TransactionErrors.kind(error, openMs, timeoutMs);
    if (kind == Kind.FATAL) {
      fail(error);
      return;
    }
    try {
      if (kind != Kind.RENEW) {
        client.end(false);
      }
    } catch (RuntimeException e) {
      kind = TransactionErrors.kind(e, openMs, timeoutMs);
      if (kind != Kind.RENEW) {
        fail(kind == Kind.FATAL ? e
            : new IllegalStateException("aborting the transaction failed after " + error + ": " + e, e));
        return;
      }
    }
    if (kind == Kind.RENEW && !renew(openMs)) {
      return;
    }
    metrics.aborted();
    TopicPartition refused = kind == Kind.REFUSED && first != null ? first.source() : null;
    Throwable named = refused == null ? null : new IllegalStateException("cluster " + targetAlias + " refused the "
        + "record at upstream offset " + first.upstream() + " for good; its transaction was aborted: " + error, error);
    generations.aborted(refused);
    if (refused != null) {
      failed.put(refused, named);
    }
    LOG.warn("{} {}: transaction ABORTED ({} records of {}): {}; {}", flow, transactionalId, trigger.records(),
        lastUpstream.keySet(), error, refused == null ? "every partition rewinds to its last committed position"
            : refused + " FAILED, the others rewind to their last committed positions");
    ended();
    batches.answerAll((tp, upstream, downstream) -> tp.equals(refused) ? TransactionBatches.failedAt0(tp, upstream, named)
        : PartitionResult.rewind(tp, upstream, error));
  }

  /**
   * Replaces the producer the coordinator's abort left unusable ({@link Kind#RENEW}) by a new one with the same id;
   * false (and this producer failed) when that fails.
   */
  private boolean renew(long openMs) {
    long started = System.currentTimeMillis();
    try {
      client.renew(); // the old producer's late callbacks belong to the ended transaction: ignored
    } catch (RuntimeException e) {
      fail(e);
      return false;
    }
    LOG.warn("{} {}: the transaction coordinator aborted the transaction (open {} ms, transaction.timeout.ms {}); "
        + "the producer it left unusable was replaced by a new one in {} ms", flow, transactionalId, openMs,
        timeoutMs, System.currentTimeMillis() - started);
    return true;
  }

  private void ended() {
    trigger.ended();
    lastUpstream.clear();
    generations.ended();
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** This producer can never write again: closes it and answers everything held FAILED with {@code e}. */
  private void fail(Throwable e) {
    if (fatal == null) {
      String why = TransactionErrors.fenced(e)
          ? "was fenced: a newer producer with this id exists (the task runs elsewhere, or this is a zombie)"
          : "cannot go on";
      fatal = new IllegalStateException(flow + " task " + index + ": transactional.id " + transactionalId + " "
          + why + "; nothing more is written by this task until it restarts: " + e, e);
      LOG.error("{}", fatal.getMessage());
      client.close(Duration.ZERO);
    }
    ended();
    batches.answerAll((tp, upstream, downstream) -> TransactionBatches.failedAt0(tp, upstream, fatal));
  }

  @Override
  public Future<?> stop() {
    Future<?> unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    if (client.started() && fatal == null && trigger.open()) {
      commit(); // progress records and commit, else abort (normally the task's stop asked for this already)
    }
    if (client.started() && fatal == null) {
      client.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS));
      LOG.info("{} exactly-once producer {} ({}) closed", flow, index, transactionalId);
    }
    return unregistered;
  }
}
