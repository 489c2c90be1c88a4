package io.vmm.source;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which polled records a source task may send, given its run state (running, paused by a task command, stopping)
 * and the partitions whose seek is not done yet. The consumer polls on its own thread, so a poll can return
 * records after a pause or before a seek took effect: this gate decides which of them are dropped, and where
 * fetching must restart so none is skipped.
 * <p>
 * Invariants:
 * <ul>
 *   <li>Stopping is final: nothing is sent after {@link #stop()} (records in flight still complete); what was
 *       not sent is read again after a restart (at-least-once).</li>
 *   <li>While paused nothing is sent; for each partition not being positioned, the offset of the first record
 *       dropped is remembered, and {@link #resume()} hands these out once so the caller seeks there before
 *       fetching again.</li>
 *   <li>A partition being positioned ({@link #positioning}) has every polled record dropped until
 *       {@link #positioned}; being given a new position voids an offset remembered for it while paused.</li>
 * </ul>
 * Not thread-safe: owned by the source verticle's event loop. Pure (no I/O).
 */
final class FetchGate {

  private boolean paused;
  private boolean stopping;
  /** Partitions whose seek is not done: their polled records are dropped. */
  private final Set<TopicPartition> positioning = new HashSet<>();
  /** Partitions with records dropped while paused: the first dropped offset, to seek to on resume. */
  private final Map<TopicPartition, Long> rewindOnResume = new HashMap<>();

  /** @param paused whether the task starts paused (connector state {@code PAUSED}) */
  FetchGate(boolean paused) {
    this.paused = paused;
  }

  boolean paused() {
    return paused;
  }

  boolean stopping() {
    return stopping;
  }

  /** Neither paused nor stopping: polled records of positioned partitions are sent. */
  boolean fetching() {
    return !paused && !stopping;
  }

  /** The task stops: from now on nothing is sent. */
  void stop() {
    stopping = true;
  }

  /** Pauses the task; false (no change) when it is already paused or stopping. */
  boolean pause() {
    if (paused || stopping) {
      return false;
    }
    paused = true;
    return true;
  }

  /**
   * Resumes the task.
   *
   * @return the offsets to seek to before fetching again (partition to first offset dropped while paused), or
   *     empty (no change) when it is not paused or is stopping
   */
  Optional<Map<TopicPartition, Long>> resume() {
    if (!paused || stopping) {
      return Optional.empty();
    }
    paused = false;
    Map<TopicPartition, Long> rewinds = Map.copyOf(rewindOnResume);
    rewindOnResume.clear();
    return Optional.of(rewinds);
  }

  /** Records of {@code tp} from {@code firstOffset} on were polled while paused and dropped. */
  void droppedWhilePaused(TopicPartition tp, long firstOffset) {
    if (!positioning.contains(tp)) {
      rewindOnResume.putIfAbsent(tp, firstOffset);
    }
  }

  /** {@code tp} is being given a new position: drop its records until {@link #positioned}. */
  void positioning(TopicPartition tp) {
    positioning.add(tp);
    rewindOnResume.remove(tp);
  }

  /** The seek of {@code tp} is done. */
  void positioned(TopicPartition tp) {
    positioning.remove(tp);
  }

  /** Whether records of {@code tp} polled now must be dropped because its seek is not done. */
  boolean isPositioning(TopicPartition tp) {
    return positioning.contains(tp);
  }
}
