package io.vmm.target;

import io.vmm.async.Budgets;
import io.vmm.bus.SourceBatch;
import io.vmm.kafka.AclHints;
import io.vmm.metrics.FlowMetrics;
import io.vmm.progress.ProgressFormat;
import io.vmm.wire.BatchEncoder;
import io.vmm.wire.BatchSender;
import io.vmm.wire.RawBatch;
import io.vmm.wire.TopicLimits;
import io.vmm.wire.TransactionalSender;
import io.vmm.wire.WireClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.utils.Utils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The exactly-once writer of the batch pass-through path ({@code vmm.data.path=batch} with
 * {@code exactly.once.source.support=enabled}): one {@link TransactionalSender} on its own {@link WireClient}, so
 * the fetched record batches go unchanged in body into the task's transactions, and everything else goes in the
 * same transactions as batches built here ({@link BatchEncoder}; Kafka's producer could not join a transaction of
 * another producer id): the chunk's decoded records, batches larger than the target topic's
 * {@code max.message.bytes} or the producer's {@code max.request.size}, batches of another codec than an explicitly
 * set producer {@code compression.type}, and chunks of small batches ({@link ChunkSegments#small}). Built batches
 * use the producer's {@code compression.type} and {@code batch.size}; a single record too large for the topic is
 * refused by the broker and fails its partition ({@link TransactionErrors.Kind#REFUSED}).
 * <p>
 * Progress records go to the partition Kafka's producer would choose for their key (murmur2 of the key modulo
 * the progress topic's partition count, read at {@link #init}), so MM2 and the record path read the same latest
 * value per key.
 * <p>
 * Threading: the verticle's worker context calls; {@link #init} and {@link #end} block it on the wire thread's
 * answer (bounded); send outcomes arrive on the wire thread ({@code vmm-wire-<flow>#<i> txn}).
 */
final class PassThroughTransactions implements TransactionalWriter {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PassThroughTransactions.class);

  private final String name;
  private final String sourceAlias;
  private final String targetAlias;
  private final String transactionalId;
  private final Map<String, Object> config;
  private final String progressTopic;
  private final FlowMetrics.TaskMetrics metrics;
  private final CompressionType explicitCodec;
  private final CompressionType codec;
  private final int batchSize;
  private final int maxRequestSize;
  private WireClient wire;
  private TransactionalSender txn;
  private TopicLimits limits;
  private int progressPartitions = -1;
  /** Records to build batches of, gathered per target partition (wire thread only). */
  private final PendingRecords pending = new PendingRecords();

  /**
   * @param flow            {@code A->B}
   * @param config          the final transactional producer config ({@link TransactionalConfig}): bootstrap,
   *                        security, {@code transaction.timeout.ms}, {@code delivery.timeout.ms},
   *                        {@code retry.backoff.ms}, {@code batch.size}, {@code compression.type}
   * @param progressTopic   {@code mm2-offsets.<source>.internal} on the target
   * @param metrics         counts batches passed through unchanged and records written in built batches
   */
  PassThroughTransactions(String flow, int index, String transactionalId, Map<String, Object> config,
                          String progressTopic, FlowMetrics.TaskMetrics metrics) {
    this.name = flow + "#" + index;
    this.sourceAlias = flow.substring(0, flow.indexOf("->"));
    this.targetAlias = flow.substring(flow.indexOf("->") + 2);
    this.transactionalId = transactionalId;
    this.config = config;
    this.progressTopic = progressTopic;
    this.metrics = metrics;
    Object compression = config.get(ProducerConfig.COMPRESSION_TYPE_CONFIG);
    this.explicitCodec = compression == null ? null : CompressionType.forName(String.valueOf(compression).trim());
    ProducerConfig parsed = new ProducerConfig(config);
    this.codec = CompressionType.forName(parsed.getString(ProducerConfig.COMPRESSION_TYPE_CONFIG));
    this.batchSize = parsed.getInt(ProducerConfig.BATCH_SIZE_CONFIG);
    this.maxRequestSize = parsed.getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
  }

  @Override
  public void init() {
    ProducerConfig parsed = new ProducerConfig(config);
    wire = new WireClient(name + " txn", parsed, fatal -> { });
    BatchSender sender = new BatchSender(wire, new BatchSender.Settings((short) -1,
        parsed.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG),
        parsed.getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), transactionalId));
    txn = new TransactionalSender(wire, sender, transactionalId,
        parsed.getInt(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), Budgets.TXN_END_RETRY_MS,
        parsed.getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG));
    limits = new TopicLimits(wire);
    try {
      Throwable error = await(done -> txn.init(done::accept));
      if (error == null) {
        error = await(done -> wire.refreshLeaders(Set.of(progressTopic), () -> {
          progressPartitions = wire.partitionCount(progressTopic);
          done.accept(progressPartitions > 0 ? null : new UnknownTopicOrPartitionException(progressTopic
              + " not found on cluster " + targetAlias));
        }));
      }
      if (error != null) {
        throw error instanceof RuntimeException r ? r : new KafkaException(error);
      }
      LOG.info("{} {}: batches pass through into transactions (transaction protocol version {})", name,
          transactionalId, txn.transactionV2() ? 2 : 1);
    } catch (RuntimeException e) {
      wire.close(0);
      wire = null;
      throw new IllegalStateException(name + " transactional.id " + transactionalId + ": initTransactions failed: "
          + e, e);
    }
  }

  @Override
  public boolean started() {
    return wire != null;
  }

  @Override
  public void begin() {
    wire.execute(txn::begin);
  }

  @Override
  public long send(SourceBatch.Chunk chunk, TransactionBatches.Answer answer, SendFailure onFailure) {
    TopicPartition target = new TopicPartition(chunk.targetTopic(), chunk.source().partition());
    int topicLimit = limits.limit(chunk.targetTopic(), Budgets.TOPIC_LIMIT_WAIT_MS);
    int limit = topicLimit < 0 ? -1 : Math.min(topicLimit, maxRequestSize);
    int max = limit < 0 ? batchSize : limit;
    ChunkSegments.Split split = ChunkSegments.split(chunk.source(), chunk.records(), chunk.batches(), limit,
        b -> explicitCodec == null || b.header().compressionType() == explicitCodec);
    List<Runnable> sends = new ArrayList<>();
    // its progress record's partition joins the transaction with the chunk's own: no round trip at commit
    TopicPartition progress = progressPartition(ProgressFormat.key(sourceAlias, chunk.source()));
    sends.add(() -> txn.addPartition(progress));
    long[] bytes = {0};
    ChunkSegments.walk(split, new ChunkSegments.Sink() {
      @Override
      public void records(List<ConsumerRecord<byte[], byte[]>> segment, int first) {
        for (ConsumerRecord<byte[], byte[]> r : segment) {
          bytes[0] += TargetRecords.bytes(r);
        }
        metrics.passThrough(0, segment.size());
        sends.add(() -> {
          pending.add(target, segment, answer, first, onFailure, max);
          if (!txn.busy(target)) {
            build(target);
          }
        });
      }

      @Override
      public void batches(List<RawBatch> segment, int first) {
        int at = first;
        for (RawBatch b : segment) {
          int index = at;
          sends.add(() -> {
            build(target); // records gathered before it go first
            txn.send(target, b, answered(target, b.recordCount(), slot(answer, index, onFailure), true));
          });
          at += b.recordCount();
          bytes[0] += b.sizeInBytes();
        }
      }
    });
    wire.execute(() -> sends.forEach(Runnable::run));
    return bytes[0];
  }

  private static PendingRecords.Slot slot(TransactionBatches.Answer answer, int index, SendFailure onFailure) {
    return new PendingRecords.Slot(answer, index, onFailure);
  }

  /**
   * Builds and sends the records gathered for {@code tp} (nothing when none wait); a record alone larger than its
   * topic takes is refused here, as Kafka's producer refuses it at send. Wire thread.
   */
  private void build(TopicPartition tp) {
    PendingRecords.Taken taken = pending.take(tp);
    if (taken == null) {
      return;
    }
    int max = taken.maxBytes();
    for (BatchEncoder.Built built : BatchEncoder.encode(taken.records(), codec, Math.min(batchSize, max), max)) {
      PendingRecords.Slot first = taken.slots().get(built.first());
      int size = built.batch().sizeInBytes();
      if (size > max) {
        first.onFailure().failed(first.upstream(), new RecordTooLargeException("the record is " + size
            + " bytes as a batch, larger than " + max + " (the smaller of " + tp.topic() + "'s max.message.bytes "
            + "and the producer's max.request.size)"));
        continue;
      }
      List<PendingRecords.Slot> slots = taken.slots().subList(built.first(), built.first() + built.count());
      txn.send(tp, built.batch(), (baseOffset, error) -> {
        if (error == null) {
          for (int k = 0; k < slots.size(); k++) {
            slots.get(k).answer().downstream[slots.get(k).index()] = baseOffset + k;
          }
        } else {
          first.onFailure().failed(first.upstream(), AclHints.onWrite(error, tp.topic(), targetAlias));
        }
        afterAnswer(tp);
      });
    }
  }

  /** A partition's batch was answered: records gathered meanwhile go now, unless another batch is on its way. */
  private void afterAnswer(TopicPartition tp) {
    wire.execute(() -> {
      if (pending.has(tp) && !txn.busy(tp)) {
        build(tp);
      }
    });
  }

  /** The outcome of a fetched batch of {@code count} records whose first record is {@code first}. */
  private BatchSender.Callback answered(TopicPartition tp, int count, PendingRecords.Slot first, boolean unchanged) {
    return (baseOffset, error) -> {
      if (error == null) {
        for (int k = 0; k < count; k++) {
          first.answer().downstream[first.index() + k] = baseOffset + k;
        }
        if (unchanged) {
          metrics.passThrough(1, 0);
        }
      } else {
        first.onFailure().failed(first.upstream(), AclHints.onWrite(error, tp.topic(), targetAlias));
      }
      afterAnswer(tp);
    };
  }

  @Override
  public void progress(String topic, byte[] key, byte[] value, Consumer<Throwable> onFailure) {
    TopicPartition tp = progressPartition(key);
    RawBatch batch = BatchEncoder.single(key, value, System.currentTimeMillis());
    wire.execute(() -> txn.send(tp, batch, (offset, error) -> {
      if (error != null) {
        onFailure.accept(error);
      }
    }));
  }

  /** The partition of the progress topic Kafka's producer would choose for {@code key} (murmur2, positive, modulo). */
  private TopicPartition progressPartition(byte[] key) {
    return new TopicPartition(progressTopic, Utils.toPositive(Utils.murmur2(key)) % progressPartitions);
  }

  @Override
  public void end(boolean commit) {
    Throwable error = await(done -> {
      pending.partitions().forEach(this::build); // every gathered record is in the transaction before it ends
      txn.end(commit, done::accept);
    });
    if (error instanceof RuntimeException r) {
      throw r;
    } else if (error != null) {
      throw new KafkaException(error);
    }
  }

  /** Aborts what is open and moves the epoch on (a recovery InitProducerId). */
  @Override
  public void renew() {
    end(false);
  }

  @Override
  public void close(Duration timeout) {
    if (wire != null) {
      wire.close(timeout.toMillis());
    }
  }

  /**
   * Runs {@code call} on the wire thread and waits for the error it reports (null: success), at most the
   * coordinator's budget plus one request timeout; a {@link TimeoutException} when no answer came.
   */
  private Throwable await(Consumer<Consumer<Throwable>> call) {
    CompletableFuture<Throwable> answer = new CompletableFuture<>();
    wire.execute(() -> call.accept(answer::complete));
    long waitMs = Budgets.TXN_END_RETRY_MS + wire.requestTimeoutMs();
    try {
      return answer.get(waitMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new TimeoutException(name + " interrupted waiting for the transaction coordinator");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      return new TimeoutException(name + " " + transactionalId + ": no answer within " + waitMs + " ms");
    }
  }
}
