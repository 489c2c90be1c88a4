package io.vmm.source;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vmm.async.ThrottledLog;
import io.vmm.bus.Addresses;
import io.vmm.bus.OffsetSync;
import io.vmm.bus.ProgressUpdate;
import io.vmm.bus.TaskStopReport;
import io.vmm.source.InFlightTracker.PartitionState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Stores one source task's acknowledged progress when its {@link ProgressSchedule} says so: a
 * {@link ProgressUpdate} of every partition that moved (one compacted record each, written by the task's target
 * producer to {@code mm2-offsets.<source>.internal}), at most one store in flight. Checked after each acknowledged
 * chunk ({@link #acknowledged}) and on a timer of {@link ProgressSchedule#tickMs()}; the delayed offset syncs go
 * out with each store and at least every flush interval. At stop: {@link #storeFinal()} and
 * {@link #report(boolean)}, what was not stored.
 * <p>
 * Threading: the source verticle's event loop only (its Futures complete there).
 */
final class ProgressStore {

  private static final Logger LOG = LoggerFactory.getLogger(ProgressStore.class);

  private final Vertx vertx;
  private final String flow;
  private final int taskIndex;
  private final String taskId;
  private final String sourceAlias;
  private final InFlightTracker tracker;
  private final Supplier<List<OffsetSync>> delayedSyncs;
  private final Consumer<List<OffsetSync>> sendSyncs;
  private final DeliveryOptions requestOptions;
  private final long intervalMs;
  private final ProgressSchedule schedule;
  private final ThrottledLog failures = new ThrottledLog(LOG);
  private long timer = -1;
  private long lastSyncsMs;
  private Future<Void> inFlight = Future.succeededFuture();

  /**
   * @param delayedSyncs the offset syncs due at a store (cleared by the call)
   * @param sendSyncs    sends offset syncs to the flow's writer
   * @param intervalMs   {@code offset.flush.interval.ms}
   */
  ProgressStore(Vertx vertx, String flow, int taskIndex, String taskId, String sourceAlias, InFlightTracker tracker,
                Supplier<List<OffsetSync>> delayedSyncs, Consumer<List<OffsetSync>> sendSyncs,
                DeliveryOptions requestOptions, long intervalMs) {
    this.vertx = vertx;
    this.flow = flow;
    this.taskIndex = taskIndex;
    this.taskId = taskId;
    this.sourceAlias = sourceAlias;
    this.tracker = tracker;
    this.delayedSyncs = delayedSyncs;
    this.sendSyncs = sendSyncs;
    this.requestOptions = requestOptions;
    this.intervalMs = intervalMs;
    long now = System.currentTimeMillis();
    this.schedule = new ProgressSchedule(intervalMs, now);
    this.lastSyncsMs = now;
  }

  /** Starts the timer that checks the schedule. */
  void start() {
    timer = vertx.setPeriodic(schedule.tickMs(), id -> tick());
  }

  /** Stops the timer (a store in flight goes on). */
  void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Notes an acknowledged chunk of {@code tp} and stores if that makes a store due. */
  void acknowledged(TopicPartition tp, int records, long bytes) {
    long now = System.currentTimeMillis();
    schedule.acknowledged(tp, records, bytes, now);
    if (schedule.due(now)) {
      store(now);
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    if (schedule.due(now)) {
      store(now);
    } else if (now - lastSyncsMs >= intervalMs) {
      sendDelayedSyncs(now);
    }
  }

  private void sendDelayedSyncs(long now) {
    lastSyncsMs = now;
    List<OffsetSync> delayed = delayedSyncs.get();
    if (!delayed.isEmpty()) {
      sendSyncs.accept(delayed);
    }
  }

  /** Sends the progress not yet stored (if any) to the producer; completes when stored, fails when not. */
  private Future<Void> store(long now) {
    return store(now, false);
  }

  /** As {@link #store(long)}; with {@code force} the request is sent even when nothing is unstored. */
  private Future<Void> store(long now, boolean force) {
    sendDelayedSyncs(now);
    Map<TopicPartition, Long> unstored = tracker.unstored();
    ProgressSchedule.Snapshot snapshot = schedule.storing(now);
    if (unstored.isEmpty() && !force) {
      // acknowledged chunks not in a prefix (e.g. after a partition failed): nothing to store, the counts restart
      schedule.stored(snapshot);
      return Future.succeededFuture();
    }
    Future<Void> stored = vertx.eventBus().request(Addresses.progress(flow, taskIndex),
            new ProgressUpdate(sourceAlias, Map.copyOf(unstored), force), requestOptions)
        .<Void>mapEmpty()
        .onSuccess(v -> {
          tracker.stored(unstored);
          schedule.stored(snapshot);
        })
        .onFailure(e -> {
          schedule.failed(snapshot, System.currentTimeMillis());
          failures.warn("{} storing progress of {} failed, will retry: {}", taskId, unstored.keySet(), e.toString());
        });
    inFlight = stored;
    return stored;
  }

  /**
   * Exactly-once: a store request even with nothing unstored, which makes the transactional producer commit its
   * open transaction now (its answers wait for the commit). After the store in flight, if any. Completes when the
   * producer answered; fails when it did not.
   */
  Future<Void> commitNow() {
    if (schedule.storeInFlight()) {
      return inFlight.transform(ar -> commitNow());
    }
    return store(System.currentTimeMillis(), true);
  }

  /**
   * The final store: after the store in flight (if any), everything acknowledged and not stored yet. Completes
   * when stored (or nothing was left), fails when the target did not acknowledge it.
   */
  Future<Void> storeFinal() {
    if (schedule.storeInFlight()) {
      return inFlight.transform(ar -> storeFinal()); // a late acknowledgement may have started another store
    }
    return store(System.currentTimeMillis());
  }

  /**
   * What this task has not stored: per partition with acknowledged records beyond the stored progress or records
   * sent and not in the acknowledged prefix.
   */
  TaskStopReport report(boolean finished) {
    List<TaskStopReport.Unstored> out = new ArrayList<>();
    for (PartitionState s : tracker.all()) {
      long acknowledged = Math.max(0, s.lastWritten - s.lastStored);
      long pending = tracker.pendingRecords(s.tp);
      if (acknowledged > 0 || pending > 0) {
        out.add(new TaskStopReport.Unstored(s.tp, s.lastStored >= 0 ? s.lastStored + 1 : -1, acknowledged, pending));
      }
    }
    return new TaskStopReport(flow, taskId, finished, List.copyOf(out));
  }

  /** Publishes {@link #report} locally on {@link Addresses#TASK_STOPS}; returns it. */
  TaskStopReport publishReport(boolean finished) {
    TaskStopReport report = report(finished);
    vertx.eventBus().publish(Addresses.TASK_STOPS, report, Addresses.local());
    return report;
  }

  /** Stored progress per partition, for the stop line: {@code t-0=41, t-1=-1 (FAILED)}. */
  String summary() {
    StringBuilder sb = new StringBuilder();
    for (PartitionState s : tracker.all()) {
      sb.append(sb.isEmpty() ? "" : ", ").append(s.tp).append('=').append(s.lastStored)
          .append(s.failed() ? " (FAILED)" : "");
    }
    return sb.toString();
  }
}
