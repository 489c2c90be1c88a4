package io.vmm.bench;

import io.vmm.bench.BenchOptions.Mode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.vmm.bench.BenchOptions.exactlyOnce;
import static io.vmm.bench.BenchOptions.kind;

/**
 * Benchmark of issue 3: our mirror ("vmm") against Apache MirrorMaker 2 ("mm2", dedicated mode) and a hand-written
 * one-thread consume/produce loop ("plain", {@link PlainLoop}, with our mirror's own client settings,
 * {@link LoopSettings}; "plain-defaults" runs it with kafka-clients defaults), one after another, each on freshly
 * wiped clusters.
 * This class is the orchestration only: checks, the header, the rounds of contenders, the tables, clean-up and the
 * exit code (0 when every row is "ok" or "busy", 1 otherwise, 130 when interrupted).
 *
 * <pre>
 * bench/run [--mode throughput|latency|partitions] [--records N] [--size BYTES] [--partitions P] [--tasks T]
 *           [--contenders vmm,mm2,plain,plain-defaults] [--rate R] [--seconds S] [--warmup S] [--topics K]
 *           [--vmm-jvm "FLAGS"] [--mm2-jvm "FLAGS"] [--plain-jvm "FLAGS"] [--mm2-prop KEY=VALUE]... [--timeout S]
 *           [--poll-ms MS] [--rounds N]
 * </pre>
 *
 * Run it from the project directory after {@code mvn -DskipTests package} and the MM2 class path step; bench/run does
 * both. See bench/README.md for what is measured and how. Roles: {@link BenchOptions} (options), {@link Clusters}
 * and {@link Broker} (the KRaft brokers), {@link Contenders} (the measured child processes), {@link ThroughputRun}
 * and {@link LatencyRun} (one {@link Measurement}), {@link ProcessStats} (CPU, memory, load), {@link ResultTable},
 * {@link RoundMedians} and {@link EosTargets} (the output), {@link ChildProcesses} (every child process).
 *
 * <p>Not a JUnit test (the name matches neither *Test nor *IT); everything runs as child processes on 127.0.0.1:
 * broker A on 19092 (controller 19093), broker B on 29092 (controller 29093), and the contender. Blocking, on the
 * main thread; a shutdown hook kills every child on Ctrl-C or SIGTERM.
 */
public final class Bench {

    // ------------------------------------------------------------------------------------------ constants

    static final String HOST = "127.0.0.1";
    static final Path BENCH_DIR = Path.of("target", "bench");
    static final Path LOG_DIR = BENCH_DIR.resolve("logs");
    static final Path VMM_JAR = Path.of("target", "vertx-mirror-maker.jar");
    static final Path TEST_CLASSES = Path.of("target", "test-classes");
    static final Path TEST_CLASSPATH = Path.of("target", "test.classpath");
    static final Path MM2_CLASSPATH = Path.of("target", "mm2.classpath");
    static final Path MM2_LOG4J = Path.of("bench", "mm2", "log4j2.properties");
    static final String SOURCE_ALIAS = "A";
    static final Duration BROKER_READY_TIMEOUT = Duration.ofSeconds(90);
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SETTLE = Duration.ofSeconds(2);
    static final Duration STOP_GRACE = Duration.ofSeconds(15);
    static final String MEASURE_HEADER = "m";
    /** Exactly-once: how long the target's committed end offsets must stand still before the records are counted. */
    static final Duration EOS_QUIET = Duration.ofSeconds(1);
    static final Duration COUNT_TIMEOUT = Duration.ofSeconds(120);
    /** The java launcher of this JVM, for every child. */
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    // ------------------------------------------------------------------------------------------ state

    private final BenchOptions opt;
    private final ChildProcesses children = new ChildProcesses();
    private final Clusters clusters;
    private final Contenders contenders;
    private final Measurement measurement;
    private final ResultTable table;

    Bench(BenchOptions opt) throws IOException {
        this.opt = opt;
        String classpath = TEST_CLASSES + ":" + Files.readString(TEST_CLASSPATH).trim();
        this.clusters = new Clusters(opt, classpath, children);
        this.contenders = new Contenders(opt, clusters, children, classpath);
        this.measurement = Measurement.of(opt, clusters, contenders, children);
        this.table = new ResultTable(opt, contenders::commitMs);
    }

