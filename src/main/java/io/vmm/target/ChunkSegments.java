package io.vmm.target;

import io.vmm.wire.BatchDecoder;
import io.vmm.wire.RawBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * How a pass-through chunk ({@link io.vmm.bus.SourceBatch.Chunk}: decoded records and raw batches, each in upstream
 * order, interleaving by offset) is written: which batches pass through unchanged ({@link #split}) and the
 * segments of one kind in upstream order ({@link #walk}), each with the answer index of its first record. Shared by
 * both pass-through writers ({@link PassThrough}, {@link PassThroughTransactions}). Stateless.
 */
final class ChunkSegments {

  /** Average records per batch below which (with {@link #SMALL_BATCH_BYTES}) a chunk goes as records. */
  static final int SMALL_BATCH_RECORDS = 32;
  /** Average bytes per batch below which (with {@link #SMALL_BATCH_RECORDS}) a chunk goes as records. */
  static final int SMALL_BATCH_BYTES = 32 * 1024;

  /** The records to write as records and the batches that pass through unchanged, each in upstream order. */
  record Split(List<ConsumerRecord<byte[], byte[]>> records, List<RawBatch> batches) {
  }

  /** One segment of one kind; {@code first} is the answer index of its first record. */
  interface Sink {
    void records(List<ConsumerRecord<byte[], byte[]>> segment, int first);

    void batches(List<RawBatch> segment, int first);
  }

  private ChunkSegments() {
  }

  /**
   * The chunk's decoded {@code records} plus, decoded, every batch that may not pass through: all of them when the
   * batches are {@link #small} or {@code limit} is unknown (-1), else each larger than {@code limit} bytes or
   * failing {@code codecKept}. Batches are decoded from their fetched bytes (call before any is stamped) and
   * released ({@link RawBatch#release}): only the returned batches may be read afterwards.
   */
  static Split split(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records, List<RawBatch> batches,
                     int limit, Predicate<RawBatch> codecKept) {
    boolean small = small(batches);
    if (!small && limit >= 0 && batches.stream().allMatch(b -> b.sizeInBytes() <= limit && codecKept.test(b))) {
      return new Split(records, batches);
    }
    List<ConsumerRecord<byte[], byte[]>> merged = new ArrayList<>(records);
    List<RawBatch> fitting = new ArrayList<>(batches.size());
    for (RawBatch b : batches) {
      if (!small && limit >= 0 && b.sizeInBytes() <= limit && codecKept.test(b)) {
        fitting.add(b);
      } else {
        merged.addAll(BatchDecoder.records(tp, b.header(), b.baseOffset()));
        b.release(); // decoded: the records own copies of its bytes
      }
    }
    merged.sort(Comparator.comparingLong(ConsumerRecord::offset));
    return new Split(merged, fitting);
  }

  /**
   * Whether a chunk's batches are small on average: fewer than {@value #SMALL_BATCH_RECORDS} records and
   * {@value #SMALL_BATCH_BYTES} bytes each. The target takes one batch per partition per Produce request and at
   * most 5 in flight, so a trickle of tiny batches (a lightly loaded source producer sends one record per batch)
   * would cap a partition at 5 batches per round trip; as records, they are gathered into large batches.
   * Such chunks are cheap to decode: the saving of pass-through is in full batches.
   */
  static boolean small(List<RawBatch> batches) {
    long records = 0;
    long bytes = 0;
    for (RawBatch b : batches) {
      records += b.recordCount();
      bytes += b.sizeInBytes();
    }
    return !batches.isEmpty() && records < (long) SMALL_BATCH_RECORDS * batches.size()
        && bytes < (long) SMALL_BATCH_BYTES * batches.size();
  }

  /** Hands {@code split}'s segments to {@code sink} in upstream order, alternating kinds. */
  static void walk(Split split, Sink sink) {
    List<ConsumerRecord<byte[], byte[]>> rs = split.records();
    List<RawBatch> bs = split.batches();
    int i = 0;
    int j = 0;
    int index = 0;
    while (i < rs.size() || j < bs.size()) {
      int at = index;
      if (j >= bs.size() || i < rs.size() && rs.get(i).offset() < bs.get(j).baseOffset()) {
        long until = j < bs.size() ? bs.get(j).baseOffset() : Long.MAX_VALUE;
        int from = i;
        while (i < rs.size() && rs.get(i).offset() < until) {
          i++;
        }
        index += i - from;
        sink.records(rs.subList(from, i), at);
      } else {
        long until = i < rs.size() ? rs.get(i).offset() : Long.MAX_VALUE;
        int from = j;
        while (j < bs.size() && bs.get(j).baseOffset() < until) {
          index += bs.get(j).recordCount();
          j++;
        }
        sink.batches(bs.subList(from, j), at);
      }
    }
  }

  /** The upstream offset of every record of a chunk, in answer order (records and batches merged by offset). */
  static long[] upstream(List<ConsumerRecord<byte[], byte[]>> records, List<RawBatch> batches) {
    int n = records.size();
    for (RawBatch b : batches) {
      n += b.recordCount();
    }
    long[] out = new long[n];
    int[] at = {0};
    walk(new Split(records, batches), new Sink() {
      @Override
      public void records(List<ConsumerRecord<byte[], byte[]>> segment, int first) {
        for (ConsumerRecord<byte[], byte[]> r : segment) {
          out[at[0]++] = r.offset();
        }
      }

      @Override
      public void batches(List<RawBatch> segment, int first) {
        for (RawBatch b : segment) {
          for (long o = b.baseOffset(); o <= b.lastOffset(); o++) {
            out[at[0]++] = o;
          }
        }
      }
    });
    return out;
  }
}
