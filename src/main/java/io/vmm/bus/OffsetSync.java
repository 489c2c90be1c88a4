package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

/**
 * An offset sync (MM2's {@code OffsetSync}): upstream record {@code upstreamOffset} of {@code upstream} is at
 * {@code downstreamOffset} in the remote partition. Both are record offsets (not "next to read").
 */
public record OffsetSync(TopicPartition upstream, long upstreamOffset, long downstreamOffset) {
}
