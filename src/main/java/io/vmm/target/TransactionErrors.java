package io.vmm.target;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * What an error of a transactional producer means for the transaction and the task (after the error handling
 * that the {@code KafkaProducer} Javadoc prescribes and Connect's {@code ExactlyOnceWorkerSourceTask} applies).
 * Pure and stateless; causes are followed (Kafka wraps the original error, e.g. in a {@link KafkaException}
 * "Cannot perform send because at least one previous transactional or idempotent request has failed").
 */
public final class TransactionErrors {

  /** The four outcomes. */
  public enum Kind {
    /**
     * A newer owner of the {@code transactional.id} exists ({@link ProducerFencedException}), or the producer
     * can never write again (authorization, unsupported broker): stop writing, fail the task, do not retry.
     */
    FATAL,
    /**
     * A record the target refuses for good (e.g. {@code RecordTooLargeException}, {@code InvalidRecordException}):
     * abort; its partition FAILED at its first uncommitted record; the other partitions of the transaction rewind.
     */
    REFUSED,
    /**
     * The transaction cannot commit but the producer can go on ({@link InvalidProducerEpochException}: a send
     * after the coordinator's transaction-timeout abort; a delivery timeout, a batch aborted with the transaction): abort, rewind every
     * partition of the transaction to its last committed position.
     */
    ABORTABLE,
    /**
     * The transaction coordinator ended the open transaction itself: it outlived {@code transaction.timeout.ms}, the
     * coordinator aborted it and bumped the epoch, and the commit then got {@link InvalidTxnStateException}
     * (transaction version 2, Kafka 4.x: a commit with the epoch just below the coordinator's, in state
     * {@code CompleteAbort}). Kafka's client treats that as fatal (its {@code EndTxnHandler}): the producer cannot
     * even abort. No newer owner exists (its {@code initTransactions} would have moved the epoch further, and the
     * coordinator would have answered {@link ProducerFencedException}): replace the producer (a new one with the
     * same {@code transactional.id}, {@code initTransactions}) and rewind every partition of the transaction to its
     * last committed position; nothing of the transaction was committed. One race is left open: a newer owner whose
     * {@code initTransactions} fence-aborted this transaction in the milliseconds before this commit arrived (the
     * commit is then answered as for a timeout) and that commits before the renewal's {@code initTransactions} fences
     * it back would have its records mirrored again from this task's older position. It needs a transaction older
     * than {@code transaction.timeout.ms} (60 s by default) that the coordinator's timeout scan has not aborted yet,
     * meeting a new owner's first moments; comparing the stored progress after the renewal would close it.
     */
    RENEW
  }

  private TransactionErrors() {
  }

  /** Whether {@code e} or a cause is a {@link ProducerFencedException}: a newer owner of the id exists. */
  public static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ProducerFencedException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The kind of {@code e} for a transaction open for {@code openMs}: {@link Kind#RENEW} when {@code e} or a cause
   * is an {@link InvalidTxnStateException}, no cause is fatal, and the transaction outlived its
   * {@code transaction.timeout.ms} ({@code openMs >= timeoutMs}: only then can the coordinator have aborted it);
   * else {@link #kind(Throwable)}.
   *
   * @param openMs    ms since the transaction began (this producer's clock; the coordinator's timer starts later)
   * @param timeoutMs the producer's {@code transaction.timeout.ms}
   */
  public static Kind kind(Throwable e, long openMs, long timeoutMs) {
    Kind kind = kind(e);
    if (kind == Kind.FATAL || openMs < timeoutMs) {
      return kind;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InvalidTxnStateException) {
        return Kind.RENEW;
      }
    }
    return kind;
  }

  /**
   * The kind of {@code e} (any error a send callback, {@code beginTransaction}, a commit or an abort reported),
   * never {@link Kind#RENEW}: that needs the transaction's age ({@link #kind(Throwable, long, long)}).
   */
  public static Kind kind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof AuthorizationException
          || t instanceof UnsupportedVersionException) {
        return Kind.FATAL;
      }
    }
    Throwable root = e;
    while (root instanceof KafkaException && !(root instanceof ApiException) && root.getCause() != null
        && root.getCause() != root) {
      root = root.getCause(); // a plain KafkaException wrapping the first error of the transaction
    }
    if (root instanceof RetriableException || root instanceof TransactionAbortedException
        || root instanceof InvalidProducerEpochException || root instanceof InvalidPidMappingException
        || root instanceof InvalidTxnStateException || root instanceof OutOfOrderSequenceException
        || root instanceof UnknownProducerIdException || !(root instanceof ApiException)) {
      return Kind.ABORTABLE;
    }
    return Kind.REFUSED;
  }
}
