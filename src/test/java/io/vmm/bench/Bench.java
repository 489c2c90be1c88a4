package io.vmm.bench;

import io.vertx.core.json.JsonObject;
import io.vmm.config.ConfigParser;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.config.Environment;
import io.vmm.config.MirrorMakerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Benchmark of issue 3: our mirror ("vmm") against Apache MirrorMaker 2 ("mm2", dedicated mode) and a hand-written
 * one-thread consume/produce loop ("plain", {@link PlainLoop}), one after another, each on freshly wiped clusters.
 *
 * <pre>
 * bench/run [--mode throughput|latency|partitions] [--records N] [--size BYTES] [--partitions P] [--tasks T]
 *           [--contenders vmm,mm2,plain] [--rate R] [--seconds S] [--warmup S] [--topics K]
 *           [--vmm-jvm "FLAGS"] [--mm2-jvm "FLAGS"] [--plain-jvm "FLAGS"] [--mm2-prop KEY=VALUE]... [--timeout S]
 *           [--poll-ms MS]
 * </pre>
 *
 * Run it from the project directory after {@code mvn -DskipTests package} and the MM2 class path step; bench/run does
 * both. See bench/README.md for what is measured and how.
 *
 * <p>Not a JUnit test (the name matches neither *Test nor *IT); everything runs as child processes on 127.0.0.1:
 * broker A on 39092 (controller 39093), broker B on 49092 (controller 49093), and the contender.
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

    // ------------------------------------------------------------------------------------------ options

    enum Mode { THROUGHPUT, LATENCY, PARTITIONS }

    /** Which delivery guarantee the contenders run with; BOTH runs each contender twice, at-least-once first. */
    enum Delivery { AT_LEAST_ONCE, EXACTLY_ONCE, BOTH }

    static final List<String> KINDS = List.of("vmm", "mm2", "plain");
    static final String EOS_SUFFIX = "-eos";

    /** True for a contender that runs in exactly-once mode ({@code vmm-eos}, {@code mm2-eos}, {@code plain-eos}). */
    static boolean exactlyOnce(String contender) {
        return contender.endsWith(EOS_SUFFIX);
    }

    /** The contender's program: vmm, mm2 or plain (without the {@code -eos} suffix). */
    static String kind(String contender) {
        return exactlyOnce(contender) ? contender.substring(0, contender.length() - EOS_SUFFIX.length()) : contender;
    }

    /**
     * The contenders to run, in order: each name of {@code --contenders} is {@code vmm}, {@code mm2} or
     * {@code plain}, optionally with {@code -eos}. A name without the suffix runs with {@code --delivery}: as it is
     * (at-least-once), with {@code -eos} (exactly-once), or both, at-least-once first.
     *
     * @throws IllegalArgumentException for an unknown name or a contender listed twice (after expansion)
     */
    static List<String> expandContenders(List<String> names, Delivery delivery) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!KINDS.contains(kind(n))) {
                throw new IllegalArgumentException("unknown contender '" + n + "' (known: vmm, mm2, plain, each optionally with "
                        + EOS_SUFFIX + ")");
            }
            if (exactlyOnce(n)) {
                out.add(n);
            } else {
                switch (delivery) {
                    case AT_LEAST_ONCE -> out.add(n);
                    case EXACTLY_ONCE -> out.add(n + EOS_SUFFIX);
                    case BOTH -> {
                        out.add(n);
                        out.add(n + EOS_SUFFIX);
                    }
                }
            }
        }
        if (out.isEmpty() || new HashSet<>(out).size() != out.size()) {
            throw new IllegalArgumentException("--contenders needs distinct contenders, got " + out);
        }
        return out;
    }

    /** Parses {@code --delivery}: at-least-once, exactly-once or both (also with underscores; any case). */
    static Delivery parseDelivery(String v) {
        try {
            return Delivery.valueOf(v.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--delivery must be at-least-once, exactly-once or both, got '" + v + "'");
        }
    }

    static final class Options {
        Mode mode = Mode.THROUGHPUT;
        Long records;
        int size = 512;
        Integer partitions;
        int topics = 10;
        int tasks = 2;
        List<String> contenders = List.of("vmm", "mm2", "plain");
        Delivery delivery = Delivery.AT_LEAST_ONCE;
        /** Exactly-once: our transaction.boundary.interval.ms and the transactional loop's; null = our default. */
        Long commitMs;
        int rate = 5_000;
        int seconds = 30;
        int warmup = 5;
        String vmmJvm = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
        String mm2Jvm = "-Xms256M -Xmx2G";
        String plainJvm = "-Xmx256m";
        List<String> mm2Props = new ArrayList<>();
        int timeoutSeconds = 600;
        long brokerWarmup = 300_000;
        Integer pollMs;
        // tmpfs when there is one: ext4 index-file creation costs distort partitions mode (bench/README.md)
        Path dataDir = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))
                ? Path.of("/dev/shm/vmm-bench") : BENCH_DIR;

        long records() {
            return records != null ? records : mode == Mode.PARTITIONS ? 200_000 : 1_000_000;
        }

        int partitions() {
            return partitions != null ? partitions : mode == Mode.PARTITIONS ? 100 : 8;
        }

        int topicCount() {
            return mode == Mode.PARTITIONS ? topics : 1;
        }

        int pollMs() {
            return pollMs != null ? pollMs : mode == Mode.PARTITIONS ? 100 : 20;
        }

        List<String> sourceTopics() {
            if (mode != Mode.PARTITIONS) {
                return List.of("bench");
            }
            List<String> l = new ArrayList<>();
            for (int i = 0; i < topics; i++) {
                l.add("bench-" + i);
            }
            return l;
        }

        /** Regex for the mirrors' topic filters. */
        String topicsPattern() {
            return mode == Mode.PARTITIONS ? "bench-.*" : "bench";
        }

        int totalPartitions() {
            return topicCount() * partitions();
        }
    }

    static final String USAGE = String.join("\n",
            "usage: bench/run [options]",
            "  --mode throughput|latency|partitions   what to measure (default throughput)",
            "  --records N        records loaded before each contender starts (default 1,000,000; partitions mode 200,000)",
            "  --size BYTES       value size (default 512)",
            "  --partitions P     partitions per topic (default 8; partitions mode 100)",
            "  --topics K         partitions mode: topics bench-0..bench-(K-1) (default 10)",
            "  --tasks T          our tasksMax and MM2's tasks.max (default 2)",
            "  --contenders LIST  comma-separated, run in this order (default vmm,mm2,plain); a name with -eos (vmm-eos, mm2-eos, plain-eos) runs exactly-once",
            "  --delivery D       at-least-once (default), exactly-once (every contender in its exactly-once mode) or both (each contender twice)",
            "  --commit-ms MS     exactly-once: our transaction.boundary.interval.ms and the transactional loop's commit interval (default: our mirror's default)",
            "  --rate R           latency mode: records/s produced (default 5,000)",
            "  --seconds S        latency mode: measured seconds (default 30)",
            "  --warmup S         latency mode: warm-up seconds before measuring (default 5)",
            "  --vmm-jvm FLAGS    JVM flags of our mirror (default \"-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1\", as the README recommends)",
            "  --mm2-jvm FLAGS    JVM flags of MM2 (default \"-Xms256M -Xmx2G\", as connect-mirror-maker.sh)",
            "  --plain-jvm FLAGS  JVM flags of the plain loop (default \"-Xmx256m\")",
            "  --mm2-prop K=V     extra line for mm2.properties (repeatable), e.g. tuning experiments",
            "  --timeout S        per contender: deadline to mirror everything (default 600)",
            "  --broker-warmup N  records produced to and read back from each fresh broker before a contender starts, so broker JIT is out of the measured window (default 300,000; 0 = off)",
            "  --poll-ms MS       target end-offset polling interval (default 20; partitions mode 100)",
            "  --data-dir DIR     broker data in DIR/A and DIR/B (default /dev/shm/vmm-bench when /dev/shm exists, else target/bench)");

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (!a.startsWith("--")) {
                usage("unexpected argument '" + a + "'");
            }
            String optName = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (!List.of("--mode", "--records", "--size", "--partitions", "--topics", "--tasks", "--rate", "--seconds",
                    "--warmup", "--timeout", "--broker-warmup", "--poll-ms", "--vmm-jvm", "--mm2-jvm", "--plain-jvm", "--mm2-prop",
                    "--contenders", "--data-dir", "--delivery", "--commit-ms").contains(optName)) {
                usage("unknown option '" + optName + "'");
            }
            String v;
            int eq = a.indexOf('=');
            if (eq > 0) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    usage(a + " needs a value");
                }
                v = args[++i];
            }
            try {
                switch (a) {
                    case "--mode" -> {
                        try {
                            o.mode = Mode.valueOf(v.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            usage("--mode must be throughput, latency or partitions, got '" + v + "'");
                        }
                    }
                    case "--records" -> o.records = positiveLong(a, v);
                    case "--size" -> o.size = (int) positiveLong(a, v);
                    case "--partitions" -> o.partitions = (int) positiveLong(a, v);
                    case "--topics" -> o.topics = (int) positiveLong(a, v);
                    case "--tasks" -> o.tasks = (int) positiveLong(a, v);
                    case "--rate" -> o.rate = (int) positiveLong(a, v);
                    case "--seconds" -> o.seconds = (int) positiveLong(a, v);
                    case "--warmup" -> o.warmup = (int) Long.parseLong(v.replace("_", "").replace(",", ""));
                    case "--timeout" -> o.timeoutSeconds = (int) positiveLong(a, v);
                    case "--broker-warmup" -> o.brokerWarmup = "0".equals(v) ? 0 : positiveLong(a, v);
                    case "--poll-ms" -> o.pollMs = (int) positiveLong(a, v);
                    case "--vmm-jvm" -> o.vmmJvm = v;
                    case "--mm2-jvm" -> o.mm2Jvm = v;
                    case "--plain-jvm" -> o.plainJvm = v;
                    case "--data-dir" -> o.dataDir = Path.of(v);
                    case "--mm2-prop" -> {
                        if (!v.contains("=")) {
                            usage("--mm2-prop needs KEY=VALUE, got '" + v + "'");
                        }
                        o.mm2Props.add(v);
                    }
                    case "--contenders" -> o.contenders = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                    case "--delivery" -> {
                        try {
                            o.delivery = parseDelivery(v);
                        } catch (IllegalArgumentException e) {
                            usage(e.getMessage());
                        }
                    }
                    case "--commit-ms" -> o.commitMs = positiveLong(a, v);
                    default -> usage("unknown option '" + a + "'");
                }
            } catch (NumberFormatException e) {
                usage(a + " needs a whole number, got '" + v + "'");
            }
        }
        if (o.warmup < 0) {
            usage("--warmup must be >= 0");
        }
        if (o.size < 2) {
            usage("--size must be at least 2");
        }
        try {
            o.contenders = expandContenders(o.contenders, o.delivery);
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
        }
        return o;
    }

    private static long positiveLong(String opt, String v) {
        long n = Long.parseLong(v.replace("_", "").replace(",", ""));
        if (n <= 0) {
            usage(opt + " must be positive, got " + v);
        }
        return n;
    }

    private static void usage(String error) {
        System.err.println("error: " + error);
        System.err.println(USAGE);
        System.exit(2);
    }

    // ------------------------------------------------------------------------------------------ state

    private final Options opt;
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String brokerClasspath;
    private final Set<Process> children = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final Broker brokerA;
    private final Broker brokerB;
    private volatile Process contender;

    Bench(Options opt) throws IOException {
        this.opt = opt;
        this.brokerClasspath = TEST_CLASSES + ":" + Files.readString(TEST_CLASSPATH).trim();
        this.brokerA = new Broker("A", 39092, 39093);
        this.brokerB = new Broker("B", 49092, 49093);
    }

    public static void main(String[] args) {
        Options o = parse(args);
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(TEST_CLASSPATH)) {
            missing.add(TEST_CLASSPATH + " (mvn -DskipTests package)");
        }
        if (o.contenders.stream().anyMatch(c -> kind(c).equals("vmm")) && !Files.isRegularFile(VMM_JAR)) {
            missing.add(VMM_JAR + " (mvn -DskipTests package)");
        }
        if (o.contenders.stream().anyMatch(c -> kind(c).equals("mm2")) && !Files.isRegularFile(MM2_CLASSPATH)) {
            missing.add(MM2_CLASSPATH + " (mvn -f bench/mm2/pom.xml dependency:build-classpath)");
        }
        if (!missing.isEmpty()) {
            System.err.println("error: run from the project directory, through bench/run; missing: " + String.join(", ", missing));
            System.exit(1);
        }
        for (int port : new int[]{39092, 39093, 49092, 49093}) {
            if (!portFree(port)) {
                System.err.println("error: " + HOST + ":" + port + " is in use; the benchmark needs ports 39092, 39093, "
                        + "49092 and 49093 (is another benchmark running?)");
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

    int run() throws Exception {
        if (opt.contenders.stream().anyMatch(Bench::exactlyOnce)) {
            ourCommitRules(); // fails fast (before any broker starts) if our commit rules cannot be read
        }
        Files.createDirectories(LOG_DIR);
        Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "bench-shutdown"));
        printHeader();

        List<Result> results = new ArrayList<>();
        try {
            for (String c : opt.contenders) {
                if (shuttingDown.get()) {
                    break;
                }
                System.out.println();
                System.out.println("=== " + c + " " + "=".repeat(Math.max(3, 70 - c.length())));
                Result r;
                try {
                    r = opt.mode == Mode.LATENCY ? runLatency(c) : runThroughput(c);
                } catch (Exception e) {
                    if (shuttingDown.get()) {
                        break;
                    }
                    System.out.println("  FAILED: " + e);
                    r = new Result(c);
                    r.status = "error: " + e.getClass().getSimpleName();
                } finally {
                    stopContender();
                }
                results.add(r);
            }
        } finally {
            if (!shuttingDown.get()) {
                brokerB.stop();
                brokerA.stop();
                for (Broker b : List.of(brokerA, brokerB)) {
                    try {
                        if (Files.exists(b.dir.resolve("server.properties"))) {
                            deleteTree(b.dir); // data is useless after the run (and may sit in tmpfs)
                        }
                    } catch (IOException e) {
                        System.out.println("could not delete " + b.dir + ": " + e);
                    }
                }
                if (!opt.dataDir.equals(BENCH_DIR)) {
                    try {
                        Files.deleteIfExists(opt.dataDir); // only if empty
                    } catch (IOException e) {
                        // not empty: leave it
                    }
                }
            }
        }
        if (shuttingDown.get()) {
            return 130;
        }
        System.out.println();
        printTable(results);
        return results.stream().allMatch(r -> r.status.equals("ok")) ? 0 : 1;
    }

    private void printHeader() throws IOException, InterruptedException {
        System.out.println("Vert.x MirrorMaker benchmark (issue 3)  " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19));
        System.out.println("machine   nproc " + Runtime.getRuntime().availableProcessors() + ", MemTotal " + memTotal()
                + ", " + cpuModel());
        for (String l : javaVersion()) {
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
        System.out.println("tasks     " + opt.tasks + " (our tasksMax, MM2 tasks.max)");
        System.out.println("delivery  " + opt.contenders.stream().map(c -> c + (exactlyOnce(c) ? " (exactly-once)" : " (at-least-once)"))
                .collect(Collectors.joining(", "))
                + (opt.contenders.stream().anyMatch(Bench::exactlyOnce)
                ? String.format("; exactly-once commit interval %,d ms (ours and the transactional loop's%s), early at %,d records"
                        + " or %,d bytes in a partition or %,d bytes in all (ours per task, the loop's in its one transaction);"
                        + " MM2: its default, a transaction per task poll; target records counted with a read_committed consumer",
                        commitMs(), opt.commitMs == null ? ", our default" : "", ourCommitRules().partitionRecords(),
                        ourCommitRules().partitionBytes(), ourCommitRules().taskBytes())
                : ""));
        System.out.println("jvm       vmm \"" + opt.vmmJvm + "\", mm2 \"" + opt.mm2Jvm + "\", plain \"" + opt.plainJvm + "\"");
        System.out.println("brokers   A " + HOST + ":39092, B " + HOST + ":49092 (KRaft 4.1.1, child JVMs, -Xmx768m), wiped before each contender");
        System.out.println("data      " + brokerA.dir + ", " + brokerB.dir + " (" + fileSystemType(opt.dataDir) + ")");
        if (opt.mode == Mode.PARTITIONS && !fileSystemType(opt.dataDir).equals("tmpfs")) {
            System.out.println("note      partitions mode on a disk: on this kind of VM the first write through mmap into each new index"
                    + " file costs the broker ~10-20 ms, paid only by contenders that append more than one batch per partition;"
                    + " --data-dir /dev/shm/vmm-bench (tmpfs) removes it (bench/README.md)");
        }
        System.out.println("logs      " + LOG_DIR);
    }

    // ------------------------------------------------------------------------------------------ throughput / partitions

    private Result runThroughput(String name) throws Exception {
        Result r = new Result(name);
        long n = opt.records();
        freshClusters(name);
        List<String> topics = opt.sourceTopics();
        try (Admin adminA = admin(brokerA); Admin adminB = admin(brokerB)) {
            createTopics(adminA, topics, opt.partitions());
            if (kind(name).equals("plain")) {
                createTopics(adminB, remote(topics), opt.partitions());
            }
            if (name.equals("plain" + EOS_SUFFIX)) {
                createProgressTopic(adminB);
            }
            load(n);
            OffsetReader sourceReader = new OffsetReader(adminA, topics, opt.partitions());
            long srcSum = sourceReader.read();
            Map<TopicPartition, Long> sourceEnds = sourceReader.snapshot();
            if (srcSum != n) {
                throw new IllegalStateException("source holds " + srcSum + " records, expected " + n);
            }

            boolean eos = exactlyOnce(name);
            // exactly-once: end offsets up to the last stable offset, which count commit markers too; the records
            // themselves are counted by a read_committed consumer once the target has been quiet (CommittedCounter)
            OffsetReader target = new OffsetReader(adminB, remote(topics), opt.partitions(), eos);
            CommittedCounter counter = eos ? new CommittedCounter(brokerB.bootstrap(), remote(topics), opt.partitions()) : null;
            System.out.printf("  load avg before start: %s%n", loadAvg());
            double brokersAtStart = brokersCpu();
            long t0 = System.nanoTime();
            Process p = startContender(name);
            RssSampler rss = new RssSampler(p.pid());
            rss.start();
            long tFirst = -1;
            long tLast = -1;
            CpuSnapshot cpuAtFirst = null;
            CpuSnapshot cpuAtLast = null;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(opt.timeoutSeconds);
            long nextReport = t0 + TimeUnit.SECONDS.toNanos(5);
            long sum = 0;
            long lastSum = -1;
            long lastChange = -1;
            CpuSnapshot cpuAtLastChange = null;
            long countedAtSum = -1;
            while (true) {
                long callStart = System.nanoTime();
                if (!p.isAlive()) {
                    r.status = "died (exit " + p.exitValue() + ")";
                    break;
                }
                sum = target.read();
                long now = System.nanoTime();
                if (sum > 0 && tFirst < 0) {
                    tFirst = now;
                    cpuAtFirst = cpuSnapshot(p);
                    System.out.printf("  first mirrored record after %.2f s%n", (tFirst - t0) / 1e9);
                }
                if (!eos && sum >= n) {
                    tLast = now;
                    cpuAtLast = cpuSnapshot(p);
                    break;
                }
                if (eos) {
                    if (sum != lastSum) {
                        lastSum = sum;
                        lastChange = now;
                        cpuAtLastChange = cpuSnapshot(p);
                    }
                    // every record needs an offset, so sum >= n first; then the target must be quiet for a moment
                    // (the contender is at most waiting for its last commit) before the records are counted
                    if (sum >= n && sum != countedAtSum && now - lastChange >= EOS_QUIET.toNanos()) {
                        long counted = counter.countUpTo(target.snapshot());
                        countedAtSum = sum;
                        if (counted >= n) {
                            tLast = lastChange; // the poll that first saw the final committed state
                            cpuAtLast = cpuAtLastChange;
                            break;
                        }
                        System.out.printf("  [%4.0fs] %,d committed records counted (offsets incl. commit markers %,d), waiting for more%n",
                                (now - t0) / 1e9, counted, sum);
                    }
                }
                if (now > deadline) {
                    r.status = "timeout";
                    break;
                }
                if (now > nextReport) {
                    System.out.printf("  [%4.0fs] mirrored %,d / %,d%n", (now - t0) / 1e9, sum, n);
                    nextReport += TimeUnit.SECONDS.toNanos(5);
                }
                sleepNanos(callStart + TimeUnit.MILLISECONDS.toNanos(opt.pollMs()) - System.nanoTime());
            }
            if (tLast > 0) {
                r.status = "ok";
                System.out.printf("  all %,d records mirrored after %.2f s%s%n", n, (tLast - t0) / 1e9,
                        eos ? " (committed, counted with read_committed)" : "");
                sleepNanos(SETTLE.toNanos()); // late duplicates would show up here
            } else {
                System.out.printf("  %s: %,d of %,d records mirrored%s%n", r.status, sum, n, eos ? " (offsets incl. commit markers)" : "");
            }
            target.read();
            if (eos) {
                counter.countUpTo(target.snapshot());
                r.committed = counter.total();
                System.out.printf("  read_committed count on B: %,d records (source %,d); end offsets incl. commit markers %,d%n",
                        r.committed, n, target.sum());
                compare(r, sourceEnds, counter.counts());
                counter.close();
            } else {
                compare(r, sourceEnds, target.snapshot());
            }
            if (r.status.equals("ok") && r.partitionsEqual != r.partitionsTotal) {
                r.status = "offsets differ";
            }
            r.firstSec = tFirst > 0 ? (tFirst - t0) / 1e9 : Double.NaN;
            if (tLast > 0) {
                double window = (tLast - tFirst) / 1e9;
                r.totalSec = (tLast - t0) / 1e9;
                if (window > 0) {
                    r.recPerSec = n / window;
                    r.mbPerSec = n * (double) opt.size / window / 1e6;
                    cpuWindow(r, cpuAtFirst, cpuAtLast);
                    System.out.printf("  steady %,.0f rec/s, %.1f MB/s of values, over %.2f s (first to last mirrored record)%n",
                            r.recPerSec, r.mbPerSec, window);
                }
            }
            finishContender(r, p, rss, brokersAtStart);
        }
        return r;
    }

    /** Compares per-partition end offsets: target above source = duplicates, below = missing. */
    private void compare(Result r, Map<TopicPartition, Long> source, Map<TopicPartition, Long> target) {
        int equal = 0;
        long missing = 0;
        long dup = 0;
        for (Map.Entry<TopicPartition, Long> e : source.entrySet()) {
            TopicPartition t = new TopicPartition(SOURCE_ALIAS + "." + e.getKey().topic(), e.getKey().partition());
            long tv = target.getOrDefault(t, 0L);
            long sv = e.getValue();
            if (tv == sv) {
                equal++;
            } else if (tv > sv) {
                dup += tv - sv;
            } else {
                missing += sv - tv;
            }
        }
        r.partitionsEqual = equal;
        r.partitionsTotal = source.size();
        r.missing = missing;
        r.duplicates = dup;
        System.out.printf("  offsets: %d/%d partitions equal to source, %,d records missing, %,d extra (duplicates)%n",
                equal, source.size(), missing, dup);
    }

    // ------------------------------------------------------------------------------------------ load

    private void load(long n) throws InterruptedException {
        List<String> topics = opt.sourceTopics();
        int parts = opt.partitions();
        int total = topics.size() * parts;
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokerA.bootstrap());
        pc.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-loader");
        pc.put(ProducerConfig.ACKS_CONFIG, "all");
        pc.put(ProducerConfig.BATCH_SIZE_CONFIG, 131072);
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        pc.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        pc.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        pc.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long t0 = System.nanoTime();
        ValueMaker values = new ValueMaker(opt.size);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc)) {
            // Record i goes to slot i % total (topic slot / parts, partition slot % parts). With few partitions the records
            // are sent in order i (round-robin). With many (partitions mode), slot by slot: the same records land in
            // the same partitions, but batches fill up; round-robin over 1,000 partitions makes one-record batches and
            // exhausts the buffer pool (the load then crawls at ~1,000 rec/s).
            boolean slotMajor = total > 64;
            long perSlot = (n + total - 1) / total;
            for (long k = 0; k < (slotMajor ? perSlot * total : n); k++) {
                long i = slotMajor ? (k % perSlot) * total + k / perSlot : k;
                if (i >= n) {
                    continue;
                }
                int slot = (int) (i % total);
                ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topics.get(slot / parts), slot % parts,
                        ("k" + i).getBytes(StandardCharsets.US_ASCII), values.next());
                rec.headers().add("h", new byte[]{(byte) (i >>> 8), (byte) i});
                producer.send(rec, (md, err) -> {
                    if (err == null) {
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, err);
                    }
                });
                if (shuttingDown.get()) {
                    throw new InterruptedException("shutting down");
                }
            }
            producer.flush();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (acked.get() != n) {
            throw new IllegalStateException("load: " + acked.get() + " of " + n + " records acknowledged, " + failed.get()
                    + " failed; first error: " + firstError.get());
        }
        System.out.printf("  loaded %,d records (%,.0f MB of values) in %.1f s (%,.0f rec/s), all acknowledged%n",
                n, n * (double) opt.size / 1e6, s, n / s);
    }

    /** SIZE-byte values: the first half random bytes, the second half fixed text (like data-path-figures.md). */
    static final class ValueMaker {
        private final int size;
        private final int randomLen;
        private final byte[] text;

        ValueMaker(int size) {
            this.size = size;
            this.randomLen = size / 2;
            String pattern = "The quick brown fox jumps over the lazy dog; mirror me across clusters. ";
            StringBuilder sb = new StringBuilder();
            while (sb.length() < size - randomLen) {
                sb.append(pattern);
            }
            this.text = sb.substring(0, size - randomLen).getBytes(StandardCharsets.US_ASCII);
        }

        byte[] next() {
            byte[] v = new byte[size];
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int i = 0; i + 8 <= randomLen; i += 8) {
                long l = rnd.nextLong();
                for (int b = 0; b < 8; b++) {
                    v[i + b] = (byte) (l >>> (8 * b));
                }
            }
            for (int i = randomLen & ~7; i < randomLen; i++) {
                v[i] = (byte) rnd.nextInt();
            }
            System.arraycopy(text, 0, v, randomLen, text.length);
            return v;
        }
    }

    // ------------------------------------------------------------------------------------------ latency

    private Result runLatency(String name) throws Exception {
        Result r = new Result(name);
        freshClusters(name);
        List<String> topics = opt.sourceTopics();
        String topic = topics.get(0);
        String remoteTopic = SOURCE_ALIAS + "." + topic;
        int parts = opt.partitions();
        try (Admin adminA = admin(brokerA); Admin adminB = admin(brokerB)) {
            createTopics(adminA, topics, parts);
            if (kind(name).equals("plain")) {
                createTopics(adminB, remote(topics), parts);
            }
            if (name.equals("plain" + EOS_SUFFIX)) {
                createProgressTopic(adminB);
            }
            Map<String, Object> pc = new HashMap<>();
            pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokerA.bootstrap());
            pc.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-latency-producer");
            pc.put(ProducerConfig.ACKS_CONFIG, "all");
            pc.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            pc.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            pc.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            pc.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            ValueMaker values = new ValueMaker(opt.size);
            AtomicLong sendErrors = new AtomicLong();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc)) {
                producer.partitionsFor(topic); // metadata before the clock starts
                OffsetReader target = new OffsetReader(adminB, List.of(remoteTopic), parts, exactlyOnce(name));
                System.out.printf("  load avg before start: %s%n", loadAvg());
                double brokersAtStart = brokersCpu();
                long t0 = System.nanoTime();
                Process p = startContender(name);
                RssSampler rss = new RssSampler(p.pid());
                rss.start();

                // 1. start-up: one probe record per 100 ms until the first one arrives on B
                long deadline = t0 + TimeUnit.SECONDS.toNanos(opt.timeoutSeconds);
                long tFirst = -1;
                long probes = 0;
                long nextProbe = t0;
                while (tFirst < 0) {
                    if (!p.isAlive()) {
                        r.status = "died (exit " + p.exitValue() + ")";
                        break;
                    }
                    long now = System.nanoTime();
                    if (now > deadline) {
                        r.status = "timeout";
                        break;
                    }
                    if (now >= nextProbe) {
                        producer.send(new ProducerRecord<>(topic, (int) (probes % parts), ("probe" + probes).getBytes(StandardCharsets.US_ASCII), values.next()));
                        probes++;
                        nextProbe += TimeUnit.MILLISECONDS.toNanos(100);
                    }
                    if (target.read() > 0) {
                        tFirst = System.nanoTime();
                    } else {
                        sleepNanos(TimeUnit.MILLISECONDS.toNanos(opt.pollMs()));
                    }
                }
                if (tFirst < 0) {
                    System.out.printf("  %s before the first record was mirrored%n", r.status);
                    finishContender(r, p, rss, brokersAtStart);
                    return r;
                }
                r.firstSec = (tFirst - t0) / 1e9;
                System.out.printf("  first mirrored record after %.2f s (%d probe records sent)%n", r.firstSec, probes);

                // 2. consumer on B from the end; measures records marked with the measure header
                LatencyConsumer lc = new LatencyConsumer(brokerB.bootstrap(), remoteTopic, parts,
                        (long) opt.rate * opt.seconds + 16, exactlyOnce(name));
                lc.startAndWaitPositioned();

                // 3. paced producer: warm-up, then measured records
                CpuSnapshot cpuWindowStart = cpuSnapshot(p);
                long sent = 0;
                long measuredSent = 0;
                long start = System.nanoTime();
                long warmEnd = start + TimeUnit.SECONDS.toNanos(opt.warmup);
                long end = warmEnd + TimeUnit.SECONDS.toNanos(opt.seconds);
                long nextReport = start + TimeUnit.SECONDS.toNanos(5);
                byte[] mark = new byte[]{1};
                System.out.printf("  producing %,d rec/s: %d s warm-up, then %d s measured%n", opt.rate, opt.warmup, opt.seconds);
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end || !p.isAlive() || shuttingDown.get()) {
                        break;
                    }
                    long due = (long) ((now - start) / 1e9 * opt.rate);
                    while (sent < due) {
                        boolean measured = System.nanoTime() >= warmEnd;
                        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                                ("k" + sent).getBytes(StandardCharsets.US_ASCII), values.next());
                        rec.headers().add("h", new byte[]{(byte) (sent >>> 8), (byte) sent});
                        if (measured) {
                            rec.headers().add(MEASURE_HEADER, mark);
                            measuredSent++;
                        }
                        producer.send(rec, (md, err) -> {
                            if (err != null) {
                                sendErrors.incrementAndGet();
                            }
                        });
                        sent++;
                    }
                    if (now > nextReport) {
                        System.out.printf("  [%4.0fs] produced %,d, measured received %,d%n", (now - start) / 1e9, sent, lc.received());
                        nextReport += TimeUnit.SECONDS.toNanos(5);
                    }
                    Thread.sleep(1);
                }
                producer.flush();
                CpuSnapshot cpuWindowEnd = cpuSnapshot(p);
                // 4. wait for the measured records (at most 30 s)
                long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (lc.received() < measuredSent && System.nanoTime() < waitUntil && p.isAlive()) {
                    Thread.sleep(20);
                }
                sleepNanos(SETTLE.toNanos()); // late duplicates
                lc.stop();
                int[] lat = lc.latencies();
                Arrays.sort(lat);
                r.latCount = lat.length;
                r.latSent = measuredSent;
                r.missing = Math.max(0, measuredSent - lc.received());
                r.duplicates = Math.max(0, lc.received() - measuredSent);
                if (exactlyOnce(name)) {
                    r.committed = lc.received();
                    System.out.printf("  read_committed consumer on B received %,d of %,d measured records%n", lc.received(), measuredSent);
                }
                if (lat.length > 0) {
                    r.p50 = percentile(lat, 0.50);
                    r.p99 = percentile(lat, 0.99);
                    r.max = lat[lat.length - 1];
                }
                r.status = !p.isAlive() ? "died (exit " + p.exitValue() + ")"
                        : sendErrors.get() > 0 ? "producer errors: " + sendErrors.get()
                        : r.missing > 0 ? "missing" : "ok";
                System.out.printf("  produced %,d records (%,d measured, %d send errors); received %,d measured records: "
                                + "p50 %d ms, p99 %d ms, max %d ms; %,d missing, %,d extra%n",
                        sent, measuredSent, sendErrors.get(), lc.received(), r.p50, r.p99, r.max, r.missing, r.duplicates);
                cpuWindow(r, cpuWindowStart, cpuWindowEnd);
                finishContender(r, p, rss, brokersAtStart);
            }
        }
        return r;
    }

    static int percentile(int[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    /** Consumer on B, in its own thread: latency = receive wall-clock ms - record timestamp (measured records only). */
    final class LatencyConsumer {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicPartition> tps = new ArrayList<>();
        private final int[] lat;
        private final AtomicLong received = new AtomicLong();
        private volatile boolean stop;
        private final Thread thread;
        private final java.util.concurrent.CountDownLatch positioned = new java.util.concurrent.CountDownLatch(1);

        /** @param readCommitted exactly-once contenders: only committed records count (isolation.level=read_committed) */
        LatencyConsumer(String bootstrap, String topic, int parts, long capacity, boolean readCommitted) {
            Map<String, Object> cc = new HashMap<>();
            cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
            cc.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-latency-consumer");
            cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            cc.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            cc.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            consumer = new KafkaConsumer<>(cc);
            for (int i = 0; i < parts; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            lat = new int[(int) Math.min(Integer.MAX_VALUE - 16, capacity * 2)];
            thread = new Thread(this::loop, "bench-latency-consumer");
            thread.setDaemon(true);
        }

        void startAndWaitPositioned() throws InterruptedException {
            thread.start();
            if (!positioned.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latency consumer did not get its positions on B within 60 s");
            }
        }

        private void loop() {
            try {
                consumer.assign(tps);
                consumer.seekToEnd(tps);
                for (TopicPartition tp : tps) {
                    consumer.position(tp, Duration.ofSeconds(30));
                }
                positioned.countDown();
                while (!stop) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    long now = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> rec : records) {
                        Header h = rec.headers().lastHeader(MEASURE_HEADER);
                        if (h != null) {
                            long n = received.getAndIncrement();
                            if (n < lat.length) {
                                lat[(int) n] = (int) (now - rec.timestamp());
                            }
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (!stop) {
                    System.out.println("  latency consumer failed: " + e);
                }
            } finally {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
            }
        }

        long received() {
            return received.get();
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }

        int[] latencies() {
            return Arrays.copyOf(lat, (int) Math.min(received.get(), lat.length));
        }
    }

    // ------------------------------------------------------------------------------------------ contenders

    private Process startContender(String name) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        boolean eos = exactlyOnce(name);
        switch (name) {
            case "vmm", "vmm-eos" -> {
                Path conf = BENCH_DIR.resolve(name + ".json");
                Files.writeString(conf, vmmConfig(eos, opt.commitMs));
                cmd.addAll(flags(opt.vmmJvm));
                cmd.addAll(List.of("-jar", VMM_JAR.toString(), "-conf", conf.toString()));
            }
            case "mm2", "mm2-eos" -> {
                Path conf = BENCH_DIR.resolve(name + ".properties");
                Files.writeString(conf, mm2Config(eos));
                cmd.addAll(flags(opt.mm2Jvm));
                cmd.add("-Dlog4j2.configurationFile=" + MM2_LOG4J.toAbsolutePath());
                cmd.addAll(List.of("-cp", Files.readString(MM2_CLASSPATH).trim(),
                        "org.apache.kafka.connect.mirror.MirrorMaker", conf.toString()));
            }
            case "plain" -> {
                cmd.addAll(flags(opt.plainJvm));
                cmd.addAll(List.of("-cp", brokerClasspath, PlainLoop.class.getName(), brokerA.bootstrap(),
                        brokerB.bootstrap(), String.join(",", opt.sourceTopics())));
            }
            case "plain-eos" -> {
                cmd.addAll(flags(opt.plainJvm));
                CommitRules rules = ourCommitRules();
                cmd.addAll(List.of("-cp", brokerClasspath, TransactionalLoop.class.getName(), brokerA.bootstrap(),
                        brokerB.bootstrap(), String.join(",", opt.sourceTopics()), Long.toString(rules.intervalMs()),
                        Integer.toString(rules.partitionRecords()), Integer.toString(rules.partitionBytes()),
                        Integer.toString(rules.taskBytes())));
            }
            default -> throw new IllegalArgumentException(name);
        }
        Path log = LOG_DIR.resolve(name + ".log");
        System.out.println("  start   " + abbreviate(cmd));
        System.out.println("  log     " + log);
        Process p = startChild(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()));
        contender = p;
        return p;
    }

    /**
     * Our mirror's config. Exactly-once: MM2's key {@code exactly.once.source.support=enabled} in the target
     * cluster's config, and {@code transaction.boundary.interval.ms} only when {@code commitMs} is given (else our
     * default).
     */
    String vmmConfig(boolean eos, Long commitMs) {
        return """
                {
                  "clusters": [
                    { "alias": "A", "bootstrapServers": "%s", "config": {} },
                    { "alias": "B", "bootstrapServers": "%s", "config": { "offset.storage.replication.factor": 1%s } }
                  ],
                  "mirrors": [ {
                    "sourceCluster": "A", "targetCluster": "B",
                    "topicsPattern": "%s",
                    "sourceConnector": { "tasksMax": %d, "config": { "replication.factor": 1, "offset-syncs.topic.replication.factor": 1%s } },
                    "checkpointConnector": { "config": { "checkpoints.topic.replication.factor": 1 } },
                    "heartbeatConnector": { "config": { "heartbeats.topic.replication.factor": 1 } }
                  } ]
                }
                """.formatted(brokerA.bootstrap(), brokerB.bootstrap(), eos ? ", \"exactly.once.source.support\": \"enabled\"" : "",
                opt.topicsPattern().replace("\\", "\\\\"), opt.tasks,
                eos && commitMs != null ? ", \"transaction.boundary.interval.ms\": " + commitMs : "");
    }

    /**
     * Exactly-once commit interval, ms, of our mirror and the transactional loop: {@code --commit-ms}, else what our
     * mirror makes of its exactly-once config (our own config parser: {@code FlowSpec.transactionIntervalMs()}).
     */
    long commitMs() {
        return opt.commitMs != null ? opt.commitMs : ourCommitRules().intervalMs();
    }

    /**
     * When our mirror commits a transaction, read through our own config parser from the config the benchmark gives
     * it: the interval ({@code FlowSpec.transactionIntervalMs()}) and the early-commit marks of
     * {@code io.vmm.target.CommitTrigger}, half of each in-flight limit ({@code vmm.inflight.partition.max.records},
     * {@code vmm.inflight.partition.max.bytes}, {@code vmm.inflight.task.max.bytes}). The transactional loop commits
     * on the same rules.
     */
    record CommitRules(long intervalMs, int partitionRecords, int partitionBytes, int taskBytes) {
    }

    CommitRules ourCommitRules() {
        if (ourCommitRules == null) {
            try {
                MirrorMakerConfig c = ConfigParser.parse(new JsonObject(vmmConfig(true, opt.commitMs)), new Environment(Map.of()));
                FlowSpec f = c.flows().get(0);
                ConnectorConfig sc = f.sourceConnector().config();
                ourCommitRules = new CommitRules(f.transactionIntervalMs(),
                        Math.max(1, sc.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_RECORDS) / 2),
                        Math.max(1, sc.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_BYTES) / 2),
                        Math.max(1, sc.getInt(ConnectorKeys.INFLIGHT_TASK_MAX_BYTES) / 2));
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("cannot read our mirror's exactly-once commit rules through "
                        + "io.vmm.config.ConfigParser: " + e, e);
            }
        }
        return ourCommitRules;
    }

    private CommitRules ourCommitRules;

    /**
     * MM2's dedicated-mode config. Exactly-once as MM2 4.1.1 needs it: {@code B.exactly.once.source.support = enabled}
     * (a worker key of the target cluster), {@code A.consumer.isolation.level = read_committed} (else
     * MirrorSourceConnector reports exactly-once as unsupported), and the internal REST server
     * ({@code dedicated.mode.enable.internal.rest = true}, {@code listeners} on a free port) that KIP-710 added for
     * the leader's zombie fencing requests.
     */
    private String mm2Config(boolean eos) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "# written by io.vmm.bench.Bench: Apache MirrorMaker 2, dedicated mode, defaults except replication factors",
                "clusters = A, B",
                "A.bootstrap.servers = " + brokerA.bootstrap(),
                "B.bootstrap.servers = " + brokerB.bootstrap(),
                "A->B.enabled = true",
                "A->B.topics = " + opt.topicsPattern(),
                "B->A.enabled = false",
                "tasks.max = " + opt.tasks,
                "replication.factor = 1",
                "offset-syncs.topic.replication.factor = 1",
                "checkpoints.topic.replication.factor = 1",
                "heartbeats.topic.replication.factor = 1",
                "offset.storage.replication.factor = 1",
                "config.storage.replication.factor = 1",
                "status.storage.replication.factor = 1",
                "sync.topic.acls.enabled = false"));
        if (eos) {
            lines.addAll(List.of(
                    "# exactly-once (KIP-618, dedicated mode since Kafka 3.5)",
                    "B.exactly.once.source.support = enabled",
                    "A.consumer.isolation.level = read_committed",
                    "dedicated.mode.enable.internal.rest = true",
                    "listeners = http://" + HOST + ":" + freePort()));
        }
        for (String kv : opt.mm2Props) {
            int eq = kv.indexOf('=');
            lines.add(kv.substring(0, eq).trim() + " = " + kv.substring(eq + 1).trim());
        }
        return String.join("\n", lines) + "\n";
    }

    /** Reads peak RSS and CPU, stops the contender (SIGTERM, SIGKILL after 15 s), and prints a summary. */
    private void finishContender(Result r, Process p, RssSampler rss, double brokersAtStart) throws InterruptedException {
        rss.stop();
        if (p.isAlive()) {
            r.rssHwmMb = vmHwmMb(p.pid());
            r.cpuSec = cpuSeconds(p);
        }
        r.rssSampledMb = rss.maxMb();
        r.brokersCpuSec = brokersCpu() - brokersAtStart;
        long t = System.nanoTime();
        Integer exit = stopProcess(p, STOP_GRACE);
        r.exit = exit;
        contender = null;
        String hwm = Double.isNaN(r.rssHwmMb) ? "?" : String.format("%.0f", r.rssHwmMb);
        System.out.printf("  peak RSS %s MB (VmHWM; sampled VmRSS max %.0f MB); CPU from start to stop: contender %.1f s, brokers %.1f s%n",
                hwm, r.rssSampledMb, r.cpuSec, r.brokersCpuSec);
        if (!Double.isNaN(r.cpuPct)) {
            System.out.printf("  CPU in the measured window (%% of one core): contender %.0f %%, brokers %.0f %%, this orchestrator %.0f %%,"
                    + " other processes %.0f %%%s%n", r.cpuPct, r.brokersPct, r.selfPct, r.othersPct,
                    r.othersPct > 20 ? "  <- the machine was busy with something else: numbers are not comparable" : "");
        }
        System.out.printf("  stopped with SIGTERM%s in %.1f s, exit code %s%n", exit != null && exit == 137 ? "+SIGKILL" : "",
                (System.nanoTime() - t) / 1e9, exit == null ? "?" : exit);
        logSummary(r.name);
    }

    /** Prints how many WARN/ERROR lines the contender's log holds, and MM2's start-up line. */
    private static void logSummary(String name) {
        Path log = LOG_DIR.resolve(name + ".log");
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            List<String> all = lines.toList();
            long warn = all.stream().filter(l -> l.contains(" WARN ")).count();
            List<String> errors = all.stream().filter(l -> l.contains(" ERROR ") || l.startsWith("Exception")).toList();
            System.out.printf("  log     %d lines, %d WARN, %d ERROR%s%n", all.size(), warn, errors.size(),
                    errors.isEmpty() ? "" : "; first: " + errors.get(0).trim());
            if (kind(name).equals("mm2")) {
                all.stream().filter(l -> l.contains("Kafka MirrorMaker started")).findFirst()
                        .ifPresent(l -> System.out.println("  mm2     " + l.trim()));
            }
        } catch (IOException | UncheckedIOException e) {
            System.out.println("  log     cannot read " + log + ": " + e);
        }
    }

    private void stopContender() {
        Process p = contender;
        if (p != null) {
            stopProcess(p, STOP_GRACE);
            contender = null;
        }
    }

    // ------------------------------------------------------------------------------------------ brokers

    final class Broker {
        final String name;
        final int port;
        final int controllerPort;
        final Path dir;
        Process process;

        Broker(String name, int port, int controllerPort) {
            this.name = name;
            this.port = port;
            this.controllerPort = controllerPort;
            this.dir = opt.dataDir.resolve(name).toAbsolutePath();
        }

        String bootstrap() {
            return HOST + ":" + port;
        }

        void wipeAndStart(String contenderName) throws IOException, InterruptedException {
            stop();
            if (Files.isDirectory(dir) && !Files.exists(dir.resolve("server.properties"))) {
                try (Stream<Path> l = Files.list(dir)) {
                    if (l.findAny().isPresent()) {
                        throw new IllegalStateException(dir + " exists and is not a benchmark broker directory (no server.properties);"
                                + " not deleting it");
                    }
                }
            }
            deleteTree(dir);
            Files.createDirectories(dir);
            Path props = dir.resolve("server.properties");
            Files.writeString(props, properties());
            Path log = LOG_DIR.resolve("broker-" + name + "." + contenderName + ".log");
            Files.deleteIfExists(log);
            Process f = startChild(new ProcessBuilder(java, "-Xmx256m", "-cp", brokerClasspath, "kafka.tools.StorageTool",
                    "format", "-t", Uuid.randomUuid().toString(), "-c", props.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
            if (!f.waitFor(60, TimeUnit.SECONDS)) {
                f.destroyForcibly();
                throw new IllegalStateException("formatting broker " + name + " took more than 60 s; see " + log);
            }
            children.remove(f);
            if (f.exitValue() != 0) {
                throw new IllegalStateException("formatting broker " + name + " failed (exit " + f.exitValue() + "); see " + log);
            }
            process = startChild(new ProcessBuilder(java, "-Xmx768m", "-cp", brokerClasspath, "kafka.Kafka", props.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
        }

        void awaitReady() throws InterruptedException {
            long deadline = System.nanoTime() + BROKER_READY_TIMEOUT.toNanos();
            // first the port, so the Admin client does not log a warning per failed connection
            while (!acceptsConnections(port)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("broker " + name + " exited with code " + process.exitValue()
                            + "; see " + LOG_DIR.resolve("broker-" + name + ".*.log"));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker " + name + " does not listen on " + bootstrap() + " after "
                            + BROKER_READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(100);
            }
            try (Admin a = admin(this)) {
                while (true) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("broker " + name + " exited with code " + process.exitValue()
                                + "; see " + LOG_DIR.resolve("broker-" + name + ".*.log"));
                    }
                    try {
                        if (!a.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isEmpty()) {
                            return;
                        }
                    } catch (Exception e) {
                        // not ready yet
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker " + name + " not ready within " + BROKER_READY_TIMEOUT.toSeconds() + " s");
                    }
                    Thread.sleep(100);
                }
            }
        }

        void stop() {
            if (process != null) {
                stopProcess(process, Duration.ofSeconds(30));
                process = null;
            }
        }

        String properties() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
            p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("log.dirs", dir.resolve("data").toString());
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("num.partitions", "1");
            p.put("default.replication.factor", "1");
            p.put("log.cleaner.dedupe.buffer.size", "2097152");
            p.put("unstable.api.versions.enable", "false");
            p.put("unstable.feature.versions.enable", "false");
            p.put("auto.create.topics.enable", "false");
            return p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")) + "\n";
        }
    }

    private void freshClusters(String contenderName) throws IOException, InterruptedException {
        long t = System.nanoTime();
        brokerB.stop();
        brokerA.stop();
        brokerA.wipeAndStart(contenderName);
        brokerB.wipeAndStart(contenderName);
        brokerA.awaitReady();
        brokerB.awaitReady();
        System.out.printf("  fresh clusters A and B (wiped, formatted, started) in %.1f s%n", (System.nanoTime() - t) / 1e9);
        warmBrokers();
    }

    /**
     * Warms both fresh broker JVMs before a contender starts: each broker gets {@code --broker-warmup} records
     * produced to a topic {@code warmup} (8 partitions, not matched by any contender's filter) and read back, so
     * its produce and fetch paths are JIT-compiled. Without it a broker's own compilation (measured: about 4.7
     * CPU-seconds on B, more than its request handling) competes with the contender for the 2 cores inside the
     * measured window. Every contender gets the same warm-up; the topic is deleted by the next wipe.
     */
    private void warmBrokers() throws InterruptedException {
        if (opt.brokerWarmup <= 0) {
            return;
        }
        long t = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Exception> error = new AtomicReference<>();
        for (Broker b : List.of(brokerA, brokerB)) {
            Thread th = new Thread(() -> {
                try {
                    warmBroker(b);
                } catch (Exception e) {
                    error.compareAndSet(null, e);
                }
            }, "warmup-" + b.name);
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        if (error.get() != null) {
            throw new IllegalStateException("broker warm-up failed: " + error.get(), error.get());
        }
        System.out.printf("  warmed both brokers (%,d records produced and read back on each) in %.1f s%n",
                opt.brokerWarmup, (System.nanoTime() - t) / 1e9);
    }

    private void warmBroker(Broker b) throws Exception {
        String topic = "warmup";
        int parts = 8;
        try (Admin admin = admin(b)) {
            createTopics(admin, List.of(topic), parts);
        }
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap());
        pc.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-warmup-" + b.name);
        pc.put(ProducerConfig.ACKS_CONFIG, "all");
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        pc.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        pc.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        ValueMaker values = new ValueMaker(opt.size);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc)) {
            for (long i = 0; i < opt.brokerWarmup; i++) {
                ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, (int) (i % parts),
                        ("k" + i).getBytes(StandardCharsets.US_ASCII), values.next());
                rec.headers().add("h", new byte[]{(byte) i});
                producer.send(rec);
            }
            producer.flush();
        }
        Map<String, Object> cc = new HashMap<>();
        cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap());
        cc.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-warmup-reader-" + b.name);
        cc.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        cc.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        cc.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cc)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long read = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (read < opt.brokerWarmup && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
    }

    private double brokersCpu() {
        return cpuSeconds(brokerA.process) + cpuSeconds(brokerB.process);
    }

    /** CPU seconds used so far by the contender, the brokers, this JVM and the whole machine (/proc/stat). */
    record CpuSnapshot(long nanoTime, double contender, double brokers, double self, double machine) {
    }

    private CpuSnapshot cpuSnapshot(Process contenderProcess) {
        return new CpuSnapshot(System.nanoTime(), cpuSeconds(contenderProcess), brokersCpu(),
                ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN),
                machineBusySeconds());
    }

    /** Sets the CPU figures of a measured window, each in % of one core. */
    private static void cpuWindow(Result r, CpuSnapshot a, CpuSnapshot b) {
        if (a == null || b == null || b.nanoTime() <= a.nanoTime()) {
            return;
        }
        double window = (b.nanoTime() - a.nanoTime()) / 1e9;
        r.cpuPct = 100 * (b.contender() - a.contender()) / window;
        r.brokersPct = 100 * (b.brokers() - a.brokers()) / window;
        r.selfPct = 100 * (b.self() - a.self()) / window;
        double machine = 100 * (b.machine() - a.machine()) / window;
        r.othersPct = Math.max(0, machine - r.cpuPct - r.brokersPct - r.selfPct);
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

    // ------------------------------------------------------------------------------------------ kafka helpers

    static Admin admin(Broker b) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "bench-admin-" + b.name);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        return Admin.create(p);
    }

    static List<String> remote(List<String> topics) {
        return topics.stream().map(t -> SOURCE_ALIAS + "." + t).toList();
    }

    /**
     * Creates the topics (RF 1) and waits until every partition is hosted by its leader: ListOffsets reaches the
     * leader's log. Producing earlier races the broker applying the new topic, and an idempotent producer can then
     * fail with OutOfOrderSequence (KAFKA-15591; seen here with 1,000 new partitions).
     */
    static void createTopics(Admin admin, List<String> topics, int partitions) throws Exception {
        List<NewTopic> nt = topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList();
        admin.createTopics(nt).all().get(60, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (String t : topics) {
            for (int i = 0; i < partitions; i++) {
                req.put(new TopicPartition(t, i), OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.listOffsets(req, new ListOffsetsOptions().timeoutMs(10_000)).all().get(11, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions of " + topics + " not hosted after 60 s: " + e);
                }
            }
            Thread.sleep(100);
        }
    }

    /** The transactional loop's compacted progress topic on B ({@link TransactionalLoop#PROGRESS_TOPIC}). */
    static void createProgressTopic(Admin adminB) throws Exception {
        adminB.createTopics(List.of(new NewTopic(TransactionalLoop.PROGRESS_TOPIC, 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get(60, TimeUnit.SECONDS);
    }

    /**
     * End offsets (latest) of a fixed set of topics with a known partition count, via Admin listOffsets. A topic that
     * does not exist yet counts 0. Each partition keeps the highest offset seen, so a failed call never lowers a sum.
     */
    static final class OffsetReader {
        private final Admin admin;
        private final List<String> topics;
        private final int partitions;
        private final Set<String> existing = new HashSet<>();
        private final Map<TopicPartition, Long> ends = new HashMap<>();
        private final IsolationLevel isolation;

        /**
         * @param committed true: last stable offsets ({@code READ_COMMITTED}: up to the first open transaction,
         *                  commit markers included); false: high watermarks
         */
        OffsetReader(Admin admin, List<String> topics, int partitions, boolean committed) {
            this.admin = admin;
            this.topics = topics;
            this.partitions = partitions;
            this.isolation = committed ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
        }

        OffsetReader(Admin admin, List<String> topics, int partitions) {
            this(admin, topics, partitions, false);
        }

        long read() {
            if (existing.size() < topics.size()) {
                try {
                    Set<String> names = admin.listTopics(new ListTopicsOptions().timeoutMs((int) ADMIN_TIMEOUT.toMillis()))
                            .names().get(ADMIN_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
                    for (String t : topics) {
                        if (names.contains(t)) {
                            existing.add(t);
                        }
                    }
                } catch (Exception e) {
                    return sum();
                }
            }
            if (!existing.isEmpty()) {
                Map<TopicPartition, OffsetSpec> req = new HashMap<>();
                for (String t : existing) {
                    for (int i = 0; i < partitions; i++) {
                        req.put(new TopicPartition(t, i), OffsetSpec.latest());
                    }
                }
                ListOffsetsResult res = admin.listOffsets(req, new ListOffsetsOptions(isolation).timeoutMs((int) ADMIN_TIMEOUT.toMillis()));
                for (TopicPartition tp : req.keySet()) {
                    try {
                        long off = res.partitionResult(tp).get(ADMIN_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS).offset();
                        ends.merge(tp, off, Math::max);
                    } catch (Exception e) {
                        // partition not ready yet, or a slow answer: keep the last value
                    }
                }
            }
            return sum();
        }

        long sum() {
            return ends.values().stream().mapToLong(Long::longValue).sum();
        }

        Map<TopicPartition, Long> snapshot() {
            Map<TopicPartition, Long> m = new HashMap<>();
            for (String t : topics) {
                for (int i = 0; i < partitions; i++) {
                    TopicPartition tp = new TopicPartition(t, i);
                    m.put(tp, ends.getOrDefault(tp, 0L));
                }
            }
            return m;
        }
    }

    /**
     * Counts the records of the target topics that a {@code read_committed} consumer sees (exactly-once contenders:
     * end offsets also count commit markers and aborted records). Assigned to every partition from the beginning;
     * each {@link #countUpTo} call reads on from where the last one stopped. Not thread-safe: the orchestrator's
     * main thread only.
     */
    static final class CommittedCounter implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicPartition> tps = new ArrayList<>();
        private final Map<TopicPartition, Long> counts = new HashMap<>();

        CommittedCounter(String bootstrap, List<String> topics, int partitions) {
            Map<String, Object> cc = new HashMap<>();
            cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cc.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-committed-counter");
            cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            cc.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            cc.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            consumer = new KafkaConsumer<>(cc);
            for (String t : topics) {
                for (int i = 0; i < partitions; i++) {
                    TopicPartition tp = new TopicPartition(t, i);
                    tps.add(tp);
                    counts.put(tp, 0L);
                }
            }
        }

        /**
         * Reads until every partition's position reaches {@code ends} (last stable offsets), at most
         * {@link #COUNT_TIMEOUT}. @return the total count so far
         */
        long countUpTo(Map<TopicPartition, Long> ends) {
            if (consumer.assignment().isEmpty()) {
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
            }
            long deadline = System.nanoTime() + COUNT_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                boolean behind = false;
                for (TopicPartition tp : tps) {
                    if (consumer.position(tp, Duration.ofSeconds(30)) < ends.getOrDefault(tp, 0L)) {
                        behind = true;
                        break;
                    }
                }
                if (!behind) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    counts.merge(new TopicPartition(r.topic(), r.partition()), 1L, Long::sum);
                }
            }
            return total();
        }

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Records counted per target partition. */
        Map<TopicPartition, Long> counts() {
            return new HashMap<>(counts);
        }

        @Override
        public void close() {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    // ------------------------------------------------------------------------------------------ processes

    private Process startChild(ProcessBuilder pb) throws IOException {
        synchronized (children) {
            if (shuttingDown.get()) {
                throw new IllegalStateException("shutting down");
            }
            Process p = pb.start();
            children.add(p);
            return p;
        }
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. @return exit code, or null if unknown */
    private Integer stopProcess(Process p, Duration grace) {
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
    private void killAll() {
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

    static double cpuSeconds(Process p) {
        if (p == null) {
            return 0;
        }
        return p.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** VmHWM (peak resident set) of a live process, MB. */
    static double vmHwmMb(long pid) {
        return statusKb(pid, "VmHWM:") / 1024.0;
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

    /** Samples VmRSS every 200 ms and keeps the maximum (cross-check of VmHWM). */
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
                double kb = statusKb(pid, "VmRSS:");
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
            double kb = statusKb(pid, "VmRSS:");
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

    // ------------------------------------------------------------------------------------------ results

    static final class Result {
        final String name;
        String status = "?";
        double recPerSec = Double.NaN;
        double mbPerSec = Double.NaN;
        double firstSec = Double.NaN;
        double totalSec = Double.NaN;
        double rssHwmMb = Double.NaN;
        double rssSampledMb = Double.NaN;
        double cpuSec = Double.NaN;
        double cpuPct = Double.NaN;
        double brokersCpuSec = Double.NaN;
        double brokersPct = Double.NaN;
        double selfPct = Double.NaN;
        double othersPct = Double.NaN;
        int partitionsEqual;
        int partitionsTotal;
        long missing;
        long duplicates;
        /** Exactly-once: records a read_committed consumer found on the target (-1 = not counted). */
        long committed = -1;
        Integer exit;
        long latCount;
        long latSent;
        int p50 = -1;
        int p99 = -1;
        int max = -1;

        Result(String name) {
            this.name = name;
        }
    }

    /** Contender CPU seconds per record in the measured window (NaN if unknown). */
    private static double cpuPerRecord(Result r) {
        return r.cpuPct / 100 / r.recPerSec;
    }

    /** The row of contender {@code kind} with the same delivery as {@code r} (mm2 for vmm, mm2-eos for vmm-eos), or null. */
    private static Result peer(List<Result> results, Result r, String kind) {
        String name = exactlyOnce(r.name) ? kind + EOS_SUFFIX : kind;
        return results.stream().filter(x -> x.name.equals(name)).findFirst().orElse(null);
    }

    /** For an exactly-once row: the same contender's at-least-once row of this run, or null. */
    private static Result atLeastOnceOf(List<Result> results, Result r) {
        if (!exactlyOnce(r.name)) {
            return null;
        }
        return results.stream().filter(x -> x.name.equals(kind(r.name))).findFirst().orElse(null);
    }

    private static double p99(Result r) {
        return r == null || r.p99 < 0 ? Double.NaN : r.p99;
    }

    private void printTable(List<Result> results) throws IOException, InterruptedException {
        boolean anyEos = results.stream().anyMatch(r -> exactlyOnce(r.name));
        boolean bothDeliveries = results.stream().anyMatch(r -> atLeastOnceOf(results, r) != null);
        System.out.println("=".repeat(100));
        System.out.println("RESULTS  mode " + opt.mode.name().toLowerCase(Locale.ROOT)
                + (opt.mode == Mode.LATENCY
                ? String.format(", %,d rec/s x %d B, %d partitions, %d s measured after %d s warm-up", opt.rate, opt.size, opt.partitions(), opt.seconds, opt.warmup)
                : String.format(", %,d records x %d B, %d topic(s) x %d partitions", opt.records(), opt.size, opt.topicCount(), opt.partitions()))
                + ", tasks " + opt.tasks
                + (anyEos ? String.format(", exactly-once commit interval %,d ms", commitMs()) : ""));
        System.out.println("machine  nproc " + Runtime.getRuntime().availableProcessors() + ", MemTotal " + memTotal() + ", " + cpuModel());
        System.out.println("java     " + String.join(" | ", javaVersion()));
        System.out.println("load avg " + loadAvg() + " (now)");
        System.out.println();
        List<String> header = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        if (opt.mode == Mode.LATENCY) {
            header.addAll(List.of("contender", "status", "p50 ms", "p99 ms", "max ms", "count", "missing", "extra",
                    "first-record s", "peak RSS MB", "CPU %", "CPU us/rec", "others CPU %", "p99 vs mm2", "p99 vs plain", "RSS vs mm2", "RSS vs plain"));
            if (bothDeliveries) {
                header.add("p99 vs own ALO");
            }
            for (Result r : results) {
                Result mm2 = peer(results, r, "mm2");
                Result plain = peer(results, r, "plain");
                List<String> row = new ArrayList<>(List.of(r.name, r.status, intOrDash(r.p50), intOrDash(r.p99), intOrDash(r.max),
                        String.format("%,d", r.latCount), String.format("%,d", r.missing), String.format("%,d", r.duplicates),
                        fmt(r.firstSec, "%.2f"), fmt(r.rssHwmMb, "%.0f"), fmt(r.cpuPct, "%.0f"),
                        fmt(r.cpuPct / 100 / opt.rate * 1e6, "%.1f"), fmt(r.othersPct, "%.0f"),
                        ratio(p99(r), p99(mm2)), ratio(p99(r), p99(plain)),
                        ratio(r.rssHwmMb, mm2 == null ? Double.NaN : mm2.rssHwmMb),
                        ratio(r.rssHwmMb, plain == null ? Double.NaN : plain.rssHwmMb)));
                if (bothDeliveries) {
                    row.add(ratio(p99(r), p99(atLeastOnceOf(results, r))));
                }
                rows.add(row);
            }
        } else {
            header.addAll(List.of("contender", "status", "rec/s", "MB/s", "first-record s", "total s", "peak RSS MB", "CPU %",
                    "CPU us/rec", "brokers us/rec", "others CPU %"));
            if (opt.mode == Mode.PARTITIONS) {
                header.addAll(List.of("rec/s per partition", "RSS KB per partition"));
            }
            header.addAll(List.of("rec/s vs mm2", "rec/s vs plain", "CPU/rec vs mm2", "CPU/rec vs plain", "RSS vs mm2",
                    "RSS vs plain"));
            if (bothDeliveries) {
                header.add("rec/s vs own ALO");
            }
            header.add("offsets");
            for (Result r : results) {
                Result mm2 = peer(results, r, "mm2");
                Result plain = peer(results, r, "plain");
                List<String> row = new ArrayList<>(List.of(r.name, r.status, fmt(r.recPerSec, "%,.0f"), fmt(r.mbPerSec, "%.1f"),
                        fmt(r.firstSec, "%.2f"), fmt(r.totalSec, "%.2f"), fmt(r.rssHwmMb, "%.0f"), fmt(r.cpuPct, "%.0f"),
                        fmt(r.cpuPct / 100 / r.recPerSec * 1e6, "%.1f"), fmt(r.brokersPct / 100 / r.recPerSec * 1e6, "%.1f"),
                        fmt(r.othersPct, "%.0f")));
                if (opt.mode == Mode.PARTITIONS) {
                    row.add(fmt(r.recPerSec / opt.totalPartitions(), "%,.1f"));
                    row.add(fmt(r.rssHwmMb * 1024 / opt.totalPartitions(), "%,.0f"));
                }
                row.add(ratio(r.recPerSec, mm2 == null ? Double.NaN : mm2.recPerSec));
                row.add(ratio(r.recPerSec, plain == null ? Double.NaN : plain.recPerSec));
                row.add(ratio(cpuPerRecord(r), mm2 == null ? Double.NaN : cpuPerRecord(mm2)));
                row.add(ratio(cpuPerRecord(r), plain == null ? Double.NaN : cpuPerRecord(plain)));
                row.add(ratio(r.rssHwmMb, mm2 == null ? Double.NaN : mm2.rssHwmMb));
                row.add(ratio(r.rssHwmMb, plain == null ? Double.NaN : plain.rssHwmMb));
                if (bothDeliveries) {
                    Result alo = atLeastOnceOf(results, r);
                    row.add(ratio(r.recPerSec, alo == null ? Double.NaN : alo.recPerSec));
                }
                row.add((r.committed >= 0 ? String.format("%,d committed, ", r.committed) : "")
                        + (r.partitionsTotal == 0 ? "-" : r.partitionsEqual + "/" + r.partitionsTotal + " equal"
                        + (r.duplicates > 0 ? ", " + r.duplicates + " dup" : "") + (r.missing > 0 ? ", " + r.missing + " missing" : "")));
                rows.add(row);
            }
        }
        printAligned(header, rows);
        System.out.println();
        if (opt.mode == Mode.LATENCY) {
            System.out.println("latency = receive wall-clock ms on B - record timestamp set at send on A (same JVM clock); "
                    + "CPU % = contender CPU over the producing window, % of one core; CPU us/rec = that CPU per produced record");
        } else {
            System.out.println("rec/s = N / (t_last - t_first) from target end offsets polled every " + opt.pollMs()
                    + " ms; first-record s = t_first - process start; CPU % = contender CPU in [t_first, t_last], % of one core");
            System.out.println("CPU us/rec = contender (or brokers) CPU in the window per mirrored record: what decides throughput "
                    + "when the brokers run on other machines; CPU/rec ratio below 1 = less CPU per record than that contender");
        }
        System.out.println("others CPU % = whole machine (/proc/stat) minus contender, brokers and orchestrator, same window; "
                + "above ~20 % something else competed for the cores");
        System.out.println("peak RSS = VmHWM of the contender's JVM just before SIGTERM; ratios = this row / that row"
                + (anyEos ? " of the same delivery (vmm-eos / mm2-eos)" : "") + "; "
                + (opt.mode == Mode.LATENCY ? "" : "MB/s counts values only; ")
                + "expect +-10-15 % run-to-run noise (brokers share the cores)");
        if (anyEos) {
            System.out.println(opt.mode == Mode.LATENCY
                    ? "exactly-once rows (-eos): the consumer on B reads with read_committed, so latency includes the wait for the commit"
                    : "exactly-once rows (-eos): t_last = first poll that saw the final last stable offsets; records counted "
                    + "with a read_committed consumer on B (\"committed\"); \"equal\" compares those counts per partition with the source");
            printEosTargets(results);
        }
    }

    /** Issue 16's benchmark targets for our exactly-once row, with the figures of this run. */
    private void printEosTargets(List<Result> results) {
        Result ours = results.stream().filter(r -> r.name.equals("vmm" + EOS_SUFFIX)).findFirst().orElse(null);
        if (ours == null) {
            return;
        }
        Result mm2 = peer(results, ours, "mm2");
        Result alo = atLeastOnceOf(results, ours);
        System.out.println("issue 16 targets (vmm-eos):");
        if (opt.mode == Mode.LATENCY) {
            long limit = commitMs() + 50;
            System.out.printf("  p99 %s ms <= commit interval + 50 ms = %,d ms: %s%n", intOrDash(ours.p99), limit,
                    ours.p99 < 0 ? "-" : ours.p99 <= limit ? "met" : "NOT met");
            return;
        }
        if (alo != null) {
            double q = ours.recPerSec / alo.recPerSec;
            System.out.printf("  >= 0.8x our at-least-once rec/s: %s (%s vs %s): %s%n", ratio(ours.recPerSec, alo.recPerSec),
                    fmt(ours.recPerSec, "%,.0f"), fmt(alo.recPerSec, "%,.0f"), Double.isNaN(q) ? "-" : q >= 0.8 ? "met" : "NOT met");
        } else {
            System.out.println("  >= 0.8x our at-least-once rec/s: no vmm row in this run (--delivery both, or compare with the latest"
                    + " at-least-once figure in README.md \"Performance\")");
        }
        if (mm2 != null) {
            double q = ours.recPerSec / mm2.recPerSec;
            System.out.printf("  >= 3x MM2's exactly-once rec/s: %s (%s vs %s): %s%n", ratio(ours.recPerSec, mm2.recPerSec),
                    fmt(ours.recPerSec, "%,.0f"), fmt(mm2.recPerSec, "%,.0f"), Double.isNaN(q) ? "-" : q >= 3 ? "met" : "NOT met");
        }
    }

    private static void printAligned(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header, w);
        StringBuilder sep = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            sep.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
        }
        sb.append(sep).append('\n');
        for (List<String> r : rows) {
            appendRow(sb, r, w);
        }
        System.out.print(sb);
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] w) {
        for (int i = 0; i < w.length; i++) {
            String c = cells.get(i);
            if (i > 0) {
                sb.append(" | ");
            }
            // text columns left-aligned, numbers right-aligned
            if (i < 2) {
                sb.append(c).append(" ".repeat(w[i] - c.length()));
            } else {
                sb.append(" ".repeat(w[i] - c.length())).append(c);
            }
        }
        sb.append('\n');
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(f, v);
    }

    private static String intOrDash(int v) {
        return v < 0 ? "-" : Integer.toString(v);
    }

    private static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "-";
        }
        return String.format("%.2fx", a / b);
    }

    // ------------------------------------------------------------------------------------------ machine

    private static String fileSystemType(Path dir) {
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

    private static String memTotal() {
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

    private static String cpuModel() {
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

    private static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private List<String> cachedJavaVersion;

    private List<String> javaVersion() throws IOException, InterruptedException {
        if (cachedJavaVersion == null) {
            Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            cachedJavaVersion = out.lines().filter(l -> !l.isBlank()).toList();
        }
        return cachedJavaVersion;
    }

    // ------------------------------------------------------------------------------------------ misc

    private static List<String> flags(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
    }

    private static String abbreviate(List<String> cmd) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cmd.size(); i++) {
            String c = cmd.get(i);
            if (i > 0 && cmd.get(i - 1).equals("-cp") && c.length() > 80) {
                out.add("<" + (cmd.get(i + 1).contains("MirrorMaker") ? MM2_CLASSPATH : "target/test-classes:" + TEST_CLASSPATH) + ">");
            } else {
                out.add(c);
            }
        }
        return String.join(" ", out);
    }

    private static boolean acceptsConnections(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A TCP port free on 127.0.0.1 right now (MM2's internal REST server). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
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

    private static void sleepNanos(long nanos) throws InterruptedException {
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
