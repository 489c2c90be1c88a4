package io.vmm.source;

import io.vertx.core.Future;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.source.InFlightTracker.PartitionState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Exactly-once rewinds of a source task: when the producer aborted a transaction, it answers the chunks of that
 * transaction (and those polled before the rewind that reach it later) with {@link PartitionResult#rewind()};
 * the task then re-reads each such partition from its last committed position, in place (no restart).
 * <p>
 * Algorithm: each partition has a rewind generation, carried by every chunk polled for it
 * ({@link io.vmm.bus.SourceBatch.Chunk#generation()}). The first rewind answer of the current generation drops the
 * partition's chunks not in the acknowledged prefix ({@link InFlightTracker#rewind}; with exactly-once that prefix
 * is the committed position, since answers come only after commits), increments the generation, and seeks back to
 * the first dropped record (records polled before the seek are dropped by the {@link FetchGate}). Answers for
 * older generations are ignored; the producer refuses to send chunks older than the generation it asked for, so
 * nothing polled before a rewind reaches the target. A stopping task does not seek: the chunk's budget is freed
 * and it stays pending, so the stop report counts it as not stored.
 * <p>
 * Not thread-safe: the source verticle's event loop.
 */
final class Rewinds {

  private static final Logger LOG = LoggerFactory.getLogger(Rewinds.class);

  private final String taskId;
  private final InFlightTracker tracker;
  private final FetchGate gate;
  private final BiFunction<TopicPartition, Long, Future<Void>> seek;
  private final Consumer<PartitionState> onSeekFailed;
  private final Map<TopicPartition, Long> generations = new HashMap<>();
  private long rewinds;

  /**
   * @param seek         the consumer's seek (the read stream's), completing on the task's event loop
   * @param onSeekFailed reports a partition made FAILED because its seek back failed
   */
  Rewinds(String taskId, InFlightTracker tracker, FetchGate gate, BiFunction<TopicPartition, Long, Future<Void>> seek,
          Consumer<PartitionState> onSeekFailed) {
    this.taskId = taskId;
    this.tracker = tracker;
    this.gate = gate;
    this.seek = seek;
    this.onSeekFailed = onSeekFailed;
  }

  /** The partition's current rewind generation (0 until its first rewind). */
  long generation(TopicPartition tp) {
    Long g = generations.get(tp);
    return g == null ? 0 : g;
  }

  /** Rewinds done since the task started. */
  long count() {
    return rewinds;
  }

  /**
   * Applies a rewind answer {@code r} for chunk {@code seq}, polled at {@code chunkGeneration}: rewinds its
   * partition once per generation (see the class comment).
   */
  void answered(long seq, PartitionResult r, long chunkGeneration) {
    TopicPartition tp = r.source();
    PartitionState s = tracker.get(tp);
    if (s == null) {
      return;
    }
    if (gate.stopping()) {
      tracker.release(tp, seq);
      return;
    }
    if (s.failed()) {
      tracker.answered(seq, r); // frees the budget; a FAILED partition's later answers never count
      return;
    }
    if (chunkGeneration < generation(tp)) {
      return; // dropped by an earlier rewind already
    }
    long from = tracker.rewind(tp);
    if (from < 0) {
      return;
    }
    generations.put(tp, chunkGeneration + 1);
    rewinds++;
    gate.positioning(tp);
    LOG.warn("{} {}: transaction aborted ({}); re-reading from upstream offset {} (last committed {})", taskId, tp,
        String.valueOf(r.error()), from, s.lastWritten);
    seek.apply(tp, from).onComplete(ar -> {
      gate.positioned(tp);
      if (ar.failed() && !s.failed()) {
        tracker.fail(tp, new IllegalStateException("seeking back to " + from + " after an aborted transaction "
            + "failed: " + ar.cause()));
        onSeekFailed.accept(s);
      }
    });
  }
}
