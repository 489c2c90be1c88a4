package io.vmm.source;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import io.vmm.bus.Addresses;
import io.vmm.bus.BatchResult;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.ProgressUpdate;
import io.vmm.bus.SourceBatch;
import io.vmm.metrics.FlowMetrics;
import io.vmm.metrics.PartitionMetrics;
import io.vmm.source.InFlightTracker.PartitionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One MirrorSourceTask of a flow: a consumer in assign mode over one partition group, handing each poll's
 * records to the flow's target producer over the local event bus, and storing the acknowledged progress.
 * <p>
 * Data path: the consumer polls on its own thread (vertx-kafka-client); each poll arrives here as one batch,
 * is sent as one {@link SourceBatch} (no copy) to this task's own target producer (task {@code i} uses producer
 * {@code i}, so a partition's batches are never reordered) and answered by one {@link BatchResult}. Per partition at most
 * {@code maxRecords} records / {@code maxBytes} key+value bytes are un-acknowledged, and per task at most
 * {@code maxTaskBytes}: above a mark the partition is paused, below half of every mark it is resumed.
 * <p>
 * Progress (at-least-once): only the contiguous acknowledged prefix per partition counts
 * ({@link InFlightTracker}); it is sent to the producer as a {@link ProgressUpdate} every flush interval and at
 * stop, and stored in {@code mm2-offsets.<source>.internal}. On start a partition resumes at stored + 1, else
 * where the consumer's {@code auto.offset.reset} puts it.
 * <p>
 * A chunk the target refused for good (e.g. RecordTooLargeException after the producer's own retries) fails
 * its partition: paused for good, progress kept before the failed record, error logged with topic, partition
 * and offset, and published on {@link Addresses#partitionFailed}. Other partitions go on.
 * <p>
 * Threading: everything here runs on this verticle's event loop; the consumer is only touched through the
 * read stream, which runs it on its own thread.
 */
public final class SourceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SourceVerticle.class);
  // stop budget: drain + store + close stays under 9 s, inside the 10 s a SIGTERM allows
  private static final long STOP_DRAIN_MS = 5_000;
  private static final long STOP_FLUSH_MS = 2_000;
  private static final long STOP_CLOSE_MS = 1_500;

  /**
   * One partition of the group.
   *
   * @param tp          source partition
   * @param targetTopic remote topic name
   * @param lastWritten stored progress (upstream offset of the last record in the target), or -1 if none
   * @param resumeAt    next offset to read, or -1 to let the consumer's {@code auto.offset.reset} decide
   */
  public record Assignment(TopicPartition tp, String targetTopic, long lastWritten, long resumeAt) {

    /** Resume right after stored progress, or where {@code auto.offset.reset} says when there is none. */
    public static Assignment fromStored(TopicPartition tp, String targetTopic, long lastWritten) {
      return new Assignment(tp, targetTopic, lastWritten, lastWritten >= 0 ? lastWritten + 1 : -1);
    }
  }

  /** Flow-control and timing settings of a task. */
  /**
   * Flow-control and timing settings of a task.
   *
   * @param offsetLagMax MM2's {@code offset.lag.max}, or -1 when offset syncs are off
   */
  public record Limits(int maxRecords, long maxBytes, long maxTaskBytes, long flushIntervalMs, long pollTimeoutMs,
                       long requestTimeoutMs, long offsetLagMax) {
  }

  private final String flow;
  private final FlowMetrics metrics;
  private final FlowMetrics.TaskMetrics taskMetrics;
  private final Map<TopicPartition, PartitionMetrics> partitionMetrics = new java.util.HashMap<>();
  private final boolean startsAtEarliest;
  private boolean paused;
  /** Partitions with records polled (and dropped) while paused: the first dropped offset, to seek to on resume. */
  private final Map<TopicPartition, Long> rewindOnResume = new java.util.HashMap<>();
  private final String sourceAlias;
  private final int taskIndex;
  private final String taskId;
  private final Map<String, Object> consumerConfig;
  private final List<Assignment> assignments;
  private final Limits limits;
  private final InFlightTracker tracker = new InFlightTracker();
  /** Offset syncs of this task, or null with {@code emit.offset-syncs.enabled=false}. */
  private final io.vmm.sync.OffsetSyncTracker syncs;
  private final DeliveryOptions requestOptions;
  private final Set<TopicPartition> pausedPartitions = new HashSet<>();
  /** Partitions added at run time whose seek to stored progress is not done: their polled records are dropped. */
  private final Set<TopicPartition> positioning = new HashSet<>();
  private io.vertx.core.eventbus.MessageConsumer<JsonArray> assignConsumer;
  private io.vertx.core.eventbus.MessageConsumer<JsonArray> resetConsumer;
  private io.vertx.core.eventbus.MessageConsumer<String> controlConsumer;

  private KafkaConsumer<byte[], byte[]> consumer;
  private KafkaReadStream<byte[], byte[]> stream;
  private long seq;
  private long flushTimer = -1;
  private boolean flushing;
  private boolean stopping;
  private Promise<Void> drained;
  private long lastPollErrorLog;
  private long pauses;
  private long batches;

  /**
   * @param flow           the flow
   * @param taskIndex      task number within the flow (uses producer {@code taskIndex})
   * @param consumerConfig source-cluster consumer settings
   * @param assignments    the partition group with the positions to resume at
   * @param limits         flow control and timing
   * @param metrics        the flow's metrics (partition and in-flight meters of this task are registered here)
   * @param startPaused    start positioned but not fetching (connector state {@code paused}), until a resume
   */
  public SourceVerticle(SourceAndTarget flow, int taskIndex, Map<String, Object> consumerConfig,
                        List<Assignment> assignments, Limits limits, FlowMetrics metrics, boolean startPaused) {
    this.flow = flow.toString();
    this.metrics = metrics;
    this.taskMetrics = metrics.task(taskIndex);
    this.paused = startPaused;
    this.startsAtEarliest = !"latest".equals(String.valueOf(consumerConfig.get("auto.offset.reset")))
        && !"none".equals(String.valueOf(consumerConfig.get("auto.offset.reset")));
    this.sourceAlias = flow.source();
    this.taskIndex = taskIndex;
    this.taskId = this.flow + "#" + taskIndex;
    this.consumerConfig = consumerConfig;
    this.assignments = List.copyOf(assignments);
    this.limits = limits;
    this.requestOptions = new DeliveryOptions().setLocalOnly(true).setSendTimeout(limits.requestTimeoutMs());
    this.syncs = limits.offsetLagMax() < 0 ? null : new io.vmm.sync.OffsetSyncTracker(limits.offsetLagMax());
  }

  @Override
  public Future<?> start() {
    for (Assignment a : assignments) {
      tracker.add(a.tp(), a.targetTopic(), a.lastWritten());
      track(a);
    }
    // the consumer constructor may resolve host names: keep it off the event loop
    return vertx.executeBlocking(() -> new KafkaConsumer<byte[], byte[]>(consumerConfig), false)
        .compose(created -> {
          consumer = created;
          stream = KafkaReadStream.create(vertx, consumer);
          stream.pause(); // no poll before every partition is positioned
          stream.pollTimeout(Duration.ofMillis(limits.pollTimeoutMs()));
          stream.exceptionHandler(this::onPollError);
          stream.batchHandler(this::onBatch);
          Set<TopicPartition> tps = new HashSet<>();
          assignments.forEach(a -> tps.add(a.tp()));
          return stream.assign(tps);
        })
        .compose(v -> {
          List<Future<Void>> seeks = new ArrayList<>();
          for (Assignment a : assignments) {
            if (a.resumeAt() >= 0) {
              seeks.add(stream.seek(a.tp(), a.resumeAt()));
            }
          }
          return Future.all(seeks);
        })
        .onSuccess(v -> {
          LOG.info("{} started{}: {}", taskId, paused ? " PAUSED" : "", describeStart());
          if (!paused) {
            stream.resume();
          }
          flushTimer = vertx.setPeriodic(limits.flushIntervalMs(), id -> flush());
          assignConsumer = vertx.eventBus().localConsumer(Addresses.taskAssign(flow, taskIndex), this::onAssign);
          resetConsumer = vertx.eventBus().localConsumer(Addresses.taskReset(flow, taskIndex), this::onReset);
          controlConsumer = vertx.eventBus().localConsumer(Addresses.taskControl(flow, taskIndex), this::onControl);
        });
  }

  /** Registers a partition's meters and its starting position. */
  private void track(Assignment a) {
    PartitionMetrics pm = metrics.partition(a.tp(), a.targetTopic());
    pm.assigned(a.resumeAt(), startsAtEarliest, System.currentTimeMillis());
    partitionMetrics.put(a.tp(), pm);
  }

  /**
   * {@code "pause"}: stop fetching (the consumer is not polled; records in flight still complete and progress is
   * still stored); {@code "resume"}: fetch again. Replies with the new state.
   */
  private void onControl(io.vertx.core.eventbus.Message<String> message) {
    if ("pause".equals(message.body())) {
      if (!paused && !stopping) {
        paused = true;
        stream.pause();
        consumer.wakeup(); // ends a poll in progress; records it still returns are dropped and re-read on resume
        LOG.info("{} paused", taskId);
      }
    } else if ("resume".equals(message.body())) {
      if (paused && !stopping) {
        paused = false;
        List<Future<Void>> seeks = new ArrayList<>();
        rewindOnResume.forEach((tp, offset) -> seeks.add(stream.seek(tp, offset)));
        rewindOnResume.clear();
        Future.all(seeks).onComplete(ar -> {
          if (!paused && !stopping) {
            stream.resume();
            consumer.wakeup();
          }
          LOG.info("{} resumed", taskId);
          message.reply("RUNNING");
        });
        return;
      }
    } else {
      message.fail(400, "unknown task operation " + message.body());
      return;
    }
    message.reply(paused ? "PAUSED" : "RUNNING");
  }

  /**
   * Adds partitions found by a topic refresh, without stopping the others: assigns the new full set (the
   * consumer keeps the positions of partitions it already had), then seeks those with stored progress. Records
   * polled for them before the seek completes are dropped and fetched again, so none is skipped whatever
   * {@code auto.offset.reset} says. Replies once every new partition is positioned.
   */
  private void onAssign(io.vertx.core.eventbus.Message<JsonArray> message) {
    List<Assignment> added = new ArrayList<>();
    for (int i = 0; i < message.body().size(); i++) {
      JsonObject a = message.body().getJsonObject(i);
      TopicPartition tp = new TopicPartition(a.getString("topic"), a.getInteger("partition"));
      if (tracker.get(tp) == null) {
        added.add(new Assignment(tp, a.getString("remote"), a.getLong("lastWritten", -1L),
            a.getLong("resumeAt", -1L)));
      }
    }
    if (stopping || added.isEmpty()) {
      message.reply(0);
      return;
    }
    Set<TopicPartition> all = new HashSet<>();
    tracker.all().forEach(s -> all.add(s.tp));
    for (Assignment a : added) {
      tracker.add(a.tp(), a.targetTopic(), a.lastWritten());
      track(a);
      all.add(a.tp());
      if (a.resumeAt() >= 0) {
        positioning.add(a.tp());
      }
    }
    stream.assign(all)
        .compose(v -> {
          List<Future<Void>> seeks = new ArrayList<>();
          for (Assignment a : added) {
            if (a.resumeAt() >= 0) {
              seeks.add(stream.seek(a.tp(), a.resumeAt()).onSuccess(x -> positioning.remove(a.tp())));
            }
          }
          return Future.all(seeks);
        })
        .onSuccess(v -> {
          LOG.info("{} added {}", taskId, describe(added));
          message.reply(added.size());
        })
        .onFailure(e -> {
          LOG.error("{} adding partitions failed: {}", taskId, e.toString());
          message.fail(1, e.toString());
        });
  }

  /**
   * Restarts partitions whose source topic was deleted and recreated at the new log start: their old progress
   * and in-flight chunks are forgotten (a warning names each partition and its old last written offset), records
   * polled before the seek are dropped. Replies with the number of partitions reset.
   */
  private void onReset(io.vertx.core.eventbus.Message<JsonArray> message) {
    Set<TopicPartition> tps = new HashSet<>();
    for (int i = 0; i < message.body().size(); i++) {
      JsonObject e = message.body().getJsonObject(i);
      TopicPartition tp = new TopicPartition(e.getString("topic"), e.getInteger("partition"));
      if (tracker.get(tp) != null) {
        tps.add(tp);
      }
    }
    if (stopping || tps.isEmpty()) {
      message.reply(0);
      return;
    }
    for (TopicPartition tp : tps) {
      long old = tracker.reset(tp);
      if (syncs != null) {
        syncs.reset(tp);
      }
      positioning.add(tp);
      PartitionMetrics pm = partitionMetrics.get(tp);
      if (pm != null) {
        pm.assigned(-1, true, System.currentTimeMillis());
      }
      LOG.warn("{} {}: source topic was deleted and recreated; last written offset before the reset {}; "
          + "resuming at the new log start (records since then may be mirrored twice)", taskId, tp, old);
    }
    applyFlowControl();
    stream.seekToBeginning(tps)
        .onSuccess(v -> {
          positioning.removeAll(tps);
          message.reply(tps.size());
        })
        .onFailure(e -> message.fail(1, e.toString()));
  }

  private String describeStart() {
    return describe(assignments);
  }

  private String describe(List<Assignment> list) {
    StringBuilder sb = new StringBuilder();
    for (Assignment a : list) {
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      sb.append(a.tp()).append(a.resumeAt() >= 0 ? " from offset " + a.resumeAt()
          : " from auto.offset.reset=" + consumerConfig.get("auto.offset.reset"));
    }
    return sb.toString();
  }

  private void onBatch(ConsumerRecords<byte[], byte[]> records) {
    if (stopping) {
      return; // not sent, not counted: re-read after restart
    }
    if (paused) {
      // polled before the pause took effect: not sent; fetched again from the first of them on resume
      for (TopicPartition tp : records.partitions()) {
        if (!positioning.contains(tp)) {
          rewindOnResume.putIfAbsent(tp, records.records(tp).get(0).offset());
        }
      }
      return;
    }
    long batchSeq = seq++;
    batches++;
    long now = System.currentTimeMillis();
    int n = records.partitions().size();
    List<SourceBatch.Chunk> chunks = new ArrayList<>(n);
    long[] firstOffsets = new long[n];
    // per chunk: timestamps of its records, for replication-latency at acknowledgement
    ChunkTimes[] times = new ChunkTimes[n];
    for (TopicPartition tp : records.partitions()) {
      PartitionState s = tracker.get(tp);
      if (s == null || s.failed() || positioning.contains(tp)) {
        continue; // not positioned yet: re-fetched from the right offset after the seek
      }
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      long bytes = 0;
      long valueBytes = 0;
      ChunkTimes t = new ChunkTimes();
      for (int i = 0; i < list.size(); i++) {
        ConsumerRecord<byte[], byte[]> r = list.get(i);
        int valueSize = Math.max(0, r.serializedValueSize());
        bytes += Math.max(0, r.serializedKeySize()) + valueSize;
        valueBytes += valueSize;
        t.add(r.timestamp());
      }
      PartitionMetrics pm = partitionMetrics.get(tp);
      if (pm != null) {
        pm.polled(list.size(), valueBytes, t.timed, t.min, t.max, t.sum, t.last, now);
      }
      times[chunks.size()] = t;
      firstOffsets[chunks.size()] = list.get(0).offset();
      chunks.add(new SourceBatch.Chunk(tp, s.targetTopic, list));
      tracker.sent(tp, batchSeq, list.get(list.size() - 1).offset(), list.size(), bytes);
    }
    if (chunks.isEmpty()) {
      return;
    }
    List<TopicPartition> sentPartitions = new ArrayList<>(chunks.size());
    chunks.forEach(c -> sentPartitions.add(c.source()));
    vertx.eventBus().<BatchResult>request(Addresses.produce(flow, taskIndex), new SourceBatch(taskId, batchSeq, chunks),
            requestOptions)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            List<PartitionResult> results = ar.result().body().results();
            for (int i = 0; i < results.size(); i++) {
              onAnswer(batchSeq, results.get(i), times[i]);
            }
          } else {
            // the producer did not answer: nothing after the stored prefix can be trusted as written
            for (int i = 0; i < sentPartitions.size(); i++) {
              onAnswer(batchSeq, new PartitionResult(sentPartitions.get(i), new long[]{firstOffsets[i]},
                  new long[]{-1}, 0, ar.cause()), times[i]);
            }
          }
          applyFlowControl();
          if (drained != null && tracker.inFlightRecords() == 0) {
            drained.tryComplete();
          }
        });
    applyFlowControl();
  }

  /** Min, max, sum and last of a chunk's record timestamps (records without one, -1, are left out). */
  private static final class ChunkTimes {
    int timed;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    double sum;
    long last = -1;

    void add(long ts) {
      last = ts;
      if (ts >= 0) {
        timed++;
        min = Math.min(min, ts);
        max = Math.max(max, ts);
        sum += ts;
      }
    }
  }

  private void onAnswer(long batchSeq, PartitionResult result, ChunkTimes times) {
    PartitionState s = tracker.get(result.source());
    boolean wasFailed = s.failed();
    long before = s.lastWritten;
    tracker.answered(batchSeq, result, this::onAcknowledgedPrefix);
    PartitionMetrics pm = partitionMetrics.get(result.source());
    if (pm != null) {
      long[] downstream = result.downstream();
      int acked = result.failedAt() < 0 ? downstream.length : 0;
      for (int i = 0; result.failedAt() >= 0 && i < downstream.length; i++) {
        if (downstream[i] >= 0) {
          acked++; // a failed chunk: count what the target did acknowledge
        }
      }
      if (acked > 0) {
        // a partly failed chunk keeps its timestamp figures: the latency of the records written is close enough
        int timed = acked == downstream.length ? times.timed : Math.min(acked, times.timed);
        pm.acknowledged(acked, timed, times.min, times.max, times.timed == 0 ? 0 : times.sum * timed / times.timed,
            times.last, System.currentTimeMillis());
      }
      if (s.lastWritten > before) {
        pm.mirrored(s.lastWritten + 1, times.last, System.currentTimeMillis());
      }
    }
    if (s.failed() && !wasFailed) {
      reportFailure(s);
    }
  }

  /** Offset syncs for records that just joined the acknowledged prefix (in upstream order per partition). */
  private void onAcknowledgedPrefix(PartitionResult r) {
    if (syncs == null) {
      return;
    }
    int end = r.failedAt() < 0 ? r.upstream().length : r.failedAt();
    int acked = 0;
    while (acked < end && r.downstream()[acked] >= 0) {
      acked++;
    }
    List<io.vmm.bus.OffsetSync> immediate = syncs.acknowledged(r.source(), r.upstream(),
        r.downstream(), acked);
    if (!immediate.isEmpty()) {
      vertx.eventBus().send(Addresses.offsetSyncs(flow), new io.vmm.bus.OffsetSyncBatch(immediate), requestOptions);
    }
  }

  /** Pauses partitions above a high mark and resumes those below every low mark. */
  private void applyFlowControl() {
    boolean taskOver = tracker.inFlightBytes() >= limits.maxTaskBytes();
    boolean taskUnder = tracker.inFlightBytes() <= limits.maxTaskBytes() / 2;
    Set<TopicPartition> toPause = null;
    Set<TopicPartition> toResume = null;
    for (PartitionState s : tracker.all()) {
      boolean paused = pausedPartitions.contains(s.tp);
      if (!paused && (s.failed() || taskOver || s.inFlightRecords >= limits.maxRecords()
          || s.inFlightBytes >= limits.maxBytes())) {
        (toPause == null ? toPause = new HashSet<>() : toPause).add(s.tp);
      } else if (paused && !s.failed() && taskUnder && s.inFlightRecords <= limits.maxRecords() / 2
          && s.inFlightBytes <= limits.maxBytes() / 2) {
        (toResume == null ? toResume = new HashSet<>() : toResume).add(s.tp);
      }
    }
    taskMetrics.inFlight(tracker.inFlightRecords(), tracker.inFlightBytes());
    if (toPause != null) {
      pauses++;
      pausedPartitions.addAll(toPause);
      stream.pause(toPause);
    }
    if (toResume != null) {
      pausedPartitions.removeAll(toResume);
      stream.resume(toResume);
      // the resume runs on the consumer thread after the current poll, which waits up to the poll timeout when
      // every partition is paused; wakeup() (thread-safe) ends that poll so fetching restarts at once
      consumer.wakeup();
    }
  }

  private void onPollError(Throwable e) {
    if (e instanceof OffsetOutOfRangeException oor) {
      // only with auto.offset.reset=none: the stored position is outside the log
      for (Map.Entry<TopicPartition, Long> entry : oor.offsetOutOfRangePartitions().entrySet()) {
        PartitionState s = tracker.get(entry.getKey());
        if (s != null && !s.failed()) {
          tracker.fail(entry.getKey(), new IllegalStateException("offset " + entry.getValue()
              + " is out of range and auto.offset.reset=none"));
          reportFailure(s);
        }
      }
      applyFlowControl();
      return;
    }
    long now = System.currentTimeMillis();
    if (now - lastPollErrorLog > 10_000) {
      lastPollErrorLog = now;
      LOG.warn("{} poll of {} failed (repeats are logged at most every 10 s): {}", taskId, tracker.all().stream()
          .map(s -> s.tp.toString()).toList(), e.toString());
    }
  }

  private void reportFailure(PartitionState s) {
    PartitionMetrics pm = partitionMetrics.get(s.tp);
    if (pm != null) {
      pm.failed(true);
    }
    LOG.error("{} {}: partition FAILED at upstream offset {} (target topic {}): {}. Records before it are stored; "
            + "this partition stops until the task restarts; other partitions go on.", taskId, s.tp,
        s.failedOffset, s.targetTopic, String.valueOf(s.failure));
    vertx.eventBus().publish(Addresses.partitionFailed(flow), new JsonObject()
        .put("flow", flow).put("task", taskId).put("topic", s.tp.topic()).put("partition", s.tp.partition())
        .put("offset", s.failedOffset).put("error", String.valueOf(s.failure)), Addresses.local());
  }

  /** Sends progress not yet stored to the producer; at most one store in flight. */
  private Future<Void> flush() {
    if (flushing) {
      return Future.succeededFuture();
    }
    if (syncs != null) {
      List<io.vmm.bus.OffsetSync> delayed = syncs.flushDelayed();
      if (!delayed.isEmpty()) {
        vertx.eventBus().send(Addresses.offsetSyncs(flow), new io.vmm.bus.OffsetSyncBatch(delayed), requestOptions);
      }
    }
    Map<TopicPartition, Long> unstored = tracker.unstored();
    if (unstored.isEmpty()) {
      return Future.succeededFuture();
    }
    flushing = true;
    return vertx.eventBus().request(Addresses.progress(flow, taskIndex), new ProgressUpdate(sourceAlias, Map.copyOf(unstored)),
            requestOptions)
        .<Void>mapEmpty()
        .onSuccess(v -> tracker.stored(unstored))
        .onFailure(e -> LOG.warn("{} storing progress of {} failed, will retry: {}", taskId, unstored.keySet(),
            e.toString()))
        .eventually(() -> {
          flushing = false;
          return Future.succeededFuture();
        });
  }

  /**
   * Stops polling, waits up to 5 s for records in flight, stores progress (up to 2 s), closes the consumer.
   * Records not acknowledged by then are re-sent after a restart (at-least-once).
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (assignConsumer != null) {
      assignConsumer.unregister();
      resetConsumer.unregister();
      controlConsumer.unregister();
    }
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
    }
    if (stream == null) {
      return Future.succeededFuture();
    }
    stream.pause();
    drained = Promise.promise();
    if (tracker.inFlightRecords() == 0) {
      drained.tryComplete();
    }
    long started = System.currentTimeMillis();
    return drained.future()
        .timeout(STOP_DRAIN_MS, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("{} {} records still in flight after {} ms ({}); they will be mirrored again after restart",
              taskId, tracker.inFlightRecords(), STOP_DRAIN_MS, inFlightSummary());
          return Future.succeededFuture();
        })
        .compose(v -> {
          flushing = false;
          return flush().timeout(STOP_FLUSH_MS, TimeUnit.MILLISECONDS);
        })
        .recover(e -> {
          LOG.warn("{} final progress store failed: {}", taskId, e.toString());
          return Future.succeededFuture();
        })
        .compose(v -> stream.close().timeout(STOP_CLOSE_MS, TimeUnit.MILLISECONDS))
        .onComplete(ar -> LOG.info("{} stopped in {} ms after {} batches, {} flow-control pauses; stored progress: {}",
            taskId, System.currentTimeMillis() - started, batches, pauses, progressSummary()));
  }

  private String inFlightSummary() {
    StringBuilder sb = new StringBuilder();
    for (PartitionState s : tracker.all()) {
      if (s.inFlightRecords > 0) {
        sb.append(sb.isEmpty() ? "" : ", ").append(s.tp).append(": ").append(s.inFlightRecords);
      }
    }
    return sb.toString();
  }

  private String progressSummary() {
    StringBuilder sb = new StringBuilder();
    for (PartitionState s : tracker.all()) {
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      sb.append(s.tp).append('=').append(s.lastStored).append(s.failed() ? " (FAILED)" : "");
    }
    return sb.toString();
  }
}
