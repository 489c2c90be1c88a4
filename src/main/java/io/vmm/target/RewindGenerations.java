package io.vmm.target;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;

/**
 * Which chunks an exactly-once producer still sends after an abort. Each chunk carries its partition's rewind
 * generation (the source task increments it when it rewinds the partition); an abort makes every partition of the
 * aborted transaction (but a refused one, which fails instead) refuse chunks older than the next generation:
 * those were polled before the rewind and are read again.
 * <p>
 * Invariants: {@code sent} holds only partitions of the open transaction; {@code oldestSent} only grows per
 * partition. Not thread-safe: owned by the producer's worker context.
 */
final class RewindGenerations {

  /** Highest generation per partition sent in the open transaction. */
  private final Map<TopicPartition, Long> sent = new HashMap<>();
  /** Per partition, the oldest generation still sent. */
  private final Map<TopicPartition, Long> oldestSent = new HashMap<>();

  /** True when a chunk of {@code generation} for {@code tp} was polled before a rewind and must not be sent. */
  boolean stale(TopicPartition tp, long generation) {
    return generation < oldestSent.getOrDefault(tp, 0L);
  }

  /** A chunk of {@code generation} for {@code tp} was sent in the open transaction. */
  void sent(TopicPartition tp, long generation) {
    sent.merge(tp, generation, Math::max);
  }

  /** The open transaction aborted: its partitions, except {@code refused} (may be null), rewind. */
  void aborted(TopicPartition refused) {
    sent.forEach((tp, generation) -> {
      if (!tp.equals(refused)) {
        oldestSent.put(tp, generation + 1);
      }
    });
  }

  /** The open transaction ended (committed or aborted). */
  void ended() {
    sent.clear();
  }
}
