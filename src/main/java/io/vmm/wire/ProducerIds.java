package io.vmm.wire;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * The producer id of an idempotent (non-transactional) {@link BatchSender}: one InitProducerId without a
 * {@code transactional.id}, which any broker answers (after Kafka's {@code TransactionManager} for an idempotent
 * producer). Retrying is the caller's. Stateless; the {@link WireClient}'s I/O thread only.
 */
final class ProducerIds {

  private ProducerIds() {
  }

  /** Asks {@code node} for a new producer id; {@code done} gets it and its epoch, or the error (then id -1). */
  static void idempotent(WireClient wire, Node node, TxnCoordinator.Initialized done) {
    InitProducerIdRequestData data = new InitProducerIdRequestData().setTransactionalId(null)
        .setTransactionTimeoutMs(Integer.MAX_VALUE);
    wire.send(node, new InitProducerIdRequest.Builder(data), (response, error) -> {
      if (response instanceof InitProducerIdResponse r) {
        Errors e = Errors.forCode(r.data().errorCode());
        if (e == Errors.NONE) {
          done.done(r.data().producerId(), r.data().producerEpoch(), null);
        } else {
          done.done(-1, (short) -1, e.exception());
        }
      } else {
        done.done(-1, (short) -1, error);
      }
    });
  }
}
