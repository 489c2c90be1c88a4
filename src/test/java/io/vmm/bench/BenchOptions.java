package io.vmm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's options ({@code bench/run --help}): parsing and validation of the command line, the usage text,
 * the measuring {@link Mode}, the {@link Delivery} guarantee, the source data's codec ({@code --codec}) and the
 * expansion of {@code --contenders} into the contender list ({@code vmm}, {@code mm2}, {@code mm2-compressed},
 * {@code plain}, each optionally with {@code -eos}, and {@code vmm-batch} and {@code plain-defaults}, at-least-once
 * only).
 *
 * <p>Pure: no I/O except that {@link #parse} prints the usage and exits the JVM (code 0 for {@code --help}, 2 for an
 * invalid option). Not thread-safe; the orchestrator's main thread builds it once and then only reads it.
 */
final class BenchOptions {

    enum Mode { THROUGHPUT, LATENCY, PARTITIONS }

    /** Which delivery guarantee the contenders run with; BOTH runs each contender twice, at-least-once first. */
    enum Delivery { AT_LEAST_ONCE, EXACTLY_ONCE, BOTH }

    /** The tuned plain loop: our mirror's own client settings ({@link LoopSettings}); the "vs plain" ratios use it. */
    static final String PLAIN = "plain";
    /** The plain loop with kafka-clients defaults; no exactly-once mode. */
    static final String PLAIN_DEFAULTS = "plain-defaults";
    /** Our jar as {@code vmm} with the batch pass-through data path ({@code vmm.data.path=batch}); no exactly-once mode. */
    static final String VMM_BATCH = "vmm-batch";
    /** MM2 as {@code mm2} with its target producer compressing with {@code --codec}; needs a codec. */
    static final String MM2_COMPRESSED = "mm2-compressed";
    static final List<String> KINDS = List.of("vmm", VMM_BATCH, "mm2", MM2_COMPRESSED, PLAIN, PLAIN_DEFAULTS);
    static final String EOS_SUFFIX = "-eos";
    /** {@code --codec} values: the source data's compression ({@code compression.type} of the loader). */
    static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    /** Value size, bytes, without {@code --size}: uncompressed data (512 B) and with a codec (1 KB JSON-like records). */
    static final int DEFAULT_SIZE = 512;
    static final int DEFAULT_CODEC_SIZE = 1024;

    /** True for a contender that runs in exactly-once mode ({@code vmm-eos}, {@code mm2-eos}, {@code plain-eos}). */
    static boolean exactlyOnce(String contender) {
        return contender.endsWith(EOS_SUFFIX);
    }

    /** The contender's program: vmm, mm2, plain or plain-defaults (without the {@code -eos} suffix). */
    static String kind(String contender) {
        return exactlyOnce(contender) ? contender.substring(0, contender.length() - EOS_SUFFIX.length()) : contender;
    }

    /** True for our jar ({@code vmm}, {@code vmm-eos}, {@code vmm-batch}). */
    static boolean ours(String contender) {
        return kind(contender).equals("vmm") || kind(contender).equals(VMM_BATCH);
    }

    /** True for Apache MM2 ({@code mm2}, {@code mm2-eos}, {@code mm2-compressed}, {@code mm2-compressed-eos}). */
    static boolean mm2(String contender) {
        return kind(contender).equals("mm2") || kind(contender).equals(MM2_COMPRESSED);
    }

    /** Why {@code kind} has no exactly-once mode, or null when it has one. */
    private static String atLeastOnceOnly(String kind) {
        return switch (kind) {
            case PLAIN_DEFAULTS -> PLAIN_DEFAULTS + " (the plain loop with kafka-clients defaults) runs at-least-once only;"
                    + " for exactly-once use plain-eos";
            default -> null;
        };
    }

    /** True for a hand-written loop ({@code plain}, {@code plain-eos}, {@code plain-defaults}): its remote topics are created beforehand. */
    static boolean plainLoop(String contender) {
        return kind(contender).equals(PLAIN) || kind(contender).equals(PLAIN_DEFAULTS);
    }

