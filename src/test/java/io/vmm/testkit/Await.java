package io.vmm.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polling helpers for tests: the only place where test code waits.
 *
 * <p>Both methods evaluate the condition/supplier immediately and then every 50 ms on the
 * calling thread until it succeeds or the timeout expires. Exceptions thrown by the
 * condition/supplier are not swallowed: they propagate at once. Deliberately free of JUnit
 * classes so it also works from plain {@code main} tools (see {@code io.vmm.quickstart}).
 */
public final class Await {

    /** Poll interval. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private Await() {
    }

    /**
     * Blocks until {@code condition} returns {@code true}.
     *
     * @param what      human-readable description of the awaited state, used in the failure message
     * @param timeout   how long to wait at most
     * @param condition polled every 50 ms on the calling thread
     * @throws AssertionError {@code "timed out after <timeout> waiting for <what>"} when the timeout expires
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        value(what, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /**
     * Blocks until {@code supplier} returns a non-null value and returns it.
     *
     * @param what     human-readable description of the awaited value, used in the failure message
     * @param timeout  how long to wait at most
     * @param supplier polled every 50 ms on the calling thread; {@code null} means "not yet"
     * @return the first non-null value
     * @throws AssertionError {@code "timed out after <timeout> waiting for <what>"} when the timeout expires
     */
    public static <T> T value(String what, Duration timeout, Supplier<T> supplier) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = supplier.get();
            if (v != null) {
                return v;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new AssertionError("timed out after " + format(timeout) + " waiting for " + what);
            }
            try {
                Thread.sleep(Math.max(1, Math.min(POLL_INTERVAL.toMillis(), remaining / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
