package io.vmm.wire;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Produce requests of whole stamped batches, one per partition, and their answers, for {@link BatchSender}.
 * Topic names, not ids: up to version 12 (13 needs topic ids); version 12 only with transaction version 2
 * (Produce adds the partition to the transaction), else up to 11 (Kafka's {@code useTransactionV1Version}).
 * Stateless.
 */
final class ProduceRequests {

  /** One partition's answer: its error and appended base offset (-1 when none). */
  record Answer(Errors error, long baseOffset) {
  }

  private ProduceRequests() {
  }

  /**
   * The request writing {@code batches} (one stamped batch per partition; the bytes are sent without a copy, so
   * they must stay unchanged until the request is answered).
   *
   * @param acks            -1 or 1
   * @param timeoutMs       the broker's wait for the replicas, ms
   * @param transactionalId null for an idempotent producer
   * @param transactionV2   transaction version 2 (KIP-890): version 12
   */
  static AbstractRequest.Builder<ProduceRequest> of(Map<TopicPartition, ByteBuffer> batches, short acks,
                                                    int timeoutMs, String transactionalId, boolean transactionV2) {
    ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
    Map<String, ProduceRequestData.TopicProduceData> byTopic = new HashMap<>();
    batches.forEach((tp, bytes) -> {
      ProduceRequestData.TopicProduceData t = byTopic.computeIfAbsent(tp.topic(), name -> {
        ProduceRequestData.TopicProduceData created = new ProduceRequestData.TopicProduceData().setName(name)
            .setPartitionData(new ArrayList<>());
        topics.add(created);
        return created;
      });
      t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(tp.partition())
          .setRecords(MemoryRecords.readableRecords(bytes.duplicate())));
    });
    ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(timeoutMs)
        .setTransactionalId(transactionalId).setTopicData(topics);
    return transactionV2
        ? new ProduceRequest.Builder(ApiKeys.PRODUCE.oldestVersion(), (short) 12, data)
        : ProduceRequest.builder(data, true);
  }

  /** Each partition's answer in {@code response} (empty when it is no Produce answer). */
  static Map<TopicPartition, Answer> answers(AbstractResponse response) {
    Map<TopicPartition, Answer> out = new HashMap<>();
    if (response instanceof ProduceResponse r) {
      for (ProduceResponseData.TopicProduceResponse t : r.data().responses()) {
        for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
          out.put(new TopicPartition(t.name(), p.index()), new Answer(Errors.forCode(p.errorCode()), p.baseOffset()));
        }
      }
    }
    return out;
  }
}
