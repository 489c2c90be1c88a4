package io.vmm.target;

import io.vertx.core.Context;
import io.vmm.bus.SourceBatch;
import io.vmm.kafka.AclHints;
import io.vmm.metrics.FlowMetrics;
import io.vmm.wire.BatchSender;
import io.vmm.wire.RawBatch;
import io.vmm.wire.TopicLimits;
import io.vmm.wire.WireClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The target side of the batch pass-through path ({@code vmm.data.path=batch}) for one producer verticle: the
 * record batches of a chunk go to a {@link BatchSender} (unchanged bodies, idempotent, on its own
 * {@link WireClient} I/O thread, configured from the task's producer settings: bootstrap, security, {@code acks},
 * {@code delivery.timeout.ms}, {@code retry.backoff.ms}); the chunk's decoded records (from batches that could
 * not pass through) go to the verticle's producer. A chunk is cut into segments of one kind in upstream order,
 * and {@link PathLanes} keeps the partition's order between the two ways. A batch larger than the target
 * topic's {@code max.message.bytes} or the producer's {@code max.request.size} ({@link TopicLimits}: the first chunk of a topic waits for it; every batch
 * while it cannot be read) is decoded and
 * goes as records: the producer splits them, and a single record that is still too large fails the partition.
 * So does a batch whose codec differs from an explicitly set producer {@code compression.type} (the user asked
 * for that codec on the target), and a chunk of small batches ({@link ChunkSegments#small}).
 * <p>
 * Answers: a batch's records get downstream offsets {@code appended base offset + i} (batches are dense); a
 * refused batch fails its partition at its first record, as a refused record does (with
 * {@link AclHints#onWrite} naming a missing ACL), and later segments of a failed partition are not sent.
 * <p>
 * Threading: {@link #send} runs on the verticle's (worker) context; batch answers arrive on the wire thread.
 */
final class PassThrough {

  /** The verticle's record path: sends decoded records at answer indexes {@code first}.., then runs done. */
  interface RecordPath {
    void send(SourceBatch.Chunk chunk, List<ConsumerRecord<byte[], byte[]>> records, ChunkAnswer answer,
              BatchAnswer batch, int first, Runnable done);
  }

  private final WireClient wire;
  private final BatchSender sender;
  private final TopicLimits limits;
  private final PathLanes lanes;
  private final Map<TopicPartition, Throwable> failedPartitions;
  private final String targetAlias;
  private final RecordPath records;
  private final FlowMetrics.TaskMetrics metrics;
  /** The producer's {@code compression.type} when set explicitly: batches of another codec go as records; else null. */
  private final CompressionType codec;
  /** The producer's {@code max.request.size}: a larger batch goes as records, as the record path would send it. */
  private final int maxRequestSize;

  /**
   * Opens the wire client (resolving bootstrap addresses: call on a worker thread).
   *
   * @param name             {@code A->B#i}, for the I/O thread's name
   * @param failedPartitions the verticle's failed source partitions (shared with its record path)
   * @param metrics          counts batches written unchanged and records that went through the producer
   */
  PassThrough(String name, Context context, Map<String, Object> producerConfig,
              Map<TopicPartition, Throwable> failedPartitions, String targetAlias, FlowMetrics.TaskMetrics metrics,
              RecordPath records) {
    this.metrics = metrics;
    Object compression = producerConfig.get(ProducerConfig.COMPRESSION_TYPE_CONFIG);
    this.codec = compression == null ? null : CompressionType.forName(String.valueOf(compression).trim());
    ProducerConfig config = new ProducerConfig(producerConfig);
    this.maxRequestSize = config.getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    // a dead sender answers nothing: the source task's wait for the answer fails its chunks (partitions FAILED)
    this.wire = new WireClient(name + " produce", config, fatal -> { });
    String acks = config.getString(ProducerConfig.ACKS_CONFIG);
    this.sender = new BatchSender(wire, new BatchSender.Settings("1".equals(acks) ? (short) 1 : (short) -1,
        config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG), config.getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)));
    this.limits = new TopicLimits(wire);
    this.lanes = new PathLanes(r -> context.runOnContext(v -> r.run()));
    this.failedPartitions = failedPartitions;
    this.targetAlias = targetAlias;
    this.records = records;
  }

  /** Sends one chunk: its batches and decoded records, cut into segments in upstream order. */
  void send(SourceBatch.Chunk chunk, ChunkAnswer answer, BatchAnswer batch) {
    TopicPartition tp = chunk.source();
    int topicLimit = limits.limit(chunk.targetTopic(), io.vmm.async.Budgets.TOPIC_LIMIT_WAIT_MS);
    int limit = topicLimit < 0 ? -1 : Math.min(topicLimit, maxRequestSize); // the producer's own limit holds too
    // small batches, limit unknown (lookup failed), a batch larger than the target topic accepts or of another
    // codec than the producer's explicit compression.type: those go as records
    ChunkSegments.Split split = ChunkSegments.split(tp, chunk.records(), chunk.batches(), limit, this::codecKept);
    ChunkSegments.walk(split, new ChunkSegments.Sink() {
      @Override
      public void records(List<ConsumerRecord<byte[], byte[]>> segment, int first) {
        metrics.passThrough(0, segment.size());
        lanes.submit(tp, PathLanes.Kind.RECORDS,
            () -> records.send(chunk, segment, answer, batch, first, () -> lanes.done(tp)));
      }

      @Override
      public void batches(List<RawBatch> segment, int first) {
        lanes.submit(tp, PathLanes.Kind.BATCHES, () -> sendBatches(chunk, segment, answer, batch, first));
      }
    });
  }

  /** Whether {@code b} may keep its codec: no explicit producer {@code compression.type}, or the same one. */
  private boolean codecKept(RawBatch b) {
    return codec == null || b.header().compressionType() == codec;
  }

  private void sendBatches(SourceBatch.Chunk chunk, List<RawBatch> segment, ChunkAnswer answer, BatchAnswer batch,
                           int first) {
    TopicPartition source = chunk.source();
    int index = first;
    for (RawBatch b : segment) {
      for (int k = 0; k < b.recordCount(); k++) {
        answer.upstream[index + k] = b.baseOffset() + k;
      }
      index += b.recordCount();
    }
    Throwable earlier = failedPartitions.get(source);
    if (earlier != null) {
      answer.fail(first, earlier);
      batch.countDown(index - first);
      lanes.done(source);
      RawBatch.releaseAll(segment); // not sent
      return;
    }
    TopicPartition target = new TopicPartition(chunk.targetTopic(), source.partition());
    AtomicInteger left = new AtomicInteger(segment.size());
    wire.execute(() -> {
      int at = first;
      for (RawBatch b : segment) {
        int start = at;
        int count = b.recordCount();
        at += count;
        sender.send(target, b, (baseOffset, error) -> {
          if (error == null) {
            metrics.passThrough(1, 0);
            for (int k = 0; k < count; k++) {
              answer.downstream[start + k] = baseOffset + k;
            }
          } else {
            Throwable named = AclHints.onWrite(error, chunk.targetTopic(), targetAlias);
            answer.fail(start, named);
            failedPartitions.putIfAbsent(source, named);
          }
          batch.countDown(count);
          if (left.decrementAndGet() == 0) {
            lanes.done(source);
          }
        });
      }
    });
  }

  /** Closes the wire client; batches still unanswered are abandoned (the source task re-reads them). */
  void close() {
    wire.close();
  }
}
