package io.vmm.target;

import io.vmm.bus.BatchResult.PartitionResult;
import org.apache.kafka.common.TopicPartition;

import java.util.Arrays;

/**
 * The target's answers for one chunk, filled from Kafka's threads as they arrive: the upstream and downstream
 * offset of each record by index (index = position in the chunk, records and pass-through batches in upstream
 * order), and the first failure. Thread-safe.
 */
final class ChunkAnswer {
  final TopicPartition source;
  final long[] upstream;
  final long[] downstream;
  private int failedAt = -1;
  private Throwable error;

  ChunkAnswer(TopicPartition source, int size) {
    this.source = source;
    this.upstream = new long[size];
    this.downstream = new long[size];
    Arrays.fill(downstream, -1L);
  }

  synchronized boolean failed() {
    return failedAt >= 0;
  }

  synchronized void fail(int index, Throwable e) {
    if (failedAt < 0 || index < failedAt) {
      failedAt = index;
      error = e;
    }
  }

  /** Record {@code index} was refused for good and is skipped; the first refusal is kept as the error. */
  synchronized void skip(int index, Throwable e) {
    downstream[index] = PartitionResult.SKIPPED;
    if (failedAt < 0 && error == null) {
      error = e;
    }
  }

  synchronized PartitionResult result() {
    return new PartitionResult(source, upstream, downstream, failedAt, error);
  }
}
