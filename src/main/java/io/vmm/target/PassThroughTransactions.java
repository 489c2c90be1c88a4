package io.vmm.target;

import io.vmm.async.Budgets;
import io.vmm.bus.SourceBatch;
import io.vmm.kafka.AclHints;
import io.vmm.metrics.FlowMetrics;
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

  private final String name;
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
    ChunkSegments.Split split = ChunkSegments.split(chunk.source(), chunk.records(), chunk.batches(), limit,
        b -> explicitCodec == null || b.header().compressionType() == explicitCodec);
    List<Runnable> sends = new ArrayList<>();
    long[] bytes = {0};
    ChunkSegments.walk(split, new ChunkSegments.Sink() {
      @Override
      public void records(List<ConsumerRecord<byte[], byte[]>> segment, int first) {
        int max = limit < 0 ? batchSize : limit;
        for (BatchEncoder.Built built : BatchEncoder.encode(segment, codec, Math.min(batchSize, max), max)) {
          int size = built.batch().sizeInBytes();
          if (size > max) { // one record, too large: refused here, as Kafka's producer refuses it at send
            onFailure.failed(answer.upstream[first + built.first()], new RecordTooLargeException("the record is "
                + size + " bytes as a batch, larger than " + max + " (the smaller of " + chunk.targetTopic()
                + "'s max.message.bytes and the producer's max.request.size)"));
            continue;
          }
          sends.add(send(target, built.batch(), first + built.first(), answer, onFailure, false));
          bytes[0] += size;
        }
        metrics.passThrough(0, segment.size());
      }

      @Override
      public void batches(List<RawBatch> segment, int first) {
        int at = first;
        for (RawBatch b : segment) {
          sends.add(send(target, b, at, answer, onFailure, true));
          at += b.recordCount();
          bytes[0] += b.sizeInBytes();
        }
      }
    });
    wire.execute(() -> sends.forEach(Runnable::run));
    return bytes[0];
  }

  /** The send of {@code batch}, whose records sit at answer indexes {@code first}..; to run on the wire thread. */
  private Runnable send(TopicPartition target, RawBatch batch, int first, TransactionBatches.Answer answer,
                        SendFailure onFailure, boolean unchanged) {
    int count = batch.recordCount();
    return () -> txn.send(target, batch, (baseOffset, error) -> {
      if (error == null) {
        for (int k = 0; k < count; k++) {
          answer.downstream[first + k] = baseOffset + k;
        }
        if (unchanged) {
          metrics.passThrough(1, 0);
        }
      } else {
        onFailure.failed(answer.upstream[first], AclHints.onWrite(error, target.topic(), targetAlias));
      }
    });
  }

  @Override
  public void progress(String topic, byte[] key, byte[] value, Consumer<Throwable> onFailure) {
    TopicPartition tp = new TopicPartition(topic, Utils.toPositive(Utils.murmur2(key)) % progressPartitions);
    RawBatch batch = BatchEncoder.single(key, value, System.currentTimeMillis());
    wire.execute(() -> txn.send(tp, batch, (offset, error) -> {
      if (error != null) {
        onFailure.accept(error);
      }
    }));
  }

  @Override
  public void end(boolean commit) {
    Throwable error = await(done -> txn.end(commit, done::accept));
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
