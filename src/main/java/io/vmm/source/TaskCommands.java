package io.vmm.source;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vmm.bus.Addresses;
import io.vmm.bus.PartitionStart;
import io.vmm.bus.TaskAssign;
import io.vmm.bus.TaskCommand;
import io.vmm.bus.TaskReset;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run-time messages of a running source task, each changing what its consumer fetches without a restart:
 * {@link TaskAssign} on {@link Addresses#taskAssign} (add partitions, reply: Integer count added),
 * {@link TaskReset} on {@link Addresses#taskReset} (restart partitions at the log start, reply: Integer count
 * reset) and {@link TaskCommand} on {@link Addresses#taskControl} (pause/resume, reply: {@code "RUNNING"} or
 * {@code "PAUSED"}). Failures are replied with code 1 and the error text; an unknown command with code 400.
 * <p>
 * Invariants: a partition is never positioned by two sources at once (records polled before its seek completes
 * are dropped through the {@link FetchGate}, so none is skipped whatever {@code auto.offset.reset} says); a task
 * that is stopping changes nothing and replies 0 / its state.
 * <p>
 * Threading: registered and run on the source verticle's event loop; the {@link SourceReader} fetches on its
 * own thread, its {@code wakeup()} is thread-safe.
 */
final class TaskCommands {

  private static final Logger LOG = LoggerFactory.getLogger(TaskCommands.class);

  private final String taskId;
  private final Object autoOffsetReset;
  private final SourceReader reader;
  private final FetchGate gate;
  private final InFlightTracker tracker;
  private final PartitionBooks books;
  private final Runnable applyFlowControl;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  /**
   * @param taskId           {@code A->B#i}, for log lines
   * @param autoOffsetReset  the consumer's {@code auto.offset.reset}, for log lines
   * @param applyFlowControl re-evaluates flow control after partitions were reset
   */
  TaskCommands(String taskId, Object autoOffsetReset, SourceReader reader, FetchGate gate, InFlightTracker tracker,
               PartitionBooks books, Runnable applyFlowControl) {
    this.taskId = taskId;
    this.autoOffsetReset = autoOffsetReset;
    this.reader = reader;
    this.gate = gate;
    this.tracker = tracker;
    this.books = books;
    this.applyFlowControl = applyFlowControl;
  }

  /** Registers the three local consumers of task {@code task} of {@code flow}. */
  Future<Void> register(EventBus bus, String flow, int task) {
    consumers.add(bus.<TaskAssign>localConsumer(Addresses.taskAssign(flow, task), this::onAssign));
    consumers.add(bus.<TaskReset>localConsumer(Addresses.taskReset(flow, task), this::onReset));
    consumers.add(bus.<TaskCommand>localConsumer(Addresses.taskControl(flow, task), this::onControl));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /** Unregisters them (no reply for messages still to come). */
  void unregister() {
    consumers.forEach(MessageConsumer::unregister);
    consumers.clear();
  }

  /**
   * {@code PAUSE}: stop fetching (the consumer is not polled; records in flight still complete and progress is
   * still stored); {@code RESUME}: seek back to the first record dropped while paused, then fetch again.
   * Replies with the new state.
   */
  private void onControl(Message<TaskCommand> message) {
    if (message.body() == null) {
      message.fail(400, "unknown task operation null");
      return;
    }
    switch (message.body()) {
      case PAUSE -> {
        if (gate.pause()) {
          reader.pause();
          reader.wakeup(); // ends a poll in progress; records it still returns are dropped and re-read on resume
          LOG.info("{} paused", taskId);
        }
      }
      case RESUME -> {
        Map<TopicPartition, Long> rewinds = gate.resume().orElse(null);
        if (rewinds != null) {
          List<Future<Void>> seeks = new ArrayList<>();
          rewinds.forEach((tp, offset) -> seeks.add(reader.seek(tp, offset)));
          Future.all(seeks).onComplete(ar -> {
            if (gate.fetching()) {
              reader.resume();
            }
            LOG.info("{} resumed", taskId);
            message.reply("RUNNING");
          });
          return;
        }
      }
    }
    message.reply(gate.paused() ? "PAUSED" : "RUNNING");
  }

  /**
   * Adds partitions found by a topic refresh, without stopping the others: assigns the new full set (the
   * consumer keeps the positions of partitions it already had), then seeks those with a position. Partitions
   * the task already has are ignored. Replies with the number added once every one is positioned.
   */
  private void onAssign(Message<TaskAssign> message) {
    Map<TopicPartition, PartitionStart> fresh = new LinkedHashMap<>();
    for (PartitionStart p : message.body().partitions()) {
      if (tracker.get(p.tp()) == null) {
        fresh.putIfAbsent(p.tp(), p);
      }
    }
    List<PartitionStart> added = List.copyOf(fresh.values());
    if (gate.stopping() || added.isEmpty()) {
      message.reply(0);
      return;
    }
    long now = System.currentTimeMillis();
    for (PartitionStart p : added) {
      books.add(p, now);
      if (p.resumeAt() >= 0) {
        gate.positioning(p.tp());
      }
    }
    Set<TopicPartition> all = new HashSet<>();
    tracker.all().forEach(s -> all.add(s.tp));
    reader.assign(all)
        .compose(v -> {
          List<Future<Void>> seeks = new ArrayList<>();
          for (PartitionStart p : added) {
            if (p.resumeAt() >= 0) {
              seeks.add(reader.seek(p.tp(), p.resumeAt()).onSuccess(x -> gate.positioned(p.tp())));
            }
          }
          return Future.all(seeks);
        })
        .onSuccess(v -> {
          LOG.info("{} added {}", taskId, describe(added, autoOffsetReset));
          message.reply(added.size());
        })
        .onFailure(e -> {
          LOG.error("{} adding partitions failed: {}", taskId, e.toString());
          message.fail(1, e.toString());
        });
  }

  /**
   * Restarts partitions whose source topic was deleted and recreated at the new log start: their old progress,
   * in-flight chunks and offset-sync state are forgotten (a warning names each partition and its old last
   * written offset); records polled before the seek are dropped. Partitions the task does not have are
   * ignored. Replies with the number of partitions reset.
   */
  private void onReset(Message<TaskReset> message) {
    Set<TopicPartition> tps = new HashSet<>();
    for (TopicPartition tp : message.body().partitions()) {
      if (tracker.get(tp) != null) {
        tps.add(tp);
      }
    }
    if (gate.stopping() || tps.isEmpty()) {
      message.reply(0);
      return;
    }
    long now = System.currentTimeMillis();
    for (TopicPartition tp : tps) {
      long old = books.reset(tp, now);
      gate.positioning(tp);
      LOG.warn("{} {}: source topic was deleted and recreated; last written offset before the reset {}; "
          + "resuming at the new log start (records since then may be mirrored twice)", taskId, tp, old);
    }
    applyFlowControl.run();
    reader.seekToBeginning(tps)
        .onSuccess(v -> {
          tps.forEach(gate::positioned);
          message.reply(tps.size());
        })
        .onFailure(e -> message.fail(1, e.toString()));
  }

  /** {@code "t-0 from offset 5, t-1 from auto.offset.reset=earliest"}: where each partition starts. */
  static String describe(Collection<PartitionStart> starts, Object autoOffsetReset) {
    StringBuilder sb = new StringBuilder();
    for (PartitionStart p : starts) {
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      sb.append(p.tp()).append(p.resumeAt() >= 0 ? " from offset " + p.resumeAt()
          : " from auto.offset.reset=" + autoOffsetReset);
    }
    return sb.toString();
  }
}
