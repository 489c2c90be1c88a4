package io.vmm.wire;

import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Which batches of one partition's fetched data belong to aborted transactions, under {@code read_committed}:
 * the answer's aborted-transaction list (producer id, first offset) is opened as batches reach each first offset,
 * and an ABORT marker of a producer closes it (after the consumer's handling of aborted transactions in
 * {@code CompletedFetch}; the broker only returns data below the last stable offset).
 * <p>
 * Not thread-safe; one instance per partition per answer, fed the answer's batches in offset order.
 */
final class AbortedTransactions {

  private final PriorityQueue<AbortedTransaction> pending =
      new PriorityQueue<>((a, b) -> Long.compare(a.firstOffset(), b.firstOffset()));
  private final Set<Long> open = new HashSet<>();

  /** @param aborted the Fetch answer's aborted transactions of the partition (null or empty: none) */
  AbortedTransactions(List<AbortedTransaction> aborted) {
    if (aborted != null) {
      pending.addAll(new ArrayList<>(aborted));
    }
  }

  /**
   * Whether {@code batch} must be dropped: it is a data batch of an aborted transaction. Control batches are
   * never kept by the caller; an ABORT marker here closes its producer's aborted transaction.
   */
  boolean skip(RecordBatch batch) {
    while (!pending.isEmpty() && pending.peek().firstOffset() <= batch.lastOffset()) {
      open.add(pending.poll().producerId());
    }
    if (batch.isControlBatch()) {
      if (isAbortMarker(batch)) {
        open.remove(batch.producerId());
      }
      return true;
    }
    return batch.isTransactional() && open.contains(batch.producerId());
  }

  private static boolean isAbortMarker(RecordBatch batch) {
    Iterator<Record> records = batch.iterator();
    if (!records.hasNext()) {
      return false;
    }
    Record marker = records.next();
    return marker.hasKey() && ControlRecordType.parse(marker.key()) == ControlRecordType.ABORT;
  }
}
