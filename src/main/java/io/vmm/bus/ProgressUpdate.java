package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * Progress to store for a flow: per source partition, the upstream offset of the last record written to the
 * target with every earlier record written too (MM2's source offset; resume at this + 1). Reply: empty on
 * success, failure when the target did not acknowledge every progress record.
 *
 * @param sourceAlias   the flow's source cluster alias ({@code cluster} in MM2's key)
 * @param lastWritten   upstream offset per partition, at least 0; immutable
 */
public record ProgressUpdate(String sourceAlias, Map<TopicPartition, Long> lastWritten) {
}
