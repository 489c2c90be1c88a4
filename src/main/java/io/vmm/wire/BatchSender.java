package io.vmm.wire;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes fetched batches unchanged in body to the target cluster as an idempotent producer: one producer id
 * (InitProducerId), per partition consecutive sequence numbers, each batch stamped once
 * ({@link BatchHeader#stampForProduce}) and sent as the only batch of its partition in a Produce request
 * (as the broker requires for idempotent writes), at most {@value #MAX_IN_FLIGHT} batches in flight per
 * partition. A retry sends identical bytes with the same sequence, so the broker deduplicates it and answers its
 * original offset: no duplicates from retries, and the partition's order holds (after the idempotent producer's
 * rules in Kafka's {@code Sender}/{@code TransactionManager}; simplified: any retriable error stops the partition
 * until its batches in flight have answered, then the unanswered ones are sent again in sequence order).
 * <p>
 * Transactional mode ({@link Settings#transactionalId} set, driven by a {@link TransactionalSender}): batches are
 * stamped transactional, each Produce request names the {@code transactional.id}, and the producer id and epoch come
 * from {@link #producer} (each new epoch restarts every partition's sequence at 0); {@link #whenIdle} tells when no
 * batch is queued or in flight, so a transaction can end.
 * <p>
 * Errors: retriable ones (leader change, not enough replicas, timeouts, disconnects) retry after
 * {@code retry.backoff.ms} until {@code delivery.timeout.ms} since the batch was handed over; an idempotent
 * sender's sequence gap that no earlier batch explains (the target topic deleted and created again) starts a new
 * epoch for that partition and sends its unwritten batches again from sequence 0 ({@link SendLane#requeue}); any other
 * answer (record too large, authorization, unknown producer id, a transactional sender's sequence gap) fails the
 * batch and every later batch of its partition, and the partition refuses new batches with that error.
 * <p>
 * Threading: confined to the {@link WireClient}'s I/O thread (call through {@link WireClient#execute});
 * callbacks run there.
 */
public final class BatchSender {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BatchSender.class);

  /** Batches in flight per partition (the idempotent producer's limit). */
  static final int MAX_IN_FLIGHT = 5;
  /** A partition missing from an answer (the whole request failed, or the broker left it out). */
  private static final ProduceRequests.Answer NO_ANSWER = new ProduceRequests.Answer(Errors.NONE, -1);

  /** A batch's outcome: its appended base offset (downstream), or the error; called once, on the I/O thread. */
  public interface Callback {
    void done(long baseOffset, Throwable error);
  }

  /**
   * @param acks              {@code acks} as a number: -1 (all) or 1 (0 is not supported: offsets are needed)
   * @param deliveryTimeoutMs {@code delivery.timeout.ms}
   * @param retryBackoffMs    {@code retry.backoff.ms}
   * @param transactionalId   null: idempotent, the sender gets its own producer id; else a transactional sender
   *                          ({@link TransactionalSender}) that stamps batches transactional, names the id in each
   *                          Produce request and gets its producer id and epoch through {@link #producer}
   */
  public record Settings(short acks, long deliveryTimeoutMs, long retryBackoffMs, String transactionalId) {

    /** An idempotent, non-transactional sender's settings. */
    public Settings(short acks, long deliveryTimeoutMs, long retryBackoffMs) {
      this(acks, deliveryTimeoutMs, retryBackoffMs, null);
    }
  }

  private final WireClient wire;
  private final Settings settings;
  private final Map<TopicPartition, SendLane> lanes = new LinkedHashMap<>();
  private long producerId = -1;
  private short epoch = -1;
  private boolean initializing;
  private boolean refreshing;
  private long wakeAt;
  private boolean transactionV2;
  /** A {@link #drive} is queued on the I/O thread for the batches handed over since the last one. */
  private boolean driveQueued;
  /** Produce requests sent and not answered yet. */
  private int requestsInFlight;
  /** Run (once) when no Produce request is in flight and nothing is queued; see {@link #whenIdle}. */
  private Runnable idle;

  public BatchSender(WireClient wire, Settings settings) {
    this.wire = wire;
    this.settings = settings;
  }

  /**
   * Hands {@code batch} over for partition {@code tp} of the target; {@code callback} answers it. The sender
   * releases the batch ({@link RawBatch#release}) after the callback, once no request of it is in flight. I/O
   * thread.
   */
  public void send(TopicPartition tp, RawBatch batch, Callback callback) {
    SendLane lane = lanes.computeIfAbsent(tp, k -> new SendLane());
    if (lane.failure != null) {
      callback.done(-1, lane.failure);
      batch.release();
      return;
    }
    lane.queued.add(new SendLane.Entry(tp, batch, callback, System.currentTimeMillis()));
    if (!driveQueued) { // batches handed over in the same I/O-thread task share one Produce request per broker
      driveQueued = true;
      wire.execute(() -> {
        driveQueued = false;
        drive();
      });
    }
  }

  /**
   * A transactional sender's producer id and epoch (after InitProducerId: a new epoch), sequences from 0 again and
   * every partition's failure forgotten. Called only while no batch is queued or unanswered. I/O thread.
   */
  public void producer(long producerId, short epoch) {
    this.producerId = producerId;
    this.epoch = epoch;
    lanes.clear();
  }

  /** Transaction version 2 (KIP-890): Produce version 12, which adds the partition to the transaction. I/O thread. */
  public void transactionV2(boolean on) {
    this.transactionV2 = on;
  }

  /**
   * Runs {@code then} on the I/O thread as soon as no batch is queued and no Produce request is in flight (at once
   * when so now): after a failed batch, the requests of its partition's later batches may still be on their way,
   * and a transaction must not end before the broker answered them (after Kafka's {@code TransactionManager},
   * which ends a transaction only after its batches in flight completed). Replaces an earlier waiting
   * {@code then}. I/O thread.
   */
  public void whenIdle(Runnable then) {
    idle = then;
    checkIdle();
  }

  private void checkIdle() {
    if (idle != null && requestsInFlight == 0
        && lanes.values().stream().noneMatch(SendLane::busy)) {
      Runnable r = idle;
      idle = null;
      r.run();
    }
  }

  /** Whether {@code tp} has batches queued or unanswered. I/O thread. */
  public boolean busy(TopicPartition tp) {
    SendLane lane = lanes.get(tp);
    return lane != null && lane.busy();
  }

  private void drive() {
    if (producerId < 0) {
      if (settings.transactionalId() == null) {
        initProducerId();
      }
      return;
    }
    long now = System.currentTimeMillis();
    Map<Node, Map<TopicPartition, SendLane.Entry>> requests = new HashMap<>();
    Set<String> unknown = new HashSet<>();
    long wake = Long.MAX_VALUE;
    for (Map.Entry<TopicPartition, SendLane> e : lanes.entrySet()) {
      TopicPartition tp = e.getKey();
      SendLane lane = e.getValue();
      lane.expire(now, settings.deliveryTimeoutMs());
      if (lane.queued.isEmpty() || lane.retrying || lane.inFlight.size() >= MAX_IN_FLIGHT) {
        continue;
      }
      if (lane.backoffUntil > now) {
        wake = Math.min(wake, lane.backoffUntil);
        continue;
      }
      Node leader = wire.leader(tp);
      if (leader == null) {
        unknown.add(tp.topic());
        continue;
      }
      SendLane.Entry entry = lane.queued.poll();
      if (entry.sequence < 0) {
        entry.sequence = lane.nextSequence;
        lane.nextSequence += entry.batch.recordCount();
        BatchHeader.stampForProduce(entry.batch.bytes(), producerId, (short) (epoch + lane.bumps), entry.sequence,
            settings.transactionalId() != null);
      }
      lane.inFlight.add(entry);
      lane.unanswered++;
      entry.inRequest = true;
      requests.computeIfAbsent(leader, n -> new LinkedHashMap<>()).put(tp, entry);
    }
    requests.forEach(this::produce);
    if (!unknown.isEmpty()) {
      refresh(unknown);
    }
    if (wake != Long.MAX_VALUE && (wakeAt <= now || wake < wakeAt)) {
      wakeAt = wake;
      wire.schedule(wake, this::drive);
    }
    if (!requests.isEmpty()) {
      wire.execute(this::drive); // more batches of the same partitions may go in the next request
    }
    checkIdle();
  }

  private void produce(Node node, Map<TopicPartition, SendLane.Entry> entries) {
    Map<TopicPartition, java.nio.ByteBuffer> batches = new LinkedHashMap<>();
    entries.forEach((tp, entry) -> batches.put(tp, entry.batch.bytes()));
    requestsInFlight++;
    wire.send(node, ProduceRequests.of(batches, settings.acks(), wire.requestTimeoutMs(), settings.transactionalId(),
        transactionV2), (response, error) -> {
          requestsInFlight--;
          Map<TopicPartition, ProduceRequests.Answer> answers = ProduceRequests.answers(response);
          entries.forEach((tp, entry) -> {
            entry.inRequest = false;
            ProduceRequests.Answer a = answers.getOrDefault(tp, NO_ANSWER);
            answered(entry, a.error(), a.baseOffset(), error);
            if (entry.done) {
              entry.batch.release(); // failed while this request was in flight: its bytes are free only now
            }
          });
          drive();
          checkIdle();
        });
  }

  /** The answer for one batch: {@code requestError} when the whole request failed. */
  private void answered(SendLane.Entry entry, Errors error, long baseOffset, Throwable requestError) {
    SendLane lane = lanes.get(entry.tp);
    if (lane == null || entry.done) {
      return;
    }
    lane.unanswered--;
    Throwable cause = requestError != null ? requestError : error == Errors.NONE ? null : error.exception();
    if (requestError == null && error == Errors.NONE && baseOffset >= 0) {
      lane.finish(entry, baseOffset, null);
    } else if (error == Errors.OUT_OF_ORDER_SEQUENCE_NUMBER ? lane.earlierPending(entry)
        : cause instanceof RetriableException || cause instanceof DisconnectException) {
      lane.retrying = true; // sent again as it is, after the batches before it
      if (error == Errors.NOT_LEADER_OR_FOLLOWER || error == Errors.UNKNOWN_TOPIC_OR_PARTITION
          || requestError != null) {
        refresh(Set.of(entry.tp.topic()));
      }
    } else if (error == Errors.OUT_OF_ORDER_SEQUENCE_NUMBER && settings.transactionalId() == null
        && epoch + lane.bumps < Short.MAX_VALUE - 1) {
      // a gap no earlier batch explains (the topic deleted and created again, a later batch written first, or
      // the broker lost this producer's state): a new epoch for this partition and sequences from 0, which the
      // broker accepts as a new producer session there, as Kafka's idempotent producer bumps its epoch and
      // retries; the broker checks epochs per partition, so the other partitions keep theirs
      lane.retrying = true;
      lane.resequence = true;
    } else {
      lane.fail(cause);
    }
    int resent = lane.requeue(System.currentTimeMillis(), settings.retryBackoffMs());
    if (resent >= 0) {
      LOG.warn("{}: the target broker reports a sequence gap no earlier batch explains (was the topic deleted and "
          + "created again?): sending the {} unwritten batch(es) again from sequence 0 under epoch {}", entry.tp,
          resent, epoch + lane.bumps);
    }
  }

  private void refresh(Set<String> topics) {
    if (refreshing) {
      return;
    }
    refreshing = true;
    wire.refreshLeaders(topics, () -> {
      refreshing = false;
      boolean stillUnknown = lanes.entrySet().stream()
          .anyMatch(e -> !e.getValue().queued.isEmpty() && wire.leader(e.getKey()) == null);
      if (stillUnknown) {
        wire.schedule(System.currentTimeMillis() + settings.retryBackoffMs(), this::drive); // no request storm
      } else {
        drive();
      }
    });
  }

  private void initProducerId() {
    if (initializing) {
      return;
    }
    Node node = wire.anyNode();
    if (node == null) {
      wire.schedule(System.currentTimeMillis() + settings.retryBackoffMs(), this::drive);
      return;
    }
    initializing = true;
    ProducerIds.idempotent(wire, node, (id, newEpoch, cause) -> {
      initializing = false;
      if (cause == null) {
        producerId = id;
        epoch = newEpoch;
      }
      if (producerId < 0) {
        if (cause != null && !(cause instanceof RetriableException)) {
          for (SendLane lane : lanes.values()) {
            lane.fail(cause);
            lane.failure = null; // a later send tries again
          }
        }
        wire.schedule(System.currentTimeMillis() + settings.retryBackoffMs(), this::drive);
        return;
      }
      Set<String> topics = new HashSet<>();
      lanes.keySet().forEach(tp -> topics.add(tp.topic()));
      if (!topics.isEmpty()) {
        refresh(topics);
      }
      drive();
    });
  }
}
