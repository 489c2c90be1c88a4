package io.vmm.source;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PartitionAssigner: {@code assign} deals the sorted partitions round-robin as MM2 does; {@code stable} gives
 * exactly {@code tasksMax} sorted groups, a topic's partitions on consecutive tasks, and never moves a
 * partition when partitions or topics are added; {@code taskOf} is pinned, as replicas of different versions
 * must agree on it.
 */
class PartitionAssignerTest {

  static TopicPartition tp(String t, int p) {
    return new TopicPartition(t, p);
  }

  @Test
  void roundRobinOverSortedList() {
    List<List<TopicPartition>> groups = PartitionAssigner.assign(
        List.of(tp("b", 0), tp("a", 1), tp("a", 0), tp("b", 1), tp("a", 2)), 2);
    assertEquals(List.of(List.of(tp("a", 0), tp("a", 2), tp("b", 1)), List.of(tp("a", 1), tp("b", 0))), groups);
  }

  @Test
  void neverMoreGroupsThanPartitions() {
    assertEquals(2, PartitionAssigner.assign(List.of(tp("a", 0), tp("a", 1)), 8).size());
    assertEquals(0, PartitionAssigner.assign(List.of(), 8).size());
  }

  private static List<TopicPartition> partitions(String topic, int count) {
    return IntStream.range(0, count).mapToObj(p -> tp(topic, p)).toList();
  }

  private static int groupOf(List<List<TopicPartition>> groups, TopicPartition tp) {
    for (int g = 0; g < groups.size(); g++) {
      if (groups.get(g).contains(tp)) {
        return g;
      }
    }
    throw new AssertionError(tp + " in no group");
  }

  @Test
  void stableGivesExactlyTasksMaxGroups() {
    assertEquals(8, PartitionAssigner.stable(List.of(tp("a", 0), tp("a", 1)), 8).size());
    assertEquals(3, PartitionAssigner.stable(List.of(), 3).size());
    assertTrue(PartitionAssigner.stable(List.of(), 3).stream().allMatch(List::isEmpty));
    assertEquals(1, PartitionAssigner.stable(partitions("a", 5), 1).size());
    assertEquals(partitions("a", 5), PartitionAssigner.stable(partitions("a", 5), 1).get(0));
  }

  @Test
  void stableGroupsEachPartitionOnceInTheGroupOfTaskOf() {
    List<TopicPartition> all = new ArrayList<>(partitions("orders", 7));
    all.addAll(partitions("payments", 3));
    all.addAll(partitions("a", 1));
    List<List<TopicPartition>> groups = PartitionAssigner.stable(all, 4);
    assertEquals(all.size(), groups.stream().mapToInt(List::size).sum());
    for (TopicPartition tp : all) {
      assertEquals(PartitionAssigner.taskOf(tp, 4), groupOf(groups, tp), tp.toString());
    }
  }

  @Test
  void stablePutsATopicsPartitionsOnConsecutiveTasks() {
    List<List<TopicPartition>> groups = PartitionAssigner.stable(partitions("orders", 10), 4);
    int first = groupOf(groups, tp("orders", 0));
    for (int p = 0; p < 10; p++) {
      assertEquals((first + p) % 4, groupOf(groups, tp("orders", p)), "partition " + p);
    }
  }

  @Test
  void stableSpreadsOneTopicEvenly() {
    for (String topic : List.of("orders", "payments", "a", "A.t")) {
      for (int tasks = 1; tasks <= 6; tasks++) {
        for (int count = 0; count <= 13; count++) {
          List<Integer> sizes = PartitionAssigner.stable(partitions(topic, count), tasks).stream()
              .map(List::size).toList();
          int max = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
          int min = sizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
          assertTrue(max - min <= 1, topic + " " + count + " over " + tasks + ": " + sizes);
        }
      }
    }
  }

  @Test
  void stableNeverMovesAPartitionWhenPartitionsOrTopicsAreAdded() {
    List<TopicPartition> before = new ArrayList<>(partitions("orders", 3));
    before.addAll(partitions("payments", 2));
    List<List<TopicPartition>> old = PartitionAssigner.stable(before, 5);

    List<TopicPartition> after = new ArrayList<>(partitions("payments", 6)); // more partitions
    after.addAll(partitions("orders", 3));
    after.addAll(partitions("audit", 4)); // a new topic, sorting before the others
    after.addAll(partitions("zeta", 1));
    List<List<TopicPartition>> now = PartitionAssigner.stable(after, 5);

    for (TopicPartition tp : before) {
      assertEquals(groupOf(old, tp), groupOf(now, tp), tp.toString());
    }
    for (int g = 0; g < 5; g++) {
      assertTrue(now.get(g).containsAll(old.get(g)), "group " + g);
    }
  }

  @Test
  void stableGroupsAreSorted() {
    List<TopicPartition> all = new ArrayList<>();
    for (String topic : List.of("zeta", "b", "orders", "a", "payments")) {
      all.addAll(partitions(topic, 9));
    }
    Collections.shuffle(all, new Random(42));
    Comparator<TopicPartition> order = Comparator.comparing(TopicPartition::topic)
        .thenComparingInt(TopicPartition::partition);
    for (List<TopicPartition> group : PartitionAssigner.stable(all, 4)) {
      List<TopicPartition> sorted = new ArrayList<>(group);
      sorted.sort(order);
      assertEquals(sorted, group);
    }
  }

  /**
   * The values of {@code taskOf} are part of the protocol between replicas (of possibly different versions):
   * each computes the groups on its own, so they must never change. FNV-1a 32-bit of the topic's UTF-8 bytes,
   * plus the partition, floor mod tasksMax; includes topics whose hash is negative as an int.
   */
  @Test
  void taskOfIsPinned() {
    assertEquals(0, PartitionAssigner.taskOf(tp("orders", 0), 4));
    assertEquals(3, PartitionAssigner.taskOf(tp("orders", 3), 4));
    assertEquals(3, PartitionAssigner.taskOf(tp("orders", 0), 7));
    assertEquals(1, PartitionAssigner.taskOf(tp("payments", 5), 3));
    assertEquals(4, PartitionAssigner.taskOf(tp("a", 0), 8));
    assertEquals(3, PartitionAssigner.taskOf(tp("A.t", 2), 5));
  }

  @Test
  void taskOfIsWithinRange() {
    for (String topic : List.of("orders", "payments", "a", "A.t", "\u00e9t\u00e9")) {
      for (int tasks = 1; tasks <= 9; tasks++) {
        for (int p = 0; p < 20; p++) {
          int t = PartitionAssigner.taskOf(tp(topic, p), tasks);
          assertTrue(t >= 0 && t < tasks, topic + "-" + p + " over " + tasks + ": " + t);
        }
      }
    }
  }
}