    /**
     * The contenders to run, in order: each name of {@code --contenders} is {@code vmm}, {@code mm2},
     * {@code mm2-compressed} or {@code plain}, optionally with {@code -eos}, or {@code vmm-batch} or
     * {@code plain-defaults}. A name without the suffix runs with {@code --delivery}: as it is (at-least-once), with
     * {@code -eos} (exactly-once), or both, at-least-once first. {@code vmm-batch} and {@code plain-defaults} have no
     * exactly-once mode: they run at-least-once with {@code --delivery both}.
     *
     * @throws IllegalArgumentException for an unknown name, {@code vmm-batch-eos} or {@code plain-defaults-eos},
     *                                  {@code vmm-batch} or {@code plain-defaults} with {@code --delivery exactly-once},
     *                                  or a contender listed twice (after expansion)
     */
    static List<String> expandContenders(List<String> names, Delivery delivery) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!KINDS.contains(kind(n))) {
                throw new IllegalArgumentException("unknown contender '" + n + "' (known: vmm, mm2, " + MM2_COMPRESSED
                        + ", plain, each optionally with " + EOS_SUFFIX + ", and " + VMM_BATCH + ", " + PLAIN_DEFAULTS + ")");
            }
            String aloOnly = atLeastOnceOnly(kind(n));
            if (aloOnly != null) {
                if (exactlyOnce(n) || delivery == Delivery.EXACTLY_ONCE) {
                    throw new IllegalArgumentException(aloOnly);
                }
                out.add(n);
            } else if (exactlyOnce(n)) {
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

    /**
     * Parses {@code --rounds}: a positive whole number ({@code _} and {@code ,} allowed as digit separators).
     *
     * @throws IllegalArgumentException for anything else (zero, negative, not a number, above {@code int})
     */
    static int parseRounds(String v) {
        int n;
        try {
            n = Integer.parseInt(v.trim().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rounds needs a positive whole number, got '" + v + "'");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("--rounds must be positive, got " + v);
        }
        return n;
    }

    /**
     * Parses {@code --codec}: none, gzip, snappy, lz4 or zstd (any case).
     *
     * @throws IllegalArgumentException for anything else
     */
    static String parseCodec(String v) {
        String c = v.trim().toLowerCase(Locale.ROOT);
        if (!CODECS.contains(c)) {
            throw new IllegalArgumentException("--codec must be one of " + String.join(", ", CODECS) + ", got '" + v + "'");
        }
        return c;
    }

    /**
     * Checks that the contenders fit the codec: {@code mm2-compressed} (MM2 compressing with the source's codec)
     * needs a codec other than none.
     *
     * @throws IllegalArgumentException when it does not
     */
    static void checkCodec(List<String> contenders, String codec) {
        if (codec.equals("none") && contenders.stream().anyMatch(c -> kind(c).equals(MM2_COMPRESSED))) {
            throw new IllegalArgumentException(MM2_COMPRESSED + " compresses with the source data's codec: it needs"
                    + " --codec gzip|snappy|lz4|zstd");
        }
    }

    /** Parses {@code --delivery}: at-least-once, exactly-once or both (also with underscores; any case). */
    static Delivery parseDelivery(String v) {
        try {
            return Delivery.valueOf(v.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--delivery must be at-least-once, exactly-once or both, got '" + v + "'");
        }
    }

    Mode mode = Mode.THROUGHPUT;
    Long records;
    /** Value size, bytes: {@code --size}, else {@link #DEFAULT_SIZE}, or {@link #DEFAULT_CODEC_SIZE} with a codec. */
    int size = DEFAULT_SIZE;
    /** Whether {@code --size} was given (then it holds with a codec too). */
    boolean sizeGiven;
    /**
     * The source data's codec ({@code --codec}, {@link #CODECS}): the loader's {@code compression.type}, and the
     * tuned loops' and {@code mm2-compressed}'s producer {@code compression.type}; with a codec other than none the
     * values are JSON-like text ({@link ValueMaker#json}).
     */
    String codec = "none";
    Integer partitions;
    int topics = 10;
    int tasks = 2;
    List<String> contenders = List.of("vmm", "mm2", PLAIN);
    Delivery delivery = Delivery.AT_LEAST_ONCE;
    /** Exactly-once: our transaction.boundary.interval.ms and the transactional loop's; null = our default. */
    Long commitMs;
    int rate = 5_000;
    int seconds = 30;
    int warmup = 5;
    String vmmJvm = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError";
    String mm2Jvm = "-Xms256M -Xmx2G";
    String plainJvm = "-Xmx256m";
    List<String> mm2Props = new ArrayList<>();
    /** Extra {@code KEY=VALUE} entries for our mirror's source connector {@code config} ({@code --vmm-prop}). */
    List<String> vmmProps = new ArrayList<>();
    int timeoutSeconds = 600;
    /** How many times the whole contender list runs, round after round (each contender on fresh clusters). */
    int rounds = 1;
    long brokerWarmup = 300_000;
    Integer pollMs;
    // tmpfs when there is one: ext4 index-file creation costs distort partitions mode (bench/README.md)
    Path dataDir = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))
            ? Path.of("/dev/shm/vmm-bench") : Bench.BENCH_DIR;

    /** True when the source data is compressed ({@code --codec} other than none). */
    boolean compressed() {
        return !codec.equals("none");
    }

    /** The record values' shape: JSON-like text with a codec, else half random bytes and half fixed text. */
    ValueMaker values() {
        return compressed() ? ValueMaker.json(size) : new ValueMaker(size);
    }

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


    static final String USAGE = String.join("\n",
            "usage: bench/run [options]",
            "  --mode throughput|latency|partitions   what to measure (default throughput)",
            "  --records N        records loaded before each contender starts (default 1,000,000; partitions mode 200,000)",
            "  --size BYTES       value size (default 512; with --codec 1024)",
            "  --codec C          none|gzip|snappy|lz4|zstd: the source data's compression (loader's compression.type); with a codec the",
            "                     values are JSON-like text (default none: half random bytes, half fixed text)",
            "  --partitions P     partitions per topic (default 8; partitions mode 100)",
            "  --topics K         partitions mode: topics bench-0..bench-(K-1) (default 10)",
            "  --tasks T          our tasksMax and MM2's tasks.max (default 2)",
            "  --contenders LIST  comma-separated, run in this order (default vmm,mm2,plain); a name with -eos (vmm-eos, mm2-eos, plain-eos) runs exactly-once;",
            "                     vmm-batch = our jar with the batch pass-through path (vmm.data.path=batch; vmm-batch-eos: exactly-once);",
            "                     mm2-compressed = mm2 whose producer compresses with --codec (B.producer.compression.type; needs --codec);",
            "                     plain = the plain loop with our mirror's client settings (the \"vs plain\" ratios), plain-defaults = the same loop",
            "                     with kafka-clients defaults (at-least-once only)",
            "  --delivery D       at-least-once (default), exactly-once (every contender in its exactly-once mode) or both (each contender twice)",
            "  --commit-ms MS     exactly-once: our transaction.boundary.interval.ms and the transactional loop's commit interval (default: our mirror's default)",
            "  --rate R           latency mode: records/s produced (default 5,000)",
            "  --seconds S        latency mode: measured seconds (default 30)",
            "  --warmup S         latency mode: warm-up seconds before measuring (default 5)",
            "  --vmm-jvm FLAGS    JVM flags of our mirror (default \"-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError\", as the README recommends)",
            "  --mm2-jvm FLAGS    JVM flags of MM2 (default \"-Xms256M -Xmx2G\", as connect-mirror-maker.sh)",
            "  --plain-jvm FLAGS  JVM flags of the plain loops (default \"-Xmx256m\")",
            "  --mm2-prop K=V     extra line for mm2.properties (repeatable), e.g. tuning experiments",
            "  --vmm-prop K=V     extra key of our mirror's sourceConnector config (repeatable, a string value), e.g. producer.override.batch.size=16384",
            "  --timeout S        per contender: deadline to mirror everything (default 600)",
            "  --rounds N         run the whole contender list N times, round after round; N > 1 adds a table of medians (default 1)",
            "  --broker-warmup N  records produced to and read back from each fresh broker before a contender starts, so broker JIT is out of the measured window (default 300,000; 0 = off)",
            "  --poll-ms MS       target end-offset polling interval (default 20; partitions mode 100)",
            "  --data-dir DIR     broker data in DIR/A and DIR/B (default /dev/shm/vmm-bench when /dev/shm exists, else target/bench)");

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
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
                    "--warmup", "--timeout", "--broker-warmup", "--poll-ms", "--vmm-jvm", "--mm2-jvm", "--plain-jvm", "--mm2-prop", "--vmm-prop",
                    "--contenders", "--data-dir", "--delivery", "--commit-ms", "--rounds", "--codec").contains(optName)) {
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
                    case "--size" -> {
                        o.size = (int) positiveLong(a, v);
                        o.sizeGiven = true;
                    }
                    case "--codec" -> {
                        try {
                            o.codec = parseCodec(v);
                        } catch (IllegalArgumentException e) {
                            usage(e.getMessage());
                        }
                    }
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
                    case "--vmm-prop" -> {
                        if (!v.contains("=")) {
                            usage("--vmm-prop needs KEY=VALUE, got '" + v + "'");
                        }
                        o.vmmProps.add(v);
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
                    case "--rounds" -> {
                        try {
                            o.rounds = parseRounds(v);
                        } catch (IllegalArgumentException e) {
                            usage(e.getMessage());
                        }
                    }
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
        if (!o.sizeGiven && o.compressed()) {
            o.size = DEFAULT_CODEC_SIZE;
        }
        try {
            o.contenders = expandContenders(o.contenders, o.delivery);
            checkCodec(o.contenders, o.codec);
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
}
