package io.vmm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmark reads about processes and the machine, all from {@code /proc} (Linux) or
 * {@link ProcessHandle}: CPU seconds of a process, peak and sampled resident memory ({@code VmHWM}, {@code VmRSS}),
 * the whole machine's busy CPU seconds ({@code /proc/stat}), CPU snapshots and the CPU shares of a measured window,
 * the load average (and whether the machine is too busy before a start), and the machine facts of the header
 * (memory, CPU model, file system type, Java version).
 *
 * <p>Never throws for a missing {@code /proc} entry: the figure is then NaN or "?". Stateless static helpers and
 * thread-safe except {@link RssSampler} (see there).
 */
final class ProcessStats {

    private ProcessStats() {
    }

    private static volatile List<String> cachedJavaVersion;

    /**
     * CPU seconds of a process and its live descendants (our jar without JVM flags runs the mirror in a child JVM
     * of its launcher, {@code io.vmm.launch}).
     */
    static double cpuSeconds(Process p) {
        if (p == null) {
            return 0;
        }
        return tree(p.pid()).stream().mapToDouble(h -> h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9)
                .orElse(0.0)).sum();
    }

    /**
     * VmHWM (peak resident set) of a live process plus that of each live descendant, MB: with a launcher the sum of
     * both JVMs' peaks (an upper bound of their peak together).
     */
    static double vmHwmMb(long pid) {
        return treeKb(pid, "VmHWM:") / 1024.0;
    }

    /** The process {@code pid} (if alive) and its live descendants. */
    static List<ProcessHandle> tree(long pid) {
        return ProcessHandle.of(pid).map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h),
                h.descendants()).toList()).orElse(List.of());
    }

    /** {@code key} of /proc/PID/status summed over {@link #tree}, kB; NaN when the process is gone. */
    static double treeKb(long pid, String key) {
        double sum = Double.NaN;
        for (ProcessHandle h : tree(pid)) {
            double kb = statusKb(h.pid(), key);
            if (!Double.isNaN(kb)) {
                sum = Double.isNaN(sum) ? kb : sum + kb;
            }
        }
        return sum;
    }

    static double statusKb(long pid, String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith(key)) {
                    return Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone
        }
        return Double.NaN;
    }

/**
 * Samples VmRSS of a process and its descendants ({@link #treeKb}) every 200 ms on a daemon thread and keeps the
 * maximum (cross-check of VmHWM).
 * {@link #start} and {@link #stop} from one thread; {@link #maxMb} after {@link #stop}.
 */
static final class RssSampler {
    private final long pid;
    private volatile boolean stop;
    private volatile double maxKb;
    private final Thread thread;

    RssSampler(long pid) {
        this.pid = pid;
        this.thread = new Thread(this::loop, "bench-rss-" + pid);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (!stop) {
            double kb = treeKb(pid, "VmRSS:");
            if (!Double.isNaN(kb) && kb > maxKb) {
                maxKb = kb;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void stop() throws InterruptedException {
        double kb = treeKb(pid, "VmRSS:");
        if (!Double.isNaN(kb) && kb > maxKb) {
            maxKb = kb;
        }
        stop = true;
        thread.interrupt();
        thread.join(1000);
    }

    double maxMb() {
        return maxKb / 1024.0;
    }
}

    /** CPU seconds used so far by the contender, the brokers, this JVM and the whole machine (/proc/stat). */
    record CpuSnapshot(long nanoTime, double contender, double brokers, double self, double machine) {

        /** Takes a snapshot now. */
        static CpuSnapshot take(Process contender, Clusters clusters) {
            return new CpuSnapshot(System.nanoTime(), cpuSeconds(contender), clusters.brokersCpu(),
                    ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN),
                    machineBusySeconds());
        }
    }

    /** Sets the CPU figures of a measured window, each in % of one core. */
    static void cpuWindow(Result r, CpuSnapshot a, CpuSnapshot b) {
        if (a == null || b == null || b.nanoTime() <= a.nanoTime()) {
            return;
        }
        double window = (b.nanoTime() - a.nanoTime()) / 1e9;
        r.cpuPct = 100 * (b.contender() - a.contender()) / window;
        r.brokersPct = 100 * (b.brokers() - a.brokers()) / window;
        r.selfPct = 100 * (b.self() - a.self()) / window;
        double machine = 100 * (b.machine() - a.machine()) / window;
        r.othersPct = Math.max(0, machine - r.cpuPct - r.brokersPct - r.selfPct);
        r.busy = r.othersPct > BUSY_OTHERS_PCT;
    }

    /** Busy CPU seconds of the whole machine since boot: /proc/stat user+nice+system+irq+softirq+steal (USER_HZ 100). */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[]{1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The 1-, 5- and 15-minute load averages ({@code /proc/loadavg}), e.g. "0.91 1.34 1.35", or "?". */
    static String loadAvg() {
        return loadAvgText(loadAvgFields());
    }

    private static String loadAvgText(String[] f) {
        return f == null ? "?" : f[0] + " " + f[1] + " " + f[2];
    }

    private static String[] loadAvgFields() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f.length >= 3 ? f : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Other processes' CPU in a measured window (% of one core) above which a row is "busy": something else
     * competed for the cores, so its figures are not comparable.
     */
    static final double BUSY_OTHERS_PCT = 20;

    /**
     * Prints the load average just before a contender starts (information only: its 1-minute value still holds
     * the previous contender's run; whether a row was disturbed is decided on the measured window, see
     * {@link #BUSY_OTHERS_PCT}).
     */
    static void printLoadBeforeStart() {
        System.out.printf("  load avg before start: %s%n", loadAvgText(loadAvgFields()));
    }

    static String fileSystemType(Path dir) {
        try {
            Path p = dir.toAbsolutePath();
            while (p != null && !Files.exists(p)) {
                p = p.getParent();
            }
            return p == null ? "?" : Files.getFileStore(p).type();
        } catch (IOException e) {
            return "?";
        }
    }

    static String memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(l.substring(9).trim().split("\\s+")[0]);
                    return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "?";
    }

    static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "cpu ?";
    }
    /** The lines of {@code java -version} of the JVM the children run on (cached). */
    static List<String> javaVersion() throws IOException, InterruptedException {
        if (cachedJavaVersion == null) {
            Process p = new ProcessBuilder(Bench.JAVA, "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            cachedJavaVersion = out.lines().filter(l -> !l.isBlank()).toList();
        }
        return cachedJavaVersion;
    }
}
