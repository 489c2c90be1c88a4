package io.vmm.target;

import io.vertx.core.eventbus.Message;
import io.vmm.bus.BatchResult;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.SourceBatch;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The batches an exactly-once producer holds until their transaction ends, in arrival order, with one answer per
 * chunk: either decided without sending (a FAILED partition, a chunk polled before a rewind) or sent in the open
 * transaction, whose answer depends on how the transaction ends. {@link #answerAll} replies every held batch in
 * order with one {@link BatchResult} each.
 * <p>
 * Threading: the producer's worker context; only {@link Answer#downstream} is written by Kafka's network thread
 * (the send callbacks), and read after the commit returned (the producer's flush orders it).
 */
final class TransactionBatches {

  /** The answer to a chunk sent in the transaction, once the transaction ended. */
  interface Outcome {
    PartitionResult of(TopicPartition source, long[] upstream, long[] downstream);
  }

  /** One chunk's answer. */
  static final class Answer {
    final TopicPartition source;
    final long[] upstream;
    final long[] downstream;
    private PartitionResult preset;

    Answer(TopicPartition source, long[] upstream) {
      this.source = source;
      this.upstream = upstream;
      this.downstream = new long[upstream.length];
      Arrays.fill(downstream, -1L);
    }

    /** The chunk is not sent; this is its answer. */
    void preset(PartitionResult result) {
      this.preset = result;
    }
  }

  /** One batch and its chunks' answers, in chunk order. */
  static final class Held {
    final Message<SourceBatch> message;
    final List<Answer> answers;

    Held(Message<SourceBatch> message) {
      this.message = message;
      this.answers = new ArrayList<>(message.body().chunks().size());
    }

    Answer add(TopicPartition source, long[] upstream) {
      Answer a = new Answer(source, upstream);
      answers.add(a);
      return a;
    }
  }

  private final ArrayDeque<Held> held = new ArrayDeque<>();

  /** Holds {@code batch} (after its chunks were added) until {@link #answerAll}. */
  void hold(Held batch) {
    held.add(batch);
  }

  /** Batches held. */
  int size() {
    return held.size();
  }

  /** Replies every held batch in order: preset answers as they are, sent chunks by {@code forSent}; clears. */
  void answerAll(Outcome forSent) {
    Held h;
    while ((h = held.poll()) != null) {
      List<PartitionResult> results = new ArrayList<>(h.answers.size());
      for (Answer a : h.answers) {
        results.add(a.preset != null ? a.preset : forSent.of(a.source, a.upstream, a.downstream));
      }
      h.message.reply(new BatchResult(h.message.body().seq(), results));
    }
  }

  /**
   * The answer to a chunk of a committed transaction: every record is written (the commit flushed every send and
   * ran its callback first, so each downstream offset is known; one that were not would only miss an offset sync,
   * never be re-sent).
   */
  static PartitionResult committed(TopicPartition source, long[] upstream, long[] downstream) {
    return new PartitionResult(source, upstream, downstream, -1, null);
  }

  /** A chunk that is not in the target and is not re-read: FAILED at its first record with {@code e}. */
  static PartitionResult failedAt0(TopicPartition source, long[] upstream, Throwable e) {
    long[] downstream = new long[upstream.length];
    Arrays.fill(downstream, -1L);
    return new PartitionResult(source, upstream, downstream, 0, e);
  }
}
