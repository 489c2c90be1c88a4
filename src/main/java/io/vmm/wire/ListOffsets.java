package io.vmm.wire;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/** One partition's earliest or latest offset, asked of its leader with a ListOffsets request. Stateless. */
final class ListOffsets {

  private ListOffsets() {
  }

  /**
   * Sends the request on {@code wire} (I/O thread only); {@code answer} gets the offset ("next offset to read"
   * at the log start or end; under {@code read_committed} the end is the last stable offset), or -1 and the error.
   *
   * @param timestamp {@link ListOffsetsRequest#EARLIEST_TIMESTAMP} or {@link ListOffsetsRequest#LATEST_TIMESTAMP}
   */
  static void of(WireClient wire, Node leader, TopicPartition tp, long timestamp, IsolationLevel isolation,
                 BiConsumer<Long, Throwable> answer) {
    ListOffsetsTopic topic = new ListOffsetsTopic().setName(tp.topic()).setPartitions(List.of(
        new ListOffsetsPartition().setPartitionIndex(tp.partition()).setTimestamp(timestamp)
            .setCurrentLeaderEpoch(Optional.ofNullable(wire.leaderEpoch(tp)).orElse(-1))));
    ListOffsetsRequest.Builder request = ListOffsetsRequest.Builder.forConsumer(false, isolation)
        .setTargetTimes(List.of(topic)).setTimeoutMs(wire.requestTimeoutMs());
    wire.send(leader, request, (response, error) -> {
      long offset = -1;
      Throwable failure = error;
      if (response instanceof ListOffsetsResponse r) {
        for (ListOffsetsResponseData.ListOffsetsTopicResponse t : r.data().topics()) {
          for (ListOffsetsResponseData.ListOffsetsPartitionResponse p : t.partitions()) {
            if (p.errorCode() == Errors.NONE.code()) {
              offset = p.offset();
            } else {
              failure = Errors.forCode(p.errorCode()).exception();
            }
          }
        }
      }
      answer.accept(offset, offset >= 0 ? null : failure);
    });
  }
}
