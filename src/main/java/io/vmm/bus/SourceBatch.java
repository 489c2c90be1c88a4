package io.vmm.bus;

import io.vmm.wire.RawBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * One poll's records of a source task, handed to the target producer over the local event bus without copying.
 * Per partition, records are in upstream offset order; batches of one task go to one producer, so a
 * partition's batches are sent in order. The producer calls {@link Chunk#release()} once the records are
 * handed to Kafka, so the record objects are not kept alive by this message until its reply.
 *
 * @param task   source task id ({@code A->B#0}), for logs
 * @param seq    batch number within the task, increasing
 * @param chunks one entry per source partition with records
 */
public record SourceBatch(String task, long seq, List<Chunk> chunks) {

  /** Records of one source partition, to be written to the same partition number of {@code targetTopic}. */
  public static final class Chunk {
    private final TopicPartition source;
    private final String targetTopic;
    private final long generation;
    private List<ConsumerRecord<byte[], byte[]>> records;
    private List<RawBatch> batches;

    /** A chunk of generation 0. */
    public Chunk(TopicPartition source, String targetTopic, List<ConsumerRecord<byte[], byte[]>> records) {
      this(source, targetTopic, records, 0);
    }

    /**
     * @param generation how many times the source task rewound this partition before polling these records
     *                   (exactly-once: an aborted transaction makes the task re-read the partition from its last
     *                   committed position; the producer refuses chunks of an older generation than the rewind it
     *                   asked for, so records polled before the rewind never reach the target)
     */
    public Chunk(TopicPartition source, String targetTopic, List<ConsumerRecord<byte[], byte[]>> records,
                 long generation) {
      this(source, targetTopic, records, List.of(), generation);
    }

    /**
     * A chunk of the batch pass-through path: decoded {@code records} and unchanged {@code batches}, each sorted
     * by upstream offset, interleaving by offset (records come from batches that may not pass through).
     */
    public Chunk(TopicPartition source, String targetTopic, List<ConsumerRecord<byte[], byte[]>> records,
                 List<RawBatch> batches, long generation) {
      this.source = source;
      this.targetTopic = targetTopic;
      this.records = records;
      this.batches = batches;
      this.generation = generation;
    }

    /** Records in the chunk: decoded ones plus each pass-through batch's count; 0 after {@link #release()}. */
    public int size() {
      int n = records == null ? 0 : records.size();
      if (batches != null) {
        for (RawBatch b : batches) {
          n += b.recordCount();
        }
      }
      return n;
    }

    /** The pass-through batches (empty on the record path), or null after {@link #release()}. */
    public List<RawBatch> batches() {
      return batches;
    }

    /** The partition's rewind generation when these records were polled (0 until a first rewind). */
    public long generation() {
      return generation;
    }

    public TopicPartition source() {
      return source;
    }

    public String targetTopic() {
      return targetTopic;
    }

    /** The records, or null after {@link #release()}. */
    public List<ConsumerRecord<byte[], byte[]>> records() {
      return records;
    }

    /** Drops the reference to the records (called by the producer after sending them). */
    public void release() {
      records = null;
      batches = null;
    }
  }
}
