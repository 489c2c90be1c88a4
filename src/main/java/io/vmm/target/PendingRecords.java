package io.vmm.target;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records {@link PassThroughTransactions} builds batches of, gathered per target partition while the partition
 * has a batch on its way: built when the partition is free, so a source that writes tiny batches (one record each,
 * as a lightly loaded producer with {@code linger.ms=0} does) is written in few large batches rather than as many
 * batches as it wrote (at most 5 in flight per partition, one per Produce request, would cap the partition). After
 * the accumulation of Kafka's producer ({@code RecordAccumulator}: batches fill while the partition's earlier ones
 * are in flight).
 * <p>
 * Each record keeps its place in a chunk's answer ({@link Slot}). Invariant: a partition's pending records are in
 * upstream order and precede anything sent for the partition later (the writer builds them before it sends a
 * fetched batch of the partition, and before a transaction ends).
 * <p>
 * Threading: the writer's wire I/O thread only. Not thread-safe.
 */
final class PendingRecords {

  /** Where one record's outcome goes: its chunk's answer and index there, and the chunk's failure sink. */
  record Slot(TransactionBatches.Answer answer, int index, TransactionalWriter.SendFailure onFailure) {

    /** Upstream offset of the record. */
    long upstream() {
      return answer.upstream[index];
    }
  }

  /** A partition's taken records and their slots (same order), and the largest batch its topic takes (bytes). */
  record Taken(List<ConsumerRecord<byte[], byte[]>> records, List<Slot> slots, int maxBytes) {
  }

  private static final class Partition {
    final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    final List<Slot> slots = new ArrayList<>();
    int maxBytes;
  }

  private final Map<TopicPartition, Partition> pending = new LinkedHashMap<>();

  /**
   * Adds {@code records}, which sit at answer indexes {@code first}.. of {@code answer}, for {@code tp}, whose topic
   * takes batches of at most {@code maxBytes}.
   */
  void add(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records, TransactionBatches.Answer answer,
           int first, TransactionalWriter.SendFailure onFailure, int maxBytes) {
    Partition p = pending.computeIfAbsent(tp, k -> new Partition());
    p.records.addAll(records);
    for (int i = 0; i < records.size(); i++) {
      p.slots.add(new Slot(answer, first + i, onFailure));
    }
    p.maxBytes = maxBytes;
  }

  /** Whether {@code tp} has records waiting. */
  boolean has(TopicPartition tp) {
    return pending.containsKey(tp);
  }

  /** The partitions with records waiting (a copy). */
  Set<TopicPartition> partitions() {
    return Set.copyOf(pending.keySet());
  }

  /** Removes and returns {@code tp}'s records, or null when none wait. */
  Taken take(TopicPartition tp) {
    Partition p = pending.remove(tp);
    return p == null ? null : new Taken(p.records, p.slots, p.maxBytes);
  }
}
