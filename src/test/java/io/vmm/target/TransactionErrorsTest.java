package io.vmm.target;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static io.vmm.target.TransactionErrors.Kind.ABORTABLE;
import static io.vmm.target.TransactionErrors.Kind.FATAL;
import static io.vmm.target.TransactionErrors.Kind.REFUSED;
import static io.vmm.target.TransactionErrors.Kind.RENEW;
import static io.vmm.target.TransactionErrors.kind;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TransactionErrorsTest {

  @Test
  void fencingAndAuthorizationAreFatalEvenWrapped() {
    assertEquals(FATAL, kind(new ProducerFencedException("newer epoch")));
    assertEquals(FATAL, kind(new KafkaException("commit failed", new ProducerFencedException("x"))));
    assertEquals(FATAL, kind(new TransactionalIdAuthorizationException("no")));
    assertEquals(FATAL, kind(new TopicAuthorizationException(Set.of("t"))));
  }

  @Test
  void aRecordRefusedForGoodFailsItsPartition() {
    assertEquals(REFUSED, kind(new RecordTooLargeException("too big")));
    assertEquals(REFUSED, kind(new KafkaException("Cannot perform send because at least one previous "
        + "transactional or idempotent request has failed", new RecordTooLargeException("too big"))));
  }

  @Test
  void epochTimeoutsAndAbortedBatchesRewind() {
    assertEquals(ABORTABLE, kind(new InvalidProducerEpochException("timed out transaction")));
    assertEquals(ABORTABLE, kind(new TimeoutException("delivery")));
    assertEquals(ABORTABLE, kind(new TransactionAbortedException()));
    assertEquals(ABORTABLE, kind(new KafkaException("plain")));
    assertEquals(ABORTABLE, kind(new IllegalStateException("unknown")));
  }

  /**
   * Kafka 4.1, transaction version 2: the coordinator aborted a transaction that outlived transaction.timeout.ms
   * and bumped the epoch; the commit gets INVALID_TXN_STATE, which the client treats as fatal (a later abort fails
   * with "Cannot execute transactional method because we are in an error state"): a new producer, not a FAILED
   * task. A zombie whose newer owner initialised the id gets ProducerFencedException instead: still fatal.
   */
  @Test
  void aTransactionTheCoordinatorTimedOutRenewsTheProducer() {
    InvalidTxnStateException its = new InvalidTxnStateException("The producer attempted a transactional operation in "
        + "an invalid state.");
    KafkaException errorState = new KafkaException("Cannot execute transactional method because we are in an "
        + "error state", its);
    assertEquals(RENEW, kind(its, 5_000, 3_000));
    assertEquals(RENEW, kind(errorState, 3_000, 3_000));
    assertEquals(ABORTABLE, kind(its, 2_999, 3_000), "younger than the timeout: not the coordinator's abort");
    assertEquals(ABORTABLE, kind(its), "without the age");
    assertEquals(ABORTABLE, kind(new InvalidProducerEpochException("old epoch"), 5_000, 3_000), "abort works");
    assertEquals(FATAL, kind(new ProducerFencedException("newer owner"), 5_000, 3_000));
    assertEquals(FATAL, kind(new KafkaException("x", new ProducerFencedException("newer owner")), 5_000, 3_000));
  }
}
