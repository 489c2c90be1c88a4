package io.vmm.wire;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTxnTimeoutException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The transaction coordinator of one {@code transactional.id}, as a {@link TransactionalSender} talks to it: found
 * with FindCoordinator (key type TRANSACTION), asked again after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a
 * lost connection; every call retried after {@code retry.backoff.ms} while the answer is transient
 * (COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS: the previous transaction's markers are still being
 * written) until its budget is spent, then failed with {@link TimeoutException} (the outcome of an EndTxn is then
 * unknown: never assumed). After Kafka's {@code TransactionManager} handlers for these requests (transaction
 * version 1: EndTxn up to v4).
 * <p>
 * Threading: the {@link WireClient}'s I/O thread only; callbacks run there.
 */
final class TxnCoordinator {

  /** An InitProducerId outcome: the producer id and epoch, or the error (then id -1). */
  interface Initialized {
    void done(long producerId, short epoch, Throwable error);
  }

  private final WireClient wire;
  private final String transactionalId;
  private final int timeoutMs;
  private final long budgetMs;
  private final long retryBackoffMs;
  private Node node;

  /**
   * @param timeoutMs      {@code transaction.timeout.ms} sent with InitProducerId, ms
   * @param budgetMs       how long one call may retry, ms
   * @param retryBackoffMs wait between attempts, ms
   */
  TxnCoordinator(WireClient wire, String transactionalId, int timeoutMs, long budgetMs, long retryBackoffMs) {
    this.wire = wire;
    this.transactionalId = transactionalId;
    this.timeoutMs = timeoutMs;
    this.budgetMs = budgetMs;
    this.retryBackoffMs = retryBackoffMs;
  }

  String transactionalId() {
    return transactionalId;
  }

  /**
   * Whether {@code error} ends this {@code transactional.id}'s writing for good: fenced by a newer owner, not
   * authorized or authenticated, a transaction timeout the brokers refuse, or a broker without these requests.
   */
  static boolean isFinal(Throwable error) {
    return error instanceof ProducerFencedException || error instanceof AuthorizationException
        || error instanceof AuthenticationException || error instanceof UnsupportedVersionException
        || error instanceof InvalidTxnTimeoutException;
  }

