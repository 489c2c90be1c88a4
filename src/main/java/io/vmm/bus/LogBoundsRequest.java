package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;

/**
 * To topic discovery ({@link Addresses#logBounds}): the current source log bounds of these partitions, for a task
 * that starts after the flow did (restart, a unit gained in cluster mode). Reply: {@link Reply}.
 */
public record LogBoundsRequest(List<TopicPartition> partitions) {

  public LogBoundsRequest {
    partitions = List.copyOf(partitions);
  }

  /** The bounds of each partition asked for. */
  public record Reply(Map<TopicPartition, LogBounds> bounds) {

    public Reply {
      bounds = Map.copyOf(bounds);
    }
  }
}
