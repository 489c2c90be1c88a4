package io.vmm.source;

import io.vmm.bus.Discovery;
import io.vmm.bus.TopicInfo;

import java.util.HashMap;
import java.util.Map;

/**
 * When a topic refresh is news for the flow (MM2's {@code MirrorSourceConnector} reconfigures on new topics or
 * partitions): a replicated topic or partitions were added, or a source topic was deleted and recreated. A
 * topic that disappeared, or fewer partitions, is not news (partitions are never removed from a mirror). Pure
 * functions.
 */
final class TopicChanges {

  private TopicChanges() {
  }

  /** Source topic to partition count of every topic in {@code discovery}. */
  static Map<String, Integer> partitionCounts(Discovery discovery) {
    Map<String, Integer> counts = new HashMap<>();
    for (TopicInfo t : discovery.topics()) {
      counts.put(t.topic(), t.partitions());
    }
    return counts;
  }

  /** True if {@code now} has a topic, or more partitions of a topic, than {@code before}. */
  static boolean grew(Map<String, Integer> before, Map<String, Integer> now) {
    return now.entrySet().stream().anyMatch(e -> e.getValue() > before.getOrDefault(e.getKey(), 0));
  }

  /** True if a refresh that found {@code now}, after {@code known} was last reported, must be published. */
  static boolean isNews(Map<String, Integer> known, Discovery now) {
    return !now.recreated().isEmpty() || grew(known, partitionCounts(now));
  }
}