  /**
   * InitProducerId: a fresh one ({@code producerId} -1: fences earlier owners, aborts what they left open), or the
   * recovery of {@code producerId}/{@code epoch} (KIP-360: the epoch moves on; {@link ProducerFencedException} when
   * a newer owner exists).
   */
  void initProducerId(long producerId, short epoch, Initialized done) {
    InitProducerIdResponse[] answer = new InitProducerIdResponse[1];
    call(() -> new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(transactionalId)
        .setTransactionTimeoutMs(timeoutMs).setProducerId(producerId).setProducerEpoch(epoch)), r -> {
          answer[0] = (InitProducerIdResponse) r;
          return Errors.forCode(answer[0].data().errorCode());
        }, error -> {
          if (error == null) {
            done.done(answer[0].data().producerId(), answer[0].data().producerEpoch(), null);
          } else {
            done.done(-1, (short) -1, error);
          }
        });
  }

  /**
   * EndTxn (commit or abort) for {@code producerId}/{@code epoch}; {@code done} gets the producer id and epoch to
   * write with next (transaction version 2: the coordinator moved the epoch on; version 1: unchanged) or the error.
   *
   * @param v2 transaction version 2 (EndTxn v5) or 1 (at most v4)
   */
  void endTxn(long producerId, short epoch, boolean commit, boolean v2, Initialized done) {
    EndTxnResponse[] answer = new EndTxnResponse[1];
    call(() -> new EndTxnRequest.Builder(new EndTxnRequestData().setTransactionalId(transactionalId)
        .setProducerId(producerId).setProducerEpoch(epoch).setCommitted(commit), v2), r -> {
          answer[0] = (EndTxnResponse) r;
          return Errors.forCode(answer[0].data().errorCode());
        }, error -> {
          if (error != null) {
            done.done(-1, (short) -1, error);
          } else if (v2 && answer[0].data().producerId() >= 0) {
            done.done(answer[0].data().producerId(), answer[0].data().producerEpoch(), null);
          } else {
            done.done(producerId, epoch, null);
          }
        });
  }

  /**
   * Sends the request {@code builder} makes to the coordinator (found first when unknown) and retries it while
   * the answer is transient; {@code then} gets null when {@code errorOf} finds {@link Errors#NONE}, else the error.
   */
  void call(Supplier<AbstractRequest.Builder<?>> builder, Function<AbstractResponse, Errors> errorOf,
            Consumer<Throwable> then) {
    attempt(builder, errorOf, then, System.currentTimeMillis() + budgetMs, null);
  }

  private void attempt(Supplier<AbstractRequest.Builder<?>> builder, Function<AbstractResponse, Errors> errorOf,
                       Consumer<Throwable> then, long deadline, Throwable last) {
    if (System.currentTimeMillis() >= deadline) {
      then.accept(new TimeoutException("transaction coordinator of " + transactionalId + " did not answer within "
          + budgetMs + " ms" + (last == null ? "" : ": " + last)));
      return;
    }
    Runnable again = () -> wire.schedule(System.currentTimeMillis() + retryBackoffMs,
        () -> attempt(builder, errorOf, then, deadline, last));
    if (node == null) {
      find(deadline, found -> {
        if (found == null) {
          attempt(builder, errorOf, then, deadline, null);
        } else {
          then.accept(found);
        }
      });
      return;
    }
    wire.send(node, builder.get(), (response, error) -> {
      if (error instanceof AuthenticationException || error instanceof UnsupportedVersionException) {
        then.accept(error);
        return;
      }
      Errors e;
      try {
        e = error != null ? Errors.NETWORK_EXCEPTION : errorOf.apply(response);
      } catch (RuntimeException unreadable) { // an answer this code cannot read: never leave the caller waiting
        then.accept(new org.apache.kafka.common.KafkaException("unreadable answer of the transaction coordinator of "
            + transactionalId + ": " + unreadable, unreadable));
        return;
      }
      switch (e) {
        case NONE -> then.accept(null);
        case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, NETWORK_EXCEPTION, REQUEST_TIMED_OUT -> {
          node = null;
          wire.schedule(System.currentTimeMillis() + retryBackoffMs,
              () -> attempt(builder, errorOf, then, deadline, error != null ? error : e.exception()));
        }
        case COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS, UNKNOWN_TOPIC_OR_PARTITION -> again.run();
        default -> then.accept(e.exception());
      }
    });
  }

  /** FindCoordinator until found ({@code then} gets null) or a final error ({@code then} gets it). */
  private void find(long deadline, Consumer<Throwable> then) {
    Node any = wire.anyNode();
    if (any == null) {
      wire.schedule(System.currentTimeMillis() + retryBackoffMs, () -> retryFind(deadline, then, null));
      return;
    }
    FindCoordinatorRequestData data = new FindCoordinatorRequestData()
        .setKeyType(FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()).setKey(transactionalId);
    wire.send(any, new FindCoordinatorRequest.Builder(data), (response, error) -> {
      if (error instanceof AuthenticationException || error instanceof UnsupportedVersionException) {
        then.accept(error);
        return;
      }
      Errors e = Errors.NETWORK_EXCEPTION;
      if (response instanceof FindCoordinatorResponse r) {
        FindCoordinatorResponseData.Coordinator c = r.data().coordinators().isEmpty() ? null
            : r.data().coordinators().get(0);
        e = c != null ? Errors.forCode(c.errorCode()) : r.error();
        if (e == Errors.NONE) {
          node = c != null ? new Node(c.nodeId(), c.host(), c.port()) : r.node();
          then.accept(null);
          return;
        }
      }
      if (e == Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) {
        then.accept(e.exception());
        return;
      }
      Throwable cause = error != null ? error : e.exception();
      wire.schedule(System.currentTimeMillis() + retryBackoffMs, () -> retryFind(deadline, then, cause));
    });
  }

  private void retryFind(long deadline, Consumer<Throwable> then, Throwable last) {
    if (System.currentTimeMillis() >= deadline) {
      then.accept(new TimeoutException("no transaction coordinator found for " + transactionalId + " within "
          + budgetMs + " ms" + (last == null ? "" : ": " + last)));
    } else {
      find(deadline, then);
    }
  }
}
