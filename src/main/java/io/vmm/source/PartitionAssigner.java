package io.vmm.source;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Deals source partitions to tasks (partition groups).
 * <ul>
 *   <li>{@link #assign} (one replica): as MM2's {@code MirrorSourceConnector.taskConfigs}: over the list sorted
 *       by topic then partition, partition {@code i} goes to task {@code i % n} with
 *       {@code n = min(tasksMax, #partitions)}. Partitions found later are added by the caller.</li>
 *   <li>{@link #stable} (cluster mode): partition {@code p} of topic {@code t} goes to task
 *       {@code (hash(t) + p) mod tasksMax}. A pure function of the partition, so every replica computes the same
 *       groups from whatever topic list it has seen, and a partition never changes group when topics or
 *       partitions are added. A topic's partitions are dealt round-robin from a topic-dependent first task; many
 *       single-partition topics spread by hash, so groups can differ in size by a few partitions.</li>
 * </ul>
 */
public final class PartitionAssigner {

  private PartitionAssigner() {
  }

  /** The task of {@code tp} in {@link #stable} assignment over {@code tasksMax} tasks. */
  public static int taskOf(TopicPartition tp, int tasksMax) {
    int h = 0x811c9dc5;
    for (byte b : tp.topic().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x01000193; // FNV-1a: stable across JVMs (part of the assignment protocol)
    }
    return (int) Math.floorMod((long) h + tp.partition(), (long) tasksMax);
  }

  /** Exactly {@code tasksMax} groups (some possibly empty), each sorted, by {@link #taskOf}. */
  public static List<List<TopicPartition>> stable(List<TopicPartition> partitions, int tasksMax) {
    List<List<TopicPartition>> groups = new ArrayList<>(tasksMax);
    for (int i = 0; i < tasksMax; i++) {
      groups.add(new ArrayList<>());
    }
    List<TopicPartition> sorted = new ArrayList<>(partitions);
    sorted.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    sorted.forEach(tp -> groups.get(taskOf(tp, tasksMax)).add(tp));
    return groups;
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
