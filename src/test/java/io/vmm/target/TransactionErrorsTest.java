package io.vmm.target;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
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
}
