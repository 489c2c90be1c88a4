package io.vmm.bus;

/**
 * A source partition's log bounds when discovery looked.
 *
 * @param start the log start offset (first offset still held)
 * @param end   the log end offset (next offset the source will write)
 */
public record LogBounds(long start, long end) {
}
