package io.vmm.target;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Keeps each target partition's order when its data travel two ways at once: decoded records through Kafka's
 * producer and pass-through batches through the wire sender. Each of them keeps its own order; a segment of
 * the other kind starts only after every segment in flight has been answered, so no record overtakes an
 * earlier one. Segments of the same kind run concurrently (pipelined).
 * <p>
 * Invariants per partition: segments start in submission order; while segments of one kind run, none of the
 * other kind does. Thread-safe: {@link #submit} runs on the producer verticle's context, {@link #done} on any
 * thread; a deferred segment starts on the verticle's context.
 */
final class PathLanes {

  /** The two ways. */
  enum Kind { RECORDS, BATCHES }

  private record Waiting(Kind kind, Runnable start) {
  }

  private static final class Lane {
    Kind running;
    int inFlight;
    final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  }

  private final Executor deferred;
  private final Map<TopicPartition, Lane> lanes = new ConcurrentHashMap<>();

  /** @param deferred runs a segment that had to wait (the producer verticle's context) */
  PathLanes(Executor deferred) {
    this.deferred = deferred;
  }

  /**
   * Starts {@code start} now when nothing of the other kind runs and nothing waits on {@code tp}, else after
   * them. {@code start} must make sure {@link #done} is called once when the segment is answered.
   */
  void submit(TopicPartition tp, Kind kind, Runnable start) {
    Lane lane = lanes.computeIfAbsent(tp, k -> new Lane());
    synchronized (lane) {
      if (!lane.waiting.isEmpty() || lane.inFlight > 0 && lane.running != kind) {
        lane.waiting.add(new Waiting(kind, start));
        return;
      }
      lane.running = kind;
      lane.inFlight++;
    }
    start.run();
  }

  /** A segment of {@code tp} was answered; starts the waiting segments that may start now. Any thread. */
  void done(TopicPartition tp) {
    Lane lane = lanes.get(tp);
    List<Runnable> ready = new ArrayList<>(0);
    synchronized (lane) {
      lane.inFlight--;
      while (!lane.waiting.isEmpty() && (lane.inFlight == 0 || lane.waiting.peek().kind() == lane.running)) {
        Waiting next = lane.waiting.poll();
        lane.running = next.kind();
        lane.inFlight++;
        ready.add(next.start());
      }
    }
    ready.forEach(deferred::execute);
  }
}
