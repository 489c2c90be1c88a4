package io.vmm.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every child process of a benchmark run (brokers, their format tool, contenders): starts them, stops one
 * (SIGTERM, then SIGKILL after a grace period) and, from the shutdown hook, kills all that still run.
 *
 * <p>Thread-safe: the orchestrator's main thread starts and stops children; the shutdown hook ({@link #killAll})
 * runs on its own thread. Once shutting down, {@link #start} refuses with an {@link IllegalStateException}.
 */
final class ChildProcesses {

    private final Set<Process> children = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();

    /** True once the shutdown hook ran (Ctrl-C, SIGTERM or the JVM's exit). */
    boolean shuttingDown() {
        return shuttingDown.get();
    }

    /** Starts {@code pb} and tracks the process. @throws IllegalStateException when shutting down */
    Process start(ProcessBuilder pb) throws IOException {
        synchronized (children) {
            if (shuttingDown.get()) {
                throw new IllegalStateException("shutting down");
            }
            Process p = pb.start();
            children.add(p);
            return p;
        }
    }

    /** Stops tracking a process that ended on its own (e.g. the storage format tool). */
    void forget(Process p) {
        children.remove(p);
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. @return exit code, or null if unknown */
    Integer stop(Process p, Duration grace) {
        try {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
            return p.isAlive() ? null : p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return null;
        } finally {
            children.remove(p);
        }
    }

    /** Shutdown hook (Ctrl-C, SIGTERM, and normal exit): kill every child still running. */
    void killAll() {
        synchronized (children) {
            shuttingDown.set(true);
        }
        List<Process> alive = children.stream().filter(Process::isAlive).toList();
        if (alive.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("stopping " + alive.size() + " child process(es) ...");
        for (Process p : alive) {
            p.destroyForcibly();
        }
        for (Process p : alive) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
