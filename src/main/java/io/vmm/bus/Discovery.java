package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What topic discovery found: the reply to {@link Addresses#discover} and the body published on
 * {@link Addresses#topicsChanged}. Immutable.
 *
 * @param topics         every replicated topic, sorted by name
 * @param progressStored false when the progress topic is new or empty (nothing to read back)
 * @param recreated      source topics deleted and recreated since the previous look (new topic ID)
 * @param bounds         log bounds of every partition of {@code topics}
 * @param remoteLimits   remote topic to its {@code max.message.bytes} on the target (the largest record batch it
 *                       accepts, bytes); a topic whose limit could not be read is absent
 */
public record Discovery(List<TopicInfo> topics, boolean progressStored, List<String> recreated,
                        Map<TopicPartition, LogBounds> bounds, Map<String, Integer> remoteLimits) {

  public Discovery {
    topics = List.copyOf(topics);
    recreated = List.copyOf(recreated);
    bounds = Map.copyOf(bounds);
    remoteLimits = Map.copyOf(remoteLimits);
  }

  /** A discovery without known remote limits. */
  public Discovery(List<TopicInfo> topics, boolean progressStored, List<String> recreated,
                   Map<TopicPartition, LogBounds> bounds) {
    this(topics, progressStored, recreated, bounds, Map.of());
  }

  /** The remote topic with the smallest {@code max.message.bytes} (ties: the first name), or null when none is known. */
  public Map.Entry<String, Integer> smallestRemoteLimit() {
    return smallest(remoteLimits);
  }

  /** The entry of {@code limits} with the smallest value (ties: the first name), or null when empty. */
  public static Map.Entry<String, Integer> smallest(Map<String, Integer> limits) {
    return limits.entrySet().stream()
        .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .orElse(null);
  }

  /** Every partition of {@link #topics}, in topic then partition order. */
  public List<TopicPartition> partitions() {
    List<TopicPartition> out = new ArrayList<>();
    for (TopicInfo t : topics) {
      for (int p = 0; p < t.partitions(); p++) {
        out.add(new TopicPartition(t.topic(), p));
      }
    }
    return out;
  }
}
