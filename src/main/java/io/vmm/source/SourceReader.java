package io.vmm.source;

import io.vertx.core.Future;
import io.vmm.wire.RawBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Set;

/**
 * What a source task reads its partition group with: {@link RecordReader} (Kafka's consumer, decoded records)
 * or {@link BatchReader} (raw record batches for the pass-through path, {@code vmm.data.path=batch}). Both
 * deliver each fetch as one {@link Polled} to the handler given at creation, on the task's event loop, and keep
 * Kafka's consumer semantics: positions are "next offset to read", a partition without one starts where
 * {@code auto.offset.reset} says, paused partitions are not fetched.
 * <p>
 * Threading: call from the task's event loop; every Future completes there, after every {@link Polled} fetched
 * before the operation took effect was delivered (so a seek's completion follows the data it makes stale).
 */
interface SourceReader {

  /** One fetch's data, per partition in upstream offset order. */
  interface Polled {
    /** Partitions with data. */
    Set<TopicPartition> partitions();

    /** Decoded records of {@code tp} (may be empty when all its data are batches). */
    List<ConsumerRecord<byte[], byte[]>> records(TopicPartition tp);

    /** Batches of {@code tp} that pass through unchanged, interleaving {@link #records} by offset; else empty. */
    List<RawBatch> batches(TopicPartition tp);

    /** The first upstream offset of {@code tp}'s data (records and batches interleave). */
    default long firstOffset(TopicPartition tp) {
      List<ConsumerRecord<byte[], byte[]>> list = records(tp);
      List<RawBatch> raw = batches(tp);
      long first = list.isEmpty() ? Long.MAX_VALUE : list.get(0).offset();
      return raw.isEmpty() ? first : Math.min(first, raw.get(0).baseOffset());
    }
  }

  /** Replaces the assigned partitions (kept ones keep their positions). */
  Future<Void> assign(Set<TopicPartition> tps);

  /** Sets the next offset to read of {@code tp}. */
  Future<Void> seek(TopicPartition tp, long offset);

  /** Moves {@code tps} to their log start offsets. */
  Future<Void> seekToBeginning(Set<TopicPartition> tps);

  /** Stops fetching every partition. */
  void pause();

  /** Fetches again (partitions paused one by one stay paused), at once. */
  void resume();

  /** Stops fetching {@code tps}. */
  void pause(Set<TopicPartition> tps);

  /** Fetches {@code tps} again, at once. */
  void resume(Set<TopicPartition> tps);

  /** Ends a fetch wait in progress (thread-safe). */
  void wakeup();

  /** Closes the reader and its connections. */
  Future<Void> close();
}
