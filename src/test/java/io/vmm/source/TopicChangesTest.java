package io.vmm.source;

import io.vmm.bus.Discovery;
import io.vmm.bus.TopicInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A refresh is published for new topics, more partitions or a recreated topic; never for fewer. */
class TopicChangesTest {

  static Discovery discovery(List<String> recreated, TopicInfo... topics) {
    return new Discovery(List.of(topics), true, recreated, Map.of());
  }

  @Test
  void newsIsGrowthOrRecreation() {
    Map<String, Integer> known = Map.of("a", 2, "b", 1);
    assertEquals(known, TopicChanges.partitionCounts(discovery(List.of(), new TopicInfo("a", "A.a", 2),
        new TopicInfo("b", "A.b", 1))));
    assertFalse(TopicChanges.isNews(known, discovery(List.of(), new TopicInfo("a", "A.a", 2),
        new TopicInfo("b", "A.b", 1))), "unchanged");
    assertFalse(TopicChanges.isNews(known, discovery(List.of(), new TopicInfo("a", "A.a", 2))), "a topic gone");
    assertTrue(TopicChanges.isNews(known, discovery(List.of(), new TopicInfo("a", "A.a", 3),
        new TopicInfo("b", "A.b", 1))), "partitions added");
    assertTrue(TopicChanges.isNews(known, discovery(List.of(), new TopicInfo("a", "A.a", 2),
        new TopicInfo("c", "A.c", 1))), "a new topic, even with one gone");
    assertTrue(TopicChanges.isNews(known, discovery(List.of("b"), new TopicInfo("a", "A.a", 2),
        new TopicInfo("b", "A.b", 1))), "recreated");
  }
}
