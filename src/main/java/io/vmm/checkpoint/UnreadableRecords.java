package io.vmm.checkpoint;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;

/**
 * The records of one read of an internal topic (offset syncs, checkpoints) that could not be decoded: how many,
 * and where and why the first one failed, so that a read logs <b>one</b> WARN with the count instead of one line
 * per record (or none, as before). A record with a null key or value counts as unreadable.
 * <p>
 * Threading: not thread-safe; used by one read at a time, which may hop between a worker thread and the owning
 * context through futures (that hand-over orders the accesses).
 */
final class UnreadableRecords {

  private final String what;
  private int count;
  private TopicPartition firstPartition;
  private long firstOffset = -1;
  private String firstError;

  /** @param what what the records are, plural, for the log line: {@code "offset syncs"}, {@code "checkpoints"} */
  UnreadableRecords(String what) {
    this.what = what;
  }

  /** Counts {@code record} as unreadable because of {@code error} (remembered if it is the first). */
  void add(ConsumerRecord<?, ?> record, Throwable error) {
    count++;
    if (firstError == null) {
      firstPartition = new TopicPartition(record.topic(), record.partition());
      firstOffset = record.offset();
      firstError = error == null ? "null key or value" : error.toString();
    }
  }

  /** How many records were counted. */
  int count() {
    return count;
  }

  /** The first failure, e.g. {@code "mm2-offset-syncs.B.internal-0 offset 17: SchemaException: ..."}; null if none. */
  String first() {
    return firstError == null ? null : firstPartition + " offset " + firstOffset + ": " + firstError;
  }

  /** Logs one WARN naming the flow, the count and the first failure, when any record was counted. */
  void warnIfAny(Logger log, String flowName) {
    if (count > 0) {
      log.warn("{} skipped {} unreadable {} (first at {})", flowName, count, what, first());
    }
  }
}
