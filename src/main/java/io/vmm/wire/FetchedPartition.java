package io.vmm.wire;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.requests.FetchResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * One partition's data in a Fetch answer, split for {@link BatchFetcher}: batches that may pass through unchanged
 * ({@link BatchHeader#check}) and, in offset order between them, the records of batches that may not (decoded by
 * {@link BatchDecoder}). Batches before the position, control batches and (under {@code read_committed}) aborted
 * transactions' batches are skipped, as the consumer skips them. Stateless.
 */
final class FetchedPartition {

  private FetchedPartition() {
  }

  /**
   * The data of {@code p} from {@code position} (next offset to read), or null when no batch in it is complete
   * past the position.
   *
   * @param readCommitted drop aborted transactions' batches ({@link AbortedTransactions})
   * @param asRecords     decode every batch (the partition never passes through, e.g. heartbeats)
   * @param lease         the answer's buffer: each pass-through batch takes one count of it
   */
  static BatchFetcher.Part read(TopicPartition tp, long position, FetchResponseData.PartitionData p,
                                boolean readCommitted, boolean asRecords, AnswerLease lease) {
    MemoryRecords records = (MemoryRecords) FetchResponse.recordsOrFail(p);
    AbortedTransactions aborted = readCommitted ? new AbortedTransactions(p.abortedTransactions()) : null;
    List<ConsumerRecord<byte[], byte[]>> decoded = new ArrayList<>(0);
    List<RawBatch> raw = new ArrayList<>();
    long next = position;
    for (BatchHeader.Slice slice : BatchHeader.slices(records)) {
      MutableRecordBatch batch = slice.batch();
      if (batch.lastOffset() < next) {
        continue; // before the position (a batch holding the position starts earlier)
      }
      boolean skip = aborted != null && aborted.skip(batch);
      if (!skip && !batch.isControlBatch()) {
        if (!asRecords && BatchHeader.check(batch, next) == null) {
          raw.add(RawBatch.of(slice, lease));
        } else {
          decoded.addAll(BatchDecoder.records(tp, batch, next));
        }
      }
      next = batch.nextOffset();
    }
    return next == position ? null : new BatchFetcher.Part(decoded, raw, next, p.highWatermark());
  }
}
