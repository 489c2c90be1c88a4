package io.vmm.source;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vmm.async.Budgets;
import io.vmm.async.ThrottledLog;
import io.vmm.bus.Addresses;
import io.vmm.bus.BatchResult;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.OffsetSync;
import io.vmm.bus.OffsetSyncBatch;
import io.vmm.bus.PartitionFailure;
import io.vmm.bus.PartitionStart;
import io.vmm.bus.ProgressUpdate;
import io.vmm.bus.SourceBatch;
import io.vmm.bus.TaskStopReport;
import io.vmm.heartbeat.HeartbeatCodec;
import io.vmm.metrics.FlowMetrics;
import io.vmm.source.InFlightTracker.PartitionState;
import io.vmm.wire.RawBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One MirrorSourceTask of a flow: a consumer in assign mode over one partition group, handing each poll's
 * records to the flow's target producer over the local event bus, and storing the acknowledged progress.
 * <p>
 * Data path, top to bottom in this class: the consumer polls on its own thread (vertx-kafka-client); each poll
 * arrives here as one batch ({@code onBatch}), is sent as one {@link SourceBatch} (no copy) to this task's own
 * target producer (task {@code i} uses producer {@code i}, so a partition's batches are never reordered) and
 * answered by one {@link BatchResult} ({@code onResult}), which {@link PartitionBooks} applies to the
 * {@link InFlightTracker} prefix, the meters and the offset syncs. Per partition at most {@code maxRecords}
 * records / {@code maxBytes} key+value bytes are un-acknowledged, and per task at most {@code maxTaskBytes}
 * ({@link FlowControl}): above a mark the partition is paused, below half of every mark it is resumed.
 * <p>
 * Exactly-once ({@link Limits#exactlyOnce()}): the producer answers a batch only after its transaction (records
 * and progress) committed, so the acknowledged prefix is the committed position and every offset sync covers
 * committed records only (a store is answered at once; the stop asks for a commit); an aborted transaction
 * answers with {@link PartitionResult#rewind()} and {@link Rewinds} re-reads those partitions from the commit.
 * <p>
 * Progress (at-least-once): only the contiguous acknowledged prefix per partition counts; {@link ProgressStore}
 * sends it to the producer as a {@link ProgressUpdate} when its {@link ProgressSchedule} says so (soon after a
 * partition's first acknowledged records, then every flush interval, and at once above a count or byte threshold
 * of acknowledged records not stored) and at stop, and it is stored in {@code mm2-offsets.<source>.internal}.
 * At stop the task publishes a {@link TaskStopReport} of what it did not store ({@link Addresses#TASK_STOPS}). Each partition starts at its {@link PartitionStart#resumeAt()}, else
 * where the consumer's {@code auto.offset.reset} puts it.
 * <p>
 * A chunk the target refused for good (e.g. RecordTooLargeException after the producer's own retries) fails
 * its partition: paused for good, progress kept before the failed record, error logged with topic, partition
 * and offset, and a {@link PartitionFailure} published locally on {@link Addresses#partitionFailed}. Other
 * partitions go on. Run-time messages (assign, reset, pause/resume) are handled by {@link TaskCommands}.
 * <p>
 * Threading: everything here runs on this verticle's event loop; the consumer is only touched through the
 * read stream, which runs it on its own thread (and through the thread-safe {@code wakeup()}).
 */
public final class SourceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SourceVerticle.class);

  /**
   * Flow-control and timing settings of a task.
   *
   * @param maxRecords       records in flight per partition
   * @param maxBytes         key + value bytes in flight per partition
   * @param maxTaskBytes     key + value bytes in flight over the task
   * @param flushIntervalMs  how often progress is stored, ms
   * @param pollTimeoutMs    the consumer's poll timeout, ms
   * @param requestTimeoutMs how long to wait for the producer's answer to a batch or progress store, ms
   * @param offsetLagMax     MM2's {@code offset.lag.max}, or -1 when offset syncs are off
   * @param exactlyOnce      the task's producer is transactional: answers arrive only after commits, an aborted
   *                         transaction rewinds partitions ({@link Rewinds}), and a stop asks for a commit first
   * @param batchPath        read raw record batches ({@link BatchReader}, {@code vmm.data.path=batch}) instead of
   *                         decoded records ({@link RecordReader})
   */
  public record Limits(int maxRecords, long maxBytes, long maxTaskBytes, long flushIntervalMs, long pollTimeoutMs,
                       long requestTimeoutMs, long offsetLagMax, boolean exactlyOnce, boolean batchPath) {

    /** At-least-once limits on the record path. */
    public Limits(int maxRecords, long maxBytes, long maxTaskBytes, long flushIntervalMs, long pollTimeoutMs,
                  long requestTimeoutMs, long offsetLagMax) {
      this(maxRecords, maxBytes, maxTaskBytes, flushIntervalMs, pollTimeoutMs, requestTimeoutMs, offsetLagMax, false,
          false);
    }
  }

  private final String flow;
  private final String sourceAlias;
  private final int taskIndex;
  private final String taskId;
  private final Map<String, Object> consumerConfig;
  private final List<PartitionStart> partitions;
  private final Limits limits;
  private final FlowMetrics.TaskMetrics taskMetrics;
  private final DeliveryOptions requestOptions;
  private final InFlightTracker tracker = new InFlightTracker();
  private final PartitionBooks books;
  private final FlowControl flowControl;
  private final FetchGate gate;
  private final ThrottledLog pollErrors = new ThrottledLog(LOG);
  private final ThrottledLog skips = new ThrottledLog(LOG);

  private SourceReader reader;
  private TaskCommands commands;
  private Rewinds rewinds;
  private ProgressStore progress;
  private long seq;
  private Promise<Void> drained;
  private long batches;

  /**
   * @param flow           the flow
   * @param taskIndex      task number within the flow (uses producer {@code taskIndex})
   * @param consumerConfig source-cluster consumer settings
   * @param partitions     the partition group with the positions to start at
   * @param limits         flow control and timing
   * @param metrics        the flow's metrics (partition and in-flight meters of this task are registered here)
   * @param startPaused    start positioned but not fetching (connector state {@code paused}), until a resume
   * @param heartbeatsTopic the replication policy's {@code isHeartbeatsTopic}: acknowledged heartbeats of those
   *                       topics set the flow's heartbeat age
   */
  public SourceVerticle(SourceAndTarget flow, int taskIndex, Map<String, Object> consumerConfig,
                        List<PartitionStart> partitions, Limits limits, FlowMetrics metrics, boolean startPaused,
                        Predicate<String> heartbeatsTopic) {
    this.flow = flow.toString();
    this.sourceAlias = flow.source();
    this.taskIndex = taskIndex;
    this.taskId = this.flow + "#" + taskIndex;
    this.consumerConfig = consumerConfig;
    this.partitions = List.copyOf(partitions);
    this.limits = limits;
    this.taskMetrics = metrics.task(taskIndex);
    this.requestOptions = new DeliveryOptions().setLocalOnly(true).setSendTimeout(limits.requestTimeoutMs());
    String reset = String.valueOf(consumerConfig.get("auto.offset.reset"));
    boolean startsAtEarliest = !"latest".equals(reset) && !"none".equals(reset);
    this.books = new PartitionBooks(tracker, metrics, startsAtEarliest, limits.offsetLagMax(), this::sendSyncs,
        heartbeatsTopic);
    this.flowControl = new FlowControl(limits.maxRecords(), limits.maxBytes(), limits.maxTaskBytes());
    this.gate = new FetchGate(startPaused);
  }

  /**
   * Creates the consumer (on a worker thread), assigns the group, seeks each partition with a position, then
   * fetches (unless started paused) and starts storing progress every flush interval.
   */
  @Override
  public Future<?> start() {
    long now = System.currentTimeMillis();
    partitions.forEach(p -> books.add(p, now));
    Future<SourceReader> created = limits.batchPath()
        ? BatchReader.create(vertx, taskId, consumerConfig, books::isHeartbeats, this::onBatch, this::onPollError)
        : RecordReader.create(vertx, consumerConfig, limits.pollTimeoutMs(), this::onBatch, this::onPollError);
    return created
        .compose(r -> {
          reader = r;
          rewinds = new Rewinds(taskId, tracker, gate, reader::seek, this::reportFailure);
          Set<TopicPartition> tps = new HashSet<>();
          partitions.forEach(p -> tps.add(p.tp()));
          return reader.assign(tps);
        })
        .compose(v -> {
          List<Future<Void>> seeks = new ArrayList<>();
          for (PartitionStart p : partitions) {
            if (p.resumeAt() >= 0) {
              seeks.add(reader.seek(p.tp(), p.resumeAt()));
            }
          }
          return Future.all(seeks);
        })
        .compose(v -> {
          LOG.info("{} started{}{}: {}", taskId, gate.paused() ? " PAUSED" : "",
              limits.batchPath() ? " (batch pass-through)" : "",
              TaskCommands.describe(partitions, consumerConfig.get("auto.offset.reset")));
          if (gate.fetching()) {
            reader.resume();
          }
          progress = new ProgressStore(vertx, flow, taskIndex, taskId, sourceAlias, tracker, books::delayedSyncs,
              this::sendSyncs, requestOptions, limits.flushIntervalMs());
          progress.start();
          commands = new TaskCommands(taskId, consumerConfig.get("auto.offset.reset"), reader, gate,
              tracker, books, this::applyFlowControl);
          return commands.register(vertx.eventBus(), flow, taskIndex);
        });
  }

  /** One poll's records: one chunk per positioned, non-failed partition, sent as one batch to the producer. */
  private void onBatch(SourceReader.Polled records) {
    if (gate.stopping() || gate.paused()) {
      // not sent, not counted: re-read after restart, or (polled before the pause took effect) fetched again from
      // the first of them on resume
      for (TopicPartition tp : records.partitions()) {
        if (!gate.stopping()) {
          gate.droppedWhilePaused(tp, records.firstOffset(tp));
        }
        RawBatch.releaseAll(records.batches(tp));
      }
      return;
    }
    long batchSeq = seq++;
    batches++;
    long now = System.currentTimeMillis();
    int n = records.partitions().size();
    List<SourceBatch.Chunk> chunks = new ArrayList<>(n);
    List<ChunkStats> stats = new ArrayList<>(n);
    long[] generations = new long[n];
    for (TopicPartition tp : records.partitions()) {
      PartitionState s = tracker.get(tp);
      if (s == null || s.failed() || gate.isPositioning(tp)) {
        RawBatch.releaseAll(records.batches(tp));
        continue; // not positioned yet: re-fetched from the right offset after the seek
      }
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      List<RawBatch> raw = records.batches(tp);
      ChunkStats chunk = ChunkStats.of(tp, list, raw,
          books.isHeartbeats(tp) ? HeartbeatCodec.newestTimestamp(list) : -1);
      books.polled(tp, chunk, now);
      stats.add(chunk);
      generations[chunks.size()] = rewinds.generation(tp);
      chunks.add(new SourceBatch.Chunk(tp, s.targetTopic, list, raw, generations[chunks.size()]));
      tracker.sent(tp, batchSeq, chunk.firstOffset, chunk.lastOffset, chunk.records, list.size(), chunk.bytes);
    }
    if (chunks.isEmpty()) {
      return;
    }
    vertx.eventBus().<BatchResult>request(Addresses.produce(flow, taskIndex),
            new SourceBatch(taskId, batchSeq, chunks), requestOptions)
        .onComplete(ar -> onResult(batchSeq, stats, generations, ar.succeeded() ? ar.result().body() : null,
            ar.cause()));
    applyFlowControl();
  }

  /**
   * The producer's answer to batch {@code batchSeq} (one result per chunk, in order), or {@code failure} when it
   * did not answer: then nothing after the stored prefix can be trusted as written, and each chunk fails at its
   * first record.
   */
  private void onResult(long batchSeq, List<ChunkStats> chunks, long[] generations, BatchResult result,
                        Throwable failure) {
    long now = System.currentTimeMillis();
    int n = result != null ? result.results().size() : chunks.size();
    for (int i = 0; i < n; i++) {
      ChunkStats chunk = chunks.get(i);
      PartitionResult r = result != null ? result.results().get(i)
          : new PartitionResult(chunk.source, new long[]{chunk.firstOffset}, new long[]{-1}, 0, failure);
      if (r.rewind()) {
        rewinds.answered(batchSeq, r, generations[i]); // exactly-once: not committed, re-read from the committed
        continue;
      }
      if (books.answered(batchSeq, r, chunk, now)) {
        reportFailure(tracker.get(r.source()));
      }
      if (r.failedAt() < 0 && progress != null) {
        progress.acknowledged(chunk.source, chunk.records, chunk.bytes);
      }
      if (r.failedAt() < 0 && r.error() != null) {
        reportSkipped(r);
      }
    }
    applyFlowControl();
    if (drained != null && tracker.inFlightRecords() == 0) {
      drained.tryComplete();
    }
  }

  /** Pauses partitions above a high mark and resumes those below every low mark ({@link FlowControl}). */
  private void applyFlowControl() {
    FlowControl.Changes changes = flowControl.update(tracker);
    taskMetrics.inFlight(tracker.inFlightRecords(), tracker.inFlightBytes());
    if (!changes.pause().isEmpty()) {
      reader.pause(changes.pause());
    }
    if (!changes.resume().isEmpty()) {
      reader.resume(changes.resume());
    }
  }

  private void onPollError(Throwable e) {
    Map<TopicPartition, Throwable> failing = new java.util.LinkedHashMap<>();
    if (e instanceof OffsetOutOfRangeException oor) { // only with auto.offset.reset=none: outside the log
      oor.offsetOutOfRangePartitions().forEach((tp, offset) -> failing.put(tp,
          new IllegalStateException("offset " + offset + " is out of range and auto.offset.reset=none")));
    } else if (e instanceof BatchReader.Stopped) { // the pass-through fetch client died: nothing more is read
      tracker.all().forEach(s -> failing.put(s.tp, e));
    } else {
      pollErrors.warn("{} poll of {} failed: {}", taskId, tracker.all().stream().map(s -> s.tp.toString()).toList(),
          e.toString());
      return;
    }
    failing.forEach((tp, error) -> {
      PartitionState s = tracker.get(tp);
      if (s != null && !s.failed()) {
        tracker.fail(tp, error);
        reportFailure(s);
      }
    });
    applyFlowControl();
  }

  /** Logs (throttled) records the target refused for good and that were skipped: offsets and error, no contents. */
  private void reportSkipped(PartitionResult r) {
    List<Long> offsets = new ArrayList<>();
    for (int i = 0; i < r.downstream().length; i++) {
      if (r.downstream()[i] == PartitionResult.SKIPPED) {
        offsets.add(r.upstream()[i]);
      }
    }
    skips.warn("{} {}: SKIPPED record(s) at upstream offset(s) {} that the target refused for good "
        + "(abortOnSendFailure=false; counted in vmm_skipped_records_total): {}", taskId, r.source(), offsets,
        String.valueOf(r.error()));
  }

  private void reportFailure(PartitionState s) {
    books.failed(s.tp);
    LOG.error("{} {}: partition FAILED at upstream offset {} (target topic {}): {}. Records before it are stored; "
            + "this partition stops until the task restarts; other partitions go on.", taskId, s.tp,
        s.failedOffset, s.targetTopic, String.valueOf(s.failure));
    vertx.eventBus().publish(Addresses.partitionFailed(flow),
        new PartitionFailure(taskId, s.tp, s.failedOffset, String.valueOf(s.failure)), Addresses.local());
  }

  /** Sends offset syncs to the flow's writer (fire-and-forget). */
  private void sendSyncs(List<OffsetSync> syncs) {
    vertx.eventBus().send(Addresses.offsetSyncs(flow), new OffsetSyncBatch(syncs), requestOptions);
  }

  /**
   * Stops polling, waits up to {@link Budgets#DRAIN_MS} for records in flight, stores progress (up to
   * {@link Budgets#FLUSH_MS}), closes the consumer (up to {@link Budgets#CLOSE_MS}). Records not
   * acknowledged by then are re-sent after a restart (at-least-once). With exactly-once the drain begins with a
   * commit request to the producer (answers come only after commits), within the same drain budget. Publishes a
   * {@link TaskStopReport} when the stop begins and when the final store is over (what was not stored). Fails only
   * when closing the consumer fails or takes longer.
   */
  @Override
  public Future<?> stop() {
    gate.stop();
    if (commands != null) {
      commands.unregister();
    }
    if (reader == null || progress == null) {
      vertx.eventBus().publish(Addresses.TASK_STOPS, new TaskStopReport(flow, taskId, true, List.of()),
          Addresses.local());
      return reader == null ? Future.succeededFuture() : reader.close();
    }
    progress.cancel();
    progress.publishReport(false);
    reader.pause();
    drained = Promise.promise();
    if (tracker.inFlightRecords() == 0) {
      drained.tryComplete();
    }
    long started = System.currentTimeMillis();
    // exactly-once: answers wait for the commit, so ask for it first (the records in flight then drain)
    Future<Void> committed = limits.exactlyOnce() ? progress.commitNow() : Future.succeededFuture();
    return committed.transform(ar -> drained.future())
        .timeout(Budgets.DRAIN_MS, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("{} {} records still in flight after {} ms ({}); they will be mirrored again after restart",
              taskId, tracker.inFlightRecords(), Budgets.DRAIN_MS, tracker.inFlightSummary());
          return Future.succeededFuture();
        })
        .compose(v -> progress.storeFinal().timeout(Budgets.FLUSH_MS, TimeUnit.MILLISECONDS))
        .recover(e -> {
          LOG.warn("{} final progress store failed after {} ms: {}", taskId, System.currentTimeMillis() - started,
              e.toString());
          return Future.succeededFuture();
        })
        .compose(v -> {
          TaskStopReport report = progress.publishReport(true);
          if (!report.partitions().isEmpty()) {
            LOG.warn("{} progress NOT stored for {} partition(s); about {} records will be mirrored again at the "
                + "next start: {}", taskId, report.partitions().size(), report.recopied(), report.partitions());
          }
          return reader.close().timeout(Budgets.CLOSE_MS, TimeUnit.MILLISECONDS);
        })
        .onComplete(ar -> LOG.info("{} stopped in {} ms after {} batches, {} flow-control pauses; stored progress: {}",
            taskId, System.currentTimeMillis() - started, batches, flowControl.pauses(), progress.summary()));
  }
}
