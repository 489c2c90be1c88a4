package io.vmm.checkpoint;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;

/**
 * The latest checkpoint per consumer group and downstream (remote) partition: read back from the checkpoints
 * topic at start (MM2 KAFKA-15905) and then every checkpoint the target acknowledged. It decides whether a new
 * checkpoint is worth writing ({@link #worthWriting(Checkpointed, long, long)}, the rule of MM2
 * {@code MirrorCheckpointTask}) and feeds the group offset sync.
 * <p>
 * Offsets are as committed: "next offset to read", upstream and downstream. Not thread-safe: owned by the
 * checkpoint verticle's context.
 */
final class CheckpointLedger {

  /** A checkpoint written or read back: the group's committed upstream offset and its downstream translation. */
  record Checkpointed(long upstreamOffset, long downstreamOffset) {
  }

  private final Map<String, Map<TopicPartition, Checkpointed>> latest = new HashMap<>();

  /**
   * Whether a checkpoint (upstream {@code upstreamOffset}, downstream {@code downstreamOffset}) is worth writing
   * after {@code previous}: it is the first (previous null), or the group rewound upstream, or the downstream
   * offset increased. Otherwise a checkpoint would never move backwards nor repeat itself. Pure.
   */
  static boolean worthWriting(Checkpointed previous, long upstreamOffset, long downstreamOffset) {
    return previous == null || upstreamOffset < previous.upstreamOffset()
        || downstreamOffset > previous.downstreamOffset();
  }

  /** {@link #worthWriting(Checkpointed, long, long)} against this ledger's latest for the group and partition. */
  boolean worthWriting(String group, TopicPartition downstream, long upstreamOffset, long downstreamOffset) {
    Map<TopicPartition, Checkpointed> ofGroup = latest.get(group);
    return worthWriting(ofGroup == null ? null : ofGroup.get(downstream), upstreamOffset, downstreamOffset);
  }

  /** Remembers a checkpoint as the latest of its group and partition. */
  void record(String group, TopicPartition downstream, long upstreamOffset, long downstreamOffset) {
    latest.computeIfAbsent(group, g -> new HashMap<>())
        .put(downstream, new Checkpointed(upstreamOffset, downstreamOffset));
  }

  /** The latest checkpoint of a group and partition, or null. */
  Checkpointed get(String group, TopicPartition downstream) {
    Map<TopicPartition, Checkpointed> ofGroup = latest.get(group);
    return ofGroup == null ? null : ofGroup.get(downstream);
  }

  boolean isEmpty() {
    return latest.isEmpty();
  }

  /** A copy: group → downstream partition → downstream offset of its latest checkpoint. */
  Map<String, Map<TopicPartition, Long>> downstreamOffsets() {
    Map<String, Map<TopicPartition, Long>> copy = new HashMap<>();
    latest.forEach((group, partitions) -> {
      Map<TopicPartition, Long> offsets = new HashMap<>();
      partitions.forEach((tp, cp) -> offsets.put(tp, cp.downstreamOffset()));
      copy.put(group, offsets);
    });
    return copy;
  }
}