    public static void main(String[] args) {
        BenchOptions o = BenchOptions.parse(args);
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(TEST_CLASSPATH)) {
            missing.add(TEST_CLASSPATH + " (mvn -DskipTests package)");
        }
        if (o.contenders.stream().anyMatch(BenchOptions::ours) && !Files.isRegularFile(VMM_JAR)) {
            missing.add(VMM_JAR + " (mvn -DskipTests package)");
        }
        if (o.contenders.stream().anyMatch(BenchOptions::mm2) && !Files.isRegularFile(MM2_CLASSPATH)) {
            missing.add(MM2_CLASSPATH + " (mvn -f bench/mm2/pom.xml dependency:build-classpath)");
        }
        if (!missing.isEmpty()) {
            System.err.println("error: run from the project directory, through bench/run; missing: " + String.join(", ", missing));
            System.exit(1);
        }
        for (int port : new int[]{19092, 19093, 29092, 29093}) {
            if (!portFree(port)) {
                System.err.println("error: " + HOST + ":" + port + " is in use; the benchmark needs ports 19092, 19093, "
                        + "29092 and 29093 (is another benchmark running?)");
                System.exit(1);
            }
        }
        int code;
        try {
            code = new Bench(o).run();
        } catch (Exception e) {
            System.err.println("error: " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    // ------------------------------------------------------------------------------------------ run

    /**
     * Runs the contender list {@code --rounds} times, round after round, each contender on fresh clusters; prints
     * each round's table (the last one after the clean-up) and, with more than one round, the medians.
     */
    int run() throws Exception {
        if (opt.contenders.stream().anyMatch(BenchOptions::exactlyOnce)) {
            contenders.ourCommitRules(); // fails fast (before any broker starts) if our commit rules cannot be read
        }
        Files.createDirectories(LOG_DIR);
        Runtime.getRuntime().addShutdownHook(new Thread(children::killAll, "bench-shutdown"));
        printHeader();

        List<List<Result>> rounds = new ArrayList<>();
        try {
            for (int k = 1; k <= opt.rounds && !children.shuttingDown(); k++) {
                if (k > 1) {
                    System.out.println();
                    printRoundTable(rounds, k - 1);
                }
                rounds.add(runRound(k));
            }
        } finally {
            if (!children.shuttingDown()) {
                clusters.stopAndDelete();
            }
        }
        if (children.shuttingDown()) {
            return 130;
        }
        System.out.println();
        printRoundTable(rounds, opt.rounds);
        if (opt.rounds > 1) {
            System.out.println();
            new RoundMedians(table).print(rounds);
        }
        return rounds.stream().flatMap(List::stream).allMatch(Result::counted) ? 0 : 1;
    }

    /** One round: every contender in order (stops early when shutting down). */
    private List<Result> runRound(int k) {
        List<Result> results = new ArrayList<>();
        String round = opt.rounds > 1 ? " (round " + k + " of " + opt.rounds + ")" : "";
        for (String c : opt.contenders) {
            if (children.shuttingDown()) {
                break;
            }
            System.out.println();
            System.out.println("=== " + c + round + " " + "=".repeat(Math.max(3, 70 - c.length() - round.length())));
            Result r;
            try {
                r = measurement.run(c);
                r.markBusy();
            } catch (Exception e) {
                if (children.shuttingDown()) {
                    break;
                }
                System.out.println("  FAILED: " + e);
                r = new Result(c);
                r.status = "error: " + e.getClass().getSimpleName();
            } finally {
                contenders.stopCurrent();
            }
            results.add(r);
        }
        return results;
    }

    private void printRoundTable(List<List<Result>> rounds, int k) throws IOException, InterruptedException {
        table.print(rounds.get(k - 1), opt.rounds > 1 ? "RESULTS round " + k + " of " + opt.rounds : "RESULTS");
    }

    private void printHeader() throws IOException, InterruptedException {
        System.out.println("Vert.x MirrorMaker benchmark (issue 3)  " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19));
        System.out.println("machine   nproc " + Runtime.getRuntime().availableProcessors() + ", MemTotal " + ProcessStats.memTotal()
                + ", " + ProcessStats.cpuModel());
        for (String l : ProcessStats.javaVersion()) {
            System.out.println("java      " + l);
        }
        String what = switch (opt.mode) {
            case THROUGHPUT -> String.format("%,d records x %,d B in topic bench (%d partitions), loaded before start", opt.records(), opt.size, opt.partitions());
            case PARTITIONS -> String.format("%,d records x %,d B in %d topics bench-0..bench-%d x %d partitions = %,d partitions, loaded before start",
                    opt.records(), opt.size, opt.topics, opt.topics - 1, opt.partitions(), opt.totalPartitions());
            case LATENCY -> String.format("%,d rec/s x %,d B to topic bench (%d partitions) for %d s warm-up + %d s measured",
                    opt.rate, opt.size, opt.partitions(), opt.warmup, opt.seconds);
        };
        System.out.println("mode      " + opt.mode.name().toLowerCase(Locale.ROOT) + ": " + what);
        System.out.println("data      " + (opt.compressed()
                ? "JSON-like text values, produced with compression.type " + opt.codec + " (--codec)"
                : "values half random bytes, half fixed text, uncompressed (--codec none)"));
        printMirrors();
        if (opt.rounds > 1) {
            System.out.println("rounds    " + opt.rounds + " (the whole contender list, round after round; medians at the end)");
        }
        System.out.println("tasks     " + opt.tasks + " (our tasksMax, MM2 tasks.max)");
        Contenders.CommitRules rules = opt.contenders.stream().anyMatch(BenchOptions::exactlyOnce) ? contenders.ourCommitRules() : null;
        System.out.println("delivery  " + opt.contenders.stream().map(c -> c + (exactlyOnce(c) ? " (exactly-once)" : " (at-least-once)"))
                .collect(Collectors.joining(", "))
                + (rules != null
                ? String.format("; exactly-once commit interval %,d ms (ours and the transactional loop's%s), early at %,d records"
                        + " or %,d bytes in a partition or %,d bytes in all (ours per task, the loop's in its one transaction);"
                        + " MM2: its default, a transaction per task poll; target records counted with a read_committed consumer",
                        contenders.commitMs(), opt.commitMs == null ? ", our default" : "", rules.partitionRecords(),
                        rules.partitionBytes(), rules.taskBytes())
                : ""));
        printLoops();
        System.out.println("jvm       vmm \"" + opt.vmmJvm + "\", mm2 \"" + opt.mm2Jvm + "\", plain \"" + opt.plainJvm + "\"");
        System.out.println("brokers   A " + HOST + ":19092, B " + HOST + ":29092 (KRaft 4.1.1, child JVMs, -Xmx768m), wiped before each contender");
        String fs = ProcessStats.fileSystemType(opt.dataDir);
        System.out.println("dirs      " + clusters.a.dir + ", " + clusters.b.dir + " (" + fs + ")");
        if (opt.mode == Mode.PARTITIONS && !fs.equals("tmpfs")) {
            System.out.println("note      partitions mode on a disk: on this kind of VM the first write through mmap into each new index"
                    + " file costs the broker ~10-20 ms, paid only by contenders that append more than one batch per partition;"
                    + " --data-dir /dev/shm/vmm-bench (tmpfs) removes it (bench/README.md)");
        }
        System.out.println("logs      " + LOG_DIR);
    }

    /** Header lines of the pass-through and compressing MM2 contenders in the run; nothing without them. */
    private void printMirrors() {
        if (opt.contenders.stream().anyMatch(c -> kind(c).equals(BenchOptions.VMM_BATCH))) {
            System.out.println("vmm-batch our jar as vmm (\"vmm.data.path\": \"record\"), but \"batch\" in the source connector's config"
                    + " (batch pass-through: record batches written unchanged, still compressed)");
        }
        if (opt.contenders.stream().anyMatch(c -> kind(c).equals(BenchOptions.MM2_COMPRESSED))) {
            System.out.println("mm2-compressed  MM2 as mm2, plus B.producer.compression.type = " + opt.codec
                    + " (mm2 itself writes uncompressed: MM2's default)");
        }
    }

    /**
     * Header lines of the hand-written loops in the run: the tuned loop's client settings (ours, read through our
     * config parser) and that {@code plain-defaults} uses kafka-clients defaults; nothing without a loop.
     */
    private void printLoops() {
        List<String> kinds = opt.contenders.stream().filter(BenchOptions::plainLoop).map(BenchOptions::kind).distinct().toList();
        if (kinds.contains(BenchOptions.PLAIN)) {
            System.out.println("plain     our mirror's client settings (io.vmm.config.ClusterSpec, read through our config parser): "
                    + contenders.tunedLoopSettings().summary()
                    + (opt.compressed() ? " (compression.type " + opt.codec + " from --codec: a hand-written loop keeps the data's compression)" : "")
                    + (opt.contenders.contains(BenchOptions.PLAIN + BenchOptions.EOS_SUFFIX)
                    ? "; plain-eos: the same, with our exactly-once ones (read_committed, transactional producer)" : ""));
        }
        if (kinds.contains(BenchOptions.PLAIN_DEFAULTS)) {
            System.out.println("plain-defaults  the same loop with kafka-clients defaults (16 KB batches, 500 records per poll,"
                    + " 50 MB per fetch), acks=all; NOT the anchor: \"vs plain\" ratios are against the tuned plain loop");
        }
    }

    // ------------------------------------------------------------------------------------------ misc

    static void sleepNanos(long nanos) throws InterruptedException {
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
