package io.vmm.source;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
