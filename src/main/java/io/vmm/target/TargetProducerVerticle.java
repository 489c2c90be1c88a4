package io.vmm.target;

import io.vmm.async.Budgets;
import io.vmm.progress.ProgressFormat;
import io.vmm.tracing.TracedSender;
import io.vmm.tracing.Tracing;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vmm.bus.Addresses;
import io.vmm.bus.BatchResult;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.ProgressUpdate;
import io.vmm.bus.SourceBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A target producer of a flow, one per source task: writes each {@link SourceBatch} to the target cluster with one raw
 * {@link KafkaProducer} and answers with one {@link BatchResult} per batch; also stores {@link ProgressUpdate}s
 * in {@code mm2-offsets.<source>.internal} with the same producer.
 * <p>
 * Records keep the source partition number, key and value bytes (nulls and tombstones included), all headers
 * in order, and the source timestamp (sent as CreateTime), as MM2's MirrorSourceTask does. Per partition the
 * send order is the upstream order, and the idempotent producer keeps it.
 * <p>
 * A record the target refuses (the callback's final error, after the producer's own retries) makes its source
 * partition FAILED: nothing after it in that partition is sent. Except with {@code skipRefused} (legacy MM1 mode
 * with {@code abortOnSendFailure=false}, as MM1's producer callback did): a refusal that is not retriable (e.g.
 * {@code RecordTooLargeException}) is answered as {@link PartitionResult#SKIPPED} and the following records go on;
 * a {@link RetriableException} (e.g. the delivery timeout while the target is unreachable), an error thrown by
 * {@code send()} itself, or any error once the producer is closing still fails the partition, so an outage or a
 * stop never skips records.
 * <p>
 * With tracing on ({@link Tracing}), each mirrored record is sent through a {@link TracedSender}: a producer span
 * that continues the source record's trace, whose context replaces the record's {@code traceparent}. With tracing
 * off, records go to the raw producer and nothing else happens per record. Progress records are never traced.
 * <p>
 * One producer per source task, not per flow: a broker handles one request at a time per connection, so a
 * single producer caps a flow at what one broker thread can append (measured: about 140k records/s on the
 * 2-core bench machine, with a core left idle).
 * <p>
 * Threading: deployed as a <b>worker</b> verticle, so a {@code send()} that waits for buffer memory or metadata
 * blocks a worker thread, never an event loop; messages are handled one at a time in arrival order. Kafka
 * completes sends on its network thread; each batch's answer goes back through this verticle's context once
 * all of its records are answered (one context hop per batch, none per record). Stop closes the producer,
 * flushing what is queued, within {@link Budgets#CLIENT_CLOSE_MS}.
 */
public final class TargetProducerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TargetProducerVerticle.class);

  private final String flow;
  /** The target cluster's alias (from {@code flow}), for error messages. */
  private final String targetAlias;
  private final int index;
  private final Map<String, Object> producerConfig;
  private final String progressTopic;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** Source partitions with a failed record: nothing after it may be written (written from Kafka's thread too). */
  private final Map<TopicPartition, Throwable> failedPartitions = new java.util.concurrent.ConcurrentHashMap<>();
  private final Tracing tracing;
  /** Legacy mode (MM1): progress is committed as the group's offsets on the source instead; else null. */
  private final io.vmm.progress.GroupProgress groupProgress;
  /** Legacy MM1 {@code abortOnSendFailure=false}: a record refused for good is skipped, not a partition failure. */
  private final boolean skipRefused;
  /** Set by {@link #stop()} before closing: errors from then on (e.g. a forced close) are never skipped. */
  private volatile boolean closing;
  private KafkaProducer<byte[], byte[]> producer;
  /** Traced when tracing is on; else the raw producer, with no tracing work per record. */
  private RecordSender sender;
  /** The task's meters when chunks with record batches pass them through ({@code vmm.data.path=batch}), else null. */
  private final io.vmm.metrics.FlowMetrics.TaskMetrics passThroughMetrics;
  /** The pass-through sender when {@link #passThroughMetrics} is set, else null. */
  private PassThrough passThrough;

  /**
   * @param flow           flow name {@code A->B}
   * @param index          producer number within the flow; source task {@code i} uses producer {@code i}
   * @param producerConfig target-cluster producer settings
   * @param progressTopic  {@code mm2-offsets.<source>.internal}
   * @param tracing        the process's tracing ({@link Tracing#disabled()} when off)
   * @param groupProgress  legacy MirrorMaker mode: every {@link ProgressUpdate} is committed through it (the MM1
   *                       group's offsets on the source) and nothing is written to {@code progressTopic}; else null
   * @param skipRefused    legacy MM1 mode with {@code abortOnSendFailure=false} (the caller ensures offset syncs are
   *                       off, since a skipped record has no downstream offset): a record the target refuses for
   *                       good is answered as {@link PartitionResult#SKIPPED} and does not stop its partition
   * @param passThroughMetrics not null: pass record batches of chunks through unchanged ({@link PassThrough}; their
   *                       decoded records still go through the producer), counted in this task's meters
   */
  public TargetProducerVerticle(String flow, int index, Map<String, Object> producerConfig, String progressTopic,
                                Tracing tracing, io.vmm.progress.GroupProgress groupProgress, boolean skipRefused,
                                io.vmm.metrics.FlowMetrics.TaskMetrics passThroughMetrics) {
    this.passThroughMetrics = passThroughMetrics;
    this.skipRefused = skipRefused;
    this.groupProgress = groupProgress;
    this.flow = flow;
    this.targetAlias = flow.substring(flow.indexOf("->") + 2);
    this.index = index;
    this.producerConfig = producerConfig;
    this.progressTopic = progressTopic;
    this.tracing = tracing;
  }

  @Override
  public Future<?> start() {
    producer = new KafkaProducer<>(producerConfig); // worker thread: may resolve host names
    if (groupProgress != null) {
      groupProgress.open();
    }
    sender = RecordSender.of(producer, tracing);
    if (passThroughMetrics != null) {
      passThrough = new PassThrough(flow + "#" + index, context, producerConfig, failedPartitions, targetAlias,
          passThroughMetrics, this::sendRecords);
    }
    consumers.add(vertx.eventBus().<SourceBatch>localConsumer(Addresses.produce(flow, index), this::onBatch));
    consumers.add(vertx.eventBus().<ProgressUpdate>localConsumer(Addresses.progress(flow, index), this::onProgress));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  private void onBatch(Message<SourceBatch> message) {
    SourceBatch batch = message.body();
    int total = 0;
    for (SourceBatch.Chunk c : batch.chunks()) {
      total += c.size();
    }
    BatchAnswer answer = new BatchAnswer(context, message, batch.chunks().size(), total);
    for (int ci = 0; ci < batch.chunks().size(); ci++) {
      SourceBatch.Chunk chunk = batch.chunks().get(ci);
      ChunkAnswer pa = new ChunkAnswer(chunk.source(), chunk.size());
      answer.chunks[ci] = pa;
      if (passThrough != null && !chunk.batches().isEmpty()) {
        passThrough.send(chunk, pa, answer);
      } else {
        sendRecords(chunk, chunk.records(), pa, answer, 0, null);
      }
      chunk.release(); // the producer holds the bytes now; don't keep the records alive until the reply
    }
    if (total == 0) {
      message.reply(new BatchResult(batch.seq(), List.of()));
    }
  }

  /**
   * Sends {@code records} of {@code chunk} (answer indexes {@code first}..) with the producer; {@code done} (if
   * not null) runs once every one of them is answered, on whichever thread answers last.
   */
  void sendRecords(SourceBatch.Chunk chunk, List<ConsumerRecord<byte[], byte[]>> records, ChunkAnswer pa,
                   BatchAnswer answer, int first, Runnable done) {
    AtomicInteger left = new AtomicInteger(records.size());
    IntConsumer answered = n -> {
      answer.countDown(n);
      if (done != null && n > 0 && left.addAndGet(-n) == 0) {
        done.run();
      }
    };
    if (records.isEmpty() && done != null) {
      done.run();
      return;
    }
    Throwable earlier = failedPartitions.get(chunk.source());
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      int index = first + i;
      pa.upstream[index] = r.offset();
      Callback callback = (metadata, e) -> {
        if (e == null) {
          pa.downstream[index] = metadata.offset();
        } else if (skipRefused && !closing && !(e instanceof RetriableException)) {
          pa.skip(index, e); // MM1 abortOnSendFailure=false: logged and counted by the source task
        } else {
          Throwable named = io.vmm.kafka.AclHints.onWrite(e, chunk.targetTopic(), targetAlias);
          pa.fail(index, named);
          failedPartitions.putIfAbsent(chunk.source(), named);
        }
        answered.accept(1);
      };
      Throwable notSent = earlier;
      if (notSent == null) {
        try {
          sender.send(r, TargetRecords.of(r, chunk.targetTopic()), callback);
        } catch (RuntimeException e) {
          notSent = e;
        }
      }
      // Kafka reports some errors (e.g. RecordTooLargeException) through the callback, inside send()
      if (notSent != null || pa.failed()) {
        // this record (if not handed to Kafka) and the rest of the chunk are not sent
        int rest = notSent != null ? i : i + 1;
        for (int j = rest; j < records.size(); j++) {
          pa.upstream[first + j] = records.get(j).offset();
        }
        if (notSent != null) {
          pa.fail(index, notSent);
          failedPartitions.putIfAbsent(chunk.source(), notSent);
        }
        answered.accept(records.size() - rest);
        break;
      }
    }
  }

  private void onProgress(Message<ProgressUpdate> message) {
    ProgressUpdate update = message.body();
    if (groupProgress != null) {
      groupProgress.commit(context, update.lastWritten()).onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(null);
        } else {
          message.fail(1, ar.cause().getMessage());
        }
      });
      return;
    }
    if (update.lastWritten().isEmpty()) {
      message.reply(null); // nothing to store
      return;
    }
    AtomicInteger remaining = new AtomicInteger(update.lastWritten().size());
    List<Throwable> errors = new ArrayList<>(0);
    Context ctx = context;
    update.lastWritten().forEach((tp, offset) -> producer.send(
        new ProducerRecord<>(progressTopic, ProgressFormat.key(update.sourceAlias(), tp), ProgressFormat.value(offset)),
        (metadata, e) -> {
          if (e != null) {
            synchronized (errors) {
              errors.add(e);
            }
          }
          if (remaining.decrementAndGet() == 0) {
            ctx.runOnContext(v -> {
              if (errors.isEmpty()) {
                message.reply(null);
              } else {
                message.fail(1, "storing progress in " + progressTopic + " failed: " + errors.get(0));
              }
            });
          }
        }));
  }

  /** Producer batching figures (Kafka's producer-metrics), for the stop log line. */
  private String batchingSummary() {
    StringBuilder sb = new StringBuilder();
    for (String name : List.of("batch-size-avg", "records-per-request-avg", "request-rate", "record-send-total",
        "bufferpool-wait-time-ns-total", "record-queue-time-avg", "request-latency-avg", "requests-in-flight")) {
      producer.metrics().forEach((metricName, metric) -> {
        if (metricName.group().equals("producer-metrics") && metricName.name().equals(name)) {
          Object v = metric.metricValue();
          sb.append(sb.isEmpty() ? "" : ", ").append(name).append('=')
              .append(v instanceof Double d ? String.format("%.0f", d) : v);
        }
      });
    }
    return sb.toString();
  }

  @Override
  public Future<?> stop() {
    Future<?> unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    closing = true;
    if (producer != null) {
      String batching = batchingSummary();
      producer.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS)); // worker thread: blocking is fine
      LOG.info("{} target producer {} closed; {}", flow, index, batching);
    }
    if (passThrough != null) {
      passThrough.close();
    }
    if (groupProgress != null) {
      groupProgress.close();
    }
    return unregistered;
  }
}
