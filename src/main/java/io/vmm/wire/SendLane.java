package io.vmm.wire;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One target partition of a {@link BatchSender}: its queued batches, the batches in flight (at most
 * {@link BatchSender#MAX_IN_FLIGHT}), the next sequence number, a pending retry, and a failure that refuses later
 * batches.
 * <p>
 * Invariants: {@link #inFlight} holds the sent batches not yet written nor failed, in the order sent (ascending
 * sequence); {@link #unanswered} counts those whose Produce request has not answered; a retry ({@link #retrying})
 * waits until every batch in flight answered, then {@link #requeue} puts them back at the head of the queue in
 * sequence order, so a partition's batches reach the broker in order. An entry keeps its sequence across retries
 * (identical bytes, which the broker deduplicates) unless the lane starts a new epoch ({@link #resequence}).
 * <p>
 * Threading: the sender's I/O thread only.
 */
final class SendLane {

  /** A batch handed over: sequence -1 until first stamped. */
  static final class Entry {
    final TopicPartition tp;
    final RawBatch batch;
    final BatchSender.Callback callback;
    final long handedAt;
    int sequence = -1;
    boolean done;
    /** In a Produce request not answered yet: its bytes may still be read by the network layer. */
    boolean inRequest;

    Entry(TopicPartition tp, RawBatch batch, BatchSender.Callback callback, long handedAt) {
      this.tp = tp;
      this.batch = batch;
      this.callback = callback;
      this.handedAt = handedAt;
    }
  }

  final ArrayDeque<Entry> queued = new ArrayDeque<>();
  final List<Entry> inFlight = new ArrayList<>();
  int unanswered;
  int nextSequence;
  boolean retrying;
  /** The pending retry starts a new epoch for this partition: sequences from 0 again. */
  boolean resequence;
  /** Epochs this partition is ahead of the sender's (idempotent mode: bumped after an unexplained sequence gap). */
  short bumps;
  long backoffUntil;
  Throwable failure;

  /** Whether batches are queued or unanswered. */
  boolean busy() {
    return !queued.isEmpty() || !inFlight.isEmpty();
  }

  /**
   * Whether an out-of-order sequence for {@code entry} is explained by an earlier batch of this partition still
   * unanswered or to be sent again (it failed too and goes first).
   */
  boolean earlierPending(Entry entry) {
    return inFlight.stream().anyMatch(other -> !other.done && other.sequence < entry.sequence);
  }

  /** Completes {@code entry} (written at {@code baseOffset}, or failed with {@code error}) and calls back. */
  void finish(Entry entry, long baseOffset, Throwable error) {
    entry.done = true;
    inFlight.remove(entry);
    entry.callback.done(baseOffset, error);
    if (!entry.inRequest) {
      entry.batch.release(); // written (or failed) and in no request: its buffer may take another answer
    }
  }

  /** Fails every queued and in-flight batch with {@code cause}; later batches are refused with it too. */
  void fail(Throwable cause) {
    failure = cause;
    List<Entry> all = new ArrayList<>(inFlight);
    all.addAll(queued);
    queued.clear();
    for (Entry e : all) {
      if (!e.done) {
        finish(e, -1, cause);
      }
    }
    inFlight.clear();
    unanswered = 0;
    retrying = false;
  }

  /** Fails the lane when its oldest batch has waited longer than {@code deliveryTimeoutMs} with nothing unanswered. */
  void expire(long now, long deliveryTimeoutMs) {
    Entry oldest = inFlight.isEmpty() ? queued.peek() : inFlight.get(0);
    if (oldest != null && unanswered == 0 && now - oldest.handedAt > deliveryTimeoutMs) {
      fail(new TimeoutException("batch of " + oldest.tp + " not written within delivery.timeout.ms = "
          + deliveryTimeoutMs + " ms"));
    }
  }

  /**
   * Once a retry is pending and every batch in flight answered: puts them back at the head of the queue in
   * sequence order, to be sent after {@code backoffMs}; with {@link #resequence}, under the next epoch from
   * sequence 0.
   *
   * @return the number of batches to send again under a new epoch, or -1 when none (no retry, or the same epoch)
   */
  int requeue(long now, long backoffMs) {
    if (!retrying || unanswered > 0) {
      return -1;
    }
    List<Entry> again = new ArrayList<>(inFlight);
    again.sort(Comparator.comparingInt(x -> x.sequence));
    inFlight.clear();
    for (int i = again.size() - 1; i >= 0; i--) {
      queued.addFirst(again.get(i));
    }
    retrying = false;
    backoffUntil = now + backoffMs;
    if (!resequence) {
      return -1;
    }
    resequence = false;
    bumps++;
    nextSequence = 0;
    queued.forEach(e -> e.sequence = -1);
    return queued.size();
  }
}
