package io.vmm.source;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Deals source partitions to tasks as MM2's {@code MirrorSourceConnector.taskConfigs} does: over the list
 * sorted by topic then partition, partition {@code i} goes to task {@code i % n} with
 * {@code n = min(tasksMax, #partitions)}.
 */
public final class PartitionAssigner {

  private PartitionAssigner() {
  }

  /** Groups, one per task, each sorted; no empty group; empty input gives no groups. */
  public static List<List<TopicPartition>> assign(List<TopicPartition> partitions, int tasksMax) {
    List<TopicPartition> sorted = new ArrayList<>(partitions);
    sorted.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    int n = Math.min(tasksMax, sorted.size());
    List<List<TopicPartition>> groups = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      groups.add(new ArrayList<>());
    }
    for (int i = 0; i < sorted.size(); i++) {
      groups.get(i % n).add(sorted.get(i));
    }
    return groups;
  }
}
