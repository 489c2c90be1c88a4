package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * Progress to store for a flow: per source partition, the upstream offset of the last record written to the
 * target with every earlier record written too (MM2's source offset; resume at this + 1). Reply: empty on
 * success, failure when the target did not acknowledge every progress record.
 *
 * <p>
 * Exactly-once: the transactional producer answers a batch only after the transaction holding it (and its progress
 * records) committed, so every position in {@code lastWritten} is stored already and the answer comes at once;
 * with {@code commitNow} the open transaction commits first (a stop: the answers still held wait for it).
 *
 * @param sourceAlias   the flow's source cluster alias ({@code cluster} in MM2's key)
 * @param lastWritten   upstream offset per partition, at least 0; immutable
 * @param commitNow     exactly-once only: commit the open transaction before answering (ignored at-least-once)
 */
public record ProgressUpdate(String sourceAlias, Map<TopicPartition, Long> lastWritten, boolean commitNow) {
}
