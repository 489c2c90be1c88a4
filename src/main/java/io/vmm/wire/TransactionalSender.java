package io.vmm.wire;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A transactional producer on Kafka's wire protocol, for the exactly-once pass-through path: record batches (fetched
 * ones unchanged in body, or built by {@link BatchEncoder}) written in transactions of one {@code transactional.id}
 * through a transactional {@link BatchSender}. After Kafka's {@code TransactionManager}, simplified. The protocol
 * follows the brokers: transaction version 2 (KIP-890) where they finalized {@code transaction.version} 2 (Produce
 * v12 adds each partition to the transaction itself, EndTxn v5 moves the epoch on at every end, so every
 * transaction's sequences start at 0), else version 1, which every broker since 2.x accepts (partitions added
 * explicitly with AddPartitionsToTxn v3, EndTxn v4, Produce v11):
 * <ul>
 *   <li>{@link #init}: InitProducerId for the id at its coordinator ({@link TxnCoordinator}); fences every earlier
 *       owner of the id (its epoch is now stale) and aborts a transaction it left open;</li>
 *   <li>{@link #begin}, {@link #send}: version 1: the first batch of a partition in a transaction waits until the
 *       partition is added (one AddPartitionsToTxn in flight; partitions asked for meanwhile share the next);</li>
 *   <li>{@link #end}: waits until every batch of the transaction is answered and no Produce request is in flight,
 *       then EndTxn. A commit that the coordinator refuses with a stale epoch is told apart: a recovery
 *       InitProducerId with the current id and epoch (KIP-360/KIP-588) succeeds when the coordinator itself aborted
 *       the transaction after {@code transaction.timeout.ms} ({@link InvalidProducerEpochException}: rewind, go on),
 *       and fails with {@link ProducerFencedException} when a newer owner exists (stop). An abort always ends with
 *       that recovery InitProducerId: the epoch moves on and every partition's sequences start at 0 again, so a
 *       batch of unknown fate (a timeout) can never be confused with a later one.</li>
 * </ul>
 * Errors after {@code fenced} or authorization failures are final: every later call answers them.
 * <p>
 * Threading: confined to the {@link WireClient}'s I/O thread (call through {@link WireClient#execute}); callbacks
 * run there.
 */
public final class TransactionalSender {

  /** The outcome of an operation: null on success. Called once, on the I/O thread. */
  public interface Done {
    void done(Throwable error);
  }

  /** A batch waiting for its partition to be added to the transaction. */
  private record Pending(RawBatch batch, BatchSender.Callback callback) {
  }

  private final WireClient wire;
  private final BatchSender sender;
  private final TxnCoordinator coordinator;
  /** Partitions added to the open transaction. */
  private final Set<TopicPartition> added = new HashSet<>();
  private final Map<TopicPartition, List<Pending>> waiting = new LinkedHashMap<>();
  private boolean adding;
  /** Batches handed to the sender in the open transaction and not answered yet. */
  private int unanswered;
  private Runnable whenAnswered;
  /** The first batch of the open transaction that failed: the transaction may not commit. */
  private Throwable txnError;
  private long producerId = -1;
  private short epoch = -1;
  /** Transaction version 2 (KIP-890), read from the brokers' finalized features at {@link #init}. */
  private boolean v2;
  /** Set when this id can never write again (fenced, not authorized): every call answers it. */
  private Throwable fatal;

  /**
   * @param sender          a transactional sender ({@link BatchSender.Settings#transactionalId} set) on {@code wire}
   * @param transactionalId the {@code transactional.id}
   * @param timeoutMs       {@code transaction.timeout.ms}, ms
   * @param callBudgetMs    how long one coordinator call (with its retries) may take before it fails with a
   *                        {@link org.apache.kafka.common.errors.TimeoutException}, ms
   * @param retryBackoffMs  wait between retries of a coordinator call, ms
   */
  public TransactionalSender(WireClient wire, BatchSender sender, String transactionalId, int timeoutMs,
                             long callBudgetMs, long retryBackoffMs) {
    this.wire = wire;
    this.sender = sender;
    this.coordinator = new TxnCoordinator(wire, transactionalId, timeoutMs, callBudgetMs, retryBackoffMs);
  }

  /** The producer id and epoch in use ("-1/-1" before {@link #init}), for log lines. I/O thread. */
  public String identity() {
    return producerId + "/" + epoch;
  }

  /** InitProducerId without an earlier id: fences earlier owners; {@code done} when this sender may write. */
  public void init(Done done) {
    initProducerId(-1, (short) -1, e -> {
      v2 = wire.transactionVersion() >= 2;
      sender.transactionV2(v2);
      done.done(e);
    });
  }

  /** Whether transactions use version 2 (KIP-890) with this cluster: known after {@link #init}. */
  public boolean transactionV2() {
    return v2;
  }

  /** Starts a transaction (nothing is sent until the first batch). */
  public void begin() {
    added.clear();
    txnError = null;
  }

  /**
   * Sends {@code batch} to {@code tp} in the open transaction; {@code callback} gets its appended base offset or
   * its error (a failed batch fails every later batch of its partition until the transaction ends).
   */
  public void send(TopicPartition tp, RawBatch batch, BatchSender.Callback callback) {
    if (fatal != null) {
      callback.done(-1, fatal);
      batch.release();
      return;
    }
    unanswered++;
    BatchSender.Callback counted = (offset, error) -> {
      unanswered--;
      if (error != null && txnError == null) {
        txnError = error;
      }
      callback.done(offset, error);
      answeredAll();
    };
    if (v2) { // the Produce request adds the partition
      added.add(tp);
      sender.send(tp, batch, counted);
    } else if (added.contains(tp)) {
      sender.send(tp, batch, counted);
    } else {
      waiting.computeIfAbsent(tp, k -> new ArrayList<>()).add(new Pending(batch, counted));
      addPartitions();
    }
  }

  /**
   * Adds {@code tp} to the open transaction ahead of its first batch (with the next AddPartitionsToTxn), so that
   * a batch sent there later, such as a progress record at commit, does not wait for a round trip to the
   * coordinator. Nothing happens when it is added or being added already.
   */
  public void addPartition(TopicPartition tp) {
    if (!v2 && fatal == null && !added.contains(tp) && !waiting.containsKey(tp)) {
      waiting.put(tp, new ArrayList<>());
      addPartitions();
    }
  }

  /** Whether {@code tp} has batches waiting to be added, queued or unanswered. */
  public boolean busy(TopicPartition tp) {
    return waiting.containsKey(tp) || sender.busy(tp);
  }

  private void addPartitions() {
    if (adding || waiting.isEmpty()) {
      return;
    }
    adding = true;
    List<TopicPartition> asked = new ArrayList<>(waiting.keySet());
    coordinator.call(() -> AddPartitionsToTxnRequest.Builder.forClient(coordinator.transactionalId(), producerId,
        epoch, asked), response -> {
          Errors worst = Errors.NONE;
          // version 3 and below: one transaction, keyed by AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID
          for (Map<TopicPartition, Errors> byPartition : ((AddPartitionsToTxnResponse) response).errors().values()) {
            for (Errors e : byPartition.values()) {
              if (e != Errors.NONE && e != Errors.OPERATION_NOT_ATTEMPTED) {
                worst = e;
              }
            }
          }
          return worst;
        }, error -> {
          adding = false;
          if (error == null) {
            for (TopicPartition tp : asked) {
              added.add(tp);
              for (Pending p : waiting.remove(tp)) {
                sender.send(tp, p.batch(), p.callback());
              }
            }
          } else {
            failFenced(error);
            for (TopicPartition tp : asked) {
              for (Pending p : waiting.remove(tp)) {
                p.callback().done(-1, error);
                p.batch().release();
              }
            }
          }
          addPartitions(); // partitions asked for meanwhile
        });
  }

  /**
   * Ends the open transaction once every batch sent in it is answered and no Produce request is in flight: commits
   * ({@code commit}) or aborts it, see the class comment for the outcomes. A transaction that added no partition
   * has nothing to end (an abort still moves the epoch on).
   */
  public void end(boolean commit, Done done) {
    if (fatal != null) {
      done.done(fatal);
      return;
    }
    whenAnswered = () -> sender.whenIdle(() -> {
      if (commit && txnError != null) {
        done.done(txnError); // a batch of it failed: it may only abort
      } else if (added.isEmpty()) {
        finish(commit, null, done);
      } else {
        coordinator.endTxn(producerId, epoch, commit, v2, (id, next, e) -> {
          if (e == null && (id != producerId || next != epoch)) { // version 2: the coordinator moved the epoch on
            producerId = id;
            epoch = next;
            sender.producer(id, next);
            if (!commit) {
              added.clear();
              done.done(null); // the new epoch restarts every sequence: no recovery needed
              return;
            }
          }
          finish(commit, e, done);
        });
      }
    });
    answeredAll();
  }

  private void answeredAll() {
    if (whenAnswered != null && unanswered == 0 && !adding && waiting.isEmpty()) {
      Runnable r = whenAnswered;
      whenAnswered = null;
      r.run();
    }
  }

  /** After EndTxn answered {@code error} (null: success): done, or recover the epoch first. */
  private void finish(boolean commit, Throwable error, Done done) {
    added.clear();
    // a stale epoch: a newer owner, or the coordinator aborted the transaction on its timeout and moved the epoch
    // on (transaction version 2 answers a commit of the epoch before with INVALID_TXN_STATE)
    boolean staleEpoch = error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException
        || error instanceof InvalidTxnStateException;
    if (commit && error == null) {
      done.done(null);
    } else if (commit && !staleEpoch) {
      done.done(failFenced(error)); // a timeout included: the outcome is unknown, never assumed
    } else {
      // an abort (whatever EndTxn said), or a commit refused for a stale epoch: recover the epoch
      initProducerId(producerId, epoch, e -> {
        if (e != null || !commit) {
          done.done(e);
        } else {
          done.done(new InvalidProducerEpochException("the transaction coordinator aborted the transaction of "
              + coordinator.transactionalId() + " itself (it outlived transaction.timeout.ms); nothing of it was "
              + "committed"));
        }
      });
    }
  }

  /** InitProducerId (a recovery when {@code pid} >= 0); the sender then writes with the new id and epoch. */
  private void initProducerId(long pid, short oldEpoch, Done done) {
    coordinator.initProducerId(pid, oldEpoch, (id, newEpoch, error) -> {
      if (error != null) {
        done.done(failFenced(error));
        return;
      }
      producerId = id;
      epoch = newEpoch;
      sender.producer(id, newEpoch);
      done.done(null);
    });
  }

  /** Remembers {@code error} as final when it is (fenced, not authorized, unsupported); returns it. */
  private Throwable failFenced(Throwable error) {
    if (fatal == null && TxnCoordinator.isFinal(error)) {
      fatal = error;
    }
    return error;
  }

}
