package io.vmm.bus;

/**
 * A source topic the flow mirrors.
 *
 * @param topic      source topic name
 * @param remote     remote (target-side) topic name, e.g. {@code A.orders}
 * @param partitions the source topic's partition count
 */
public record TopicInfo(String topic, String remote, int partitions) {
}
