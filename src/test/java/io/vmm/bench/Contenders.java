package io.vmm.bench;

import io.vertx.core.json.JsonObject;
import io.vmm.config.ConfigParser;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.Environment;
import io.vmm.config.FlowSpec;
import io.vmm.config.MirrorMakerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.vmm.bench.Bench.BENCH_DIR;
import static io.vmm.bench.Bench.HOST;
import static io.vmm.bench.Bench.LOG_DIR;
import static io.vmm.bench.Bench.MM2_CLASSPATH;
import static io.vmm.bench.Bench.MM2_LOG4J;
import static io.vmm.bench.Bench.STOP_GRACE;
import static io.vmm.bench.Bench.TEST_CLASSPATH;
import static io.vmm.bench.Bench.VMM_JAR;
import static io.vmm.bench.BenchOptions.exactlyOnce;
import static io.vmm.bench.BenchOptions.kind;
import static io.vmm.bench.BenchOptions.mm2;
import static io.vmm.bench.BenchOptions.ours;

/**
 * The contenders as child processes: writes each one's config ({@code target/bench/<name>.json} for ours,
 * {@code target/bench/<name>.properties} for MM2 and for the tuned loops' client settings), starts it ({@code vmm},
 * {@code mm2}, {@code mm2-compressed}, {@code plain} and their {@code -eos} modes, {@code vmm-batch} and
 * {@code plain-defaults}; output to {@code target/bench/logs/<name>.log}), and after the measurement reads its peak
 * RSS and CPU (and our jar's pass-through counters), stops it (SIGTERM, SIGKILL after 15 s) and summarizes its log. Also what the tuned loops copy from our mirror, read through our own
 * config parser: its client settings ({@link LoopSettings}) and its exactly-once commit rules.
 *
 * <p>Blocking; the orchestrator's main thread only ({@link #stopCurrent} may also run after a failure). At most
 * one contender runs at a time.
 */
final class Contenders {

    private final BenchOptions opt;
    private final Clusters clusters;
    private final ChildProcesses children;
    private final String classpath;
    private volatile Process contender;
    private CommitRules ourCommitRules;
    private LoopSettings loopSettings;

    /** @param classpath class path of the plain loops (target/test-classes and target/test.classpath) */
    Contenders(BenchOptions opt, Clusters clusters, ChildProcesses children, String classpath) {
        this.opt = opt;
        this.clusters = clusters;
        this.children = children;
        this.classpath = classpath;
    }

    /** A started contender: its process, its RSS sampler, the brokers' CPU seconds and System.nanoTime() at start. */
    record Started(Process process, ProcessStats.RssSampler rss, double brokersAtStart, long t0) {
    }

    /**
     * Prints the load average, then starts the contender and its RSS sampler. t0 is taken just before the process
     * starts.
     */
    Started launch(String name, Result r) throws IOException {
        ProcessStats.printLoadBeforeStart();
        double brokersAtStart = clusters.brokersCpu();
        long t0 = System.nanoTime();
        Process p = start(name);
        ProcessStats.RssSampler rss = new ProcessStats.RssSampler(p.pid());
        rss.start();
        return new Started(p, rss, brokersAtStart, t0);
    }

    private Process start(String name) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Bench.JAVA);
        boolean eos = exactlyOnce(name);
        switch (name) {
            case "vmm", "vmm-eos", BenchOptions.VMM_BATCH, BenchOptions.VMM_BATCH + BenchOptions.EOS_SUFFIX -> {
                Path conf = BENCH_DIR.resolve(name + ".json");
                Files.writeString(conf, vmmConfig(eos, opt.commitMs, kind(name).equals(BenchOptions.VMM_BATCH)));
                cmd.addAll(flags(opt.vmmJvm));
                cmd.addAll(List.of("-jar", VMM_JAR.toString(), "-conf", conf.toString()));
            }
            case "mm2", "mm2-eos", BenchOptions.MM2_COMPRESSED, BenchOptions.MM2_COMPRESSED + BenchOptions.EOS_SUFFIX -> {
                Path conf = BENCH_DIR.resolve(name + ".properties");
                Files.writeString(conf, mm2Config(eos, kind(name).equals(BenchOptions.MM2_COMPRESSED)));
                cmd.addAll(flags(opt.mm2Jvm));
                cmd.add("-Dlog4j2.configurationFile=" + MM2_LOG4J.toAbsolutePath());
                cmd.addAll(List.of("-cp", Files.readString(MM2_CLASSPATH).trim(),
                        "org.apache.kafka.connect.mirror.MirrorMaker", conf.toString()));
            }
            case "plain", "plain-defaults" -> {
                cmd.addAll(flags(opt.plainJvm));
                cmd.addAll(List.of("-cp", classpath, PlainLoop.class.getName(), clusters.a.bootstrap(),
                        clusters.b.bootstrap(), String.join(",", opt.sourceTopics())));
                if (name.equals("plain")) {
                    Path settings = BENCH_DIR.resolve(name + ".properties");
                    tunedLoopSettings().write(settings, "written by io.vmm.bench.Bench: the plain loop's client settings,"
                            + " our mirror's own (io.vmm.bench.LoopSettings)"
                            + (opt.compressed() ? ", and compression.type " + opt.codec + " (--codec)" : ""));
                    cmd.add(settings.toString());
                }
            }
            case "plain-eos" -> {
                cmd.addAll(flags(opt.plainJvm));
                CommitRules rules = ourCommitRules();
                Path settings = BENCH_DIR.resolve(name + ".properties");
                tunedLoopSettings().exactlyOnce(TransactionalLoop.TRANSACTIONAL_ID, rules.intervalMs()).write(settings,
                        "written by io.vmm.bench.Bench: the transactional loop's client settings, our mirror's own"
                                + " exactly-once ones (io.vmm.bench.LoopSettings)"
                                + (opt.compressed() ? ", and compression.type " + opt.codec + " (--codec)" : ""));
                cmd.addAll(List.of("-cp", classpath, TransactionalLoop.class.getName(), clusters.a.bootstrap(),
                        clusters.b.bootstrap(), String.join(",", opt.sourceTopics()), Long.toString(rules.intervalMs()),
                        Integer.toString(rules.partitionRecords()), Integer.toString(rules.partitionBytes()),
                        Integer.toString(rules.taskBytes()), settings.toString()));
            }
            default -> throw new IllegalArgumentException(name);
        }
        Path log = LOG_DIR.resolve(name + ".log");
        System.out.println("  start   " + abbreviate(cmd));
        System.out.println("  log     " + log);
        Process p = children.start(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()));
        contender = p;
        return p;
    }

    /**
     * Our mirror's config. Exactly-once: MM2's key {@code exactly.once.source.support=enabled} in the target
     * cluster's config, and {@code transaction.boundary.interval.ms} only when {@code commitMs} is given (else our
     * default). The data path is always written: {@code "vmm.data.path": "batch"} for {@code vmm-batch}, else
     * {@code "record"} (the default since the pass-through path has exactly-once, but {@code vmm} stays the record
     * path here); nothing else differs.
     */
    String vmmConfig(boolean eos, Long commitMs, boolean batch) {
        return """
                {
                  "clusters": [
                    { "alias": "A", "bootstrapServers": "%s", "config": {} },
                    { "alias": "B", "bootstrapServers": "%s", "config": { "offset.storage.replication.factor": 1%s } }
                  ],
                  "mirrors": [ {
                    "sourceCluster": "A", "targetCluster": "B",
                    "topicsPattern": "%s",
                    "sourceConnector": { "tasksMax": %d, "config": { "replication.factor": 1, "offset-syncs.topic.replication.factor": 1%s%s } },
                    "checkpointConnector": { "config": { "checkpoints.topic.replication.factor": 1 } },
                    "heartbeatConnector": { "config": { "heartbeats.topic.replication.factor": 1 } }
                  } ]
                }
                """.formatted(clusters.a.bootstrap(), clusters.b.bootstrap(), eos ? ", \"exactly.once.source.support\": \"enabled\"" : "",
                opt.topicsPattern().replace("\\", "\\\\"), opt.tasks,
                eos && commitMs != null ? ", \"transaction.boundary.interval.ms\": " + commitMs : "",
                ", \"" + ConnectorKeys.DATA_PATH + "\": \"" + (batch ? "batch" : "record") + "\"" + extraVmmProps());
    }

    /** {@code --vmm-prop} entries as JSON members, each {@code , "KEY": "VALUE"}. */
    private String extraVmmProps() {
        StringBuilder b = new StringBuilder();
        for (String kv : opt.vmmProps) {
            int eq = kv.indexOf('=');
            b.append(", ").append(io.vertx.core.json.Json.encode(kv.substring(0, eq))).append(": ")
                    .append(io.vertx.core.json.Json.encode(kv.substring(eq + 1)));
        }
        return b.toString();
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
     * {@code vmm.inflight.partition.max.bytes}, {@code vmm.inflight.task.max.bytes} as the record path resolves it: the
     * loop decodes every record). The transactional loop commits
     * on the same rules.
     */
    record CommitRules(long intervalMs, int partitionRecords, int partitionBytes, int taskBytes) {
    }

    CommitRules ourCommitRules() {
        if (ourCommitRules == null) {
            try {
                FlowSpec f = ourFlow(true);
                ConnectorConfig sc = f.sourceConnector().config();
                ourCommitRules = new CommitRules(f.transactionIntervalMs(),
                        Math.max(1, sc.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_RECORDS) / 2),
                        Math.max(1, sc.getInt(ConnectorKeys.INFLIGHT_PARTITION_MAX_BYTES) / 2),
                        Math.max(1, ConnectorKeys.inflightTaskMaxBytes(sc, false) / 2));
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("cannot read our mirror's exactly-once commit rules through "
                        + "io.vmm.config.ConfigParser: " + e, e);
            }
        }
        return ourCommitRules;
    }

    /**
     * The tuned loops' client settings: our mirror's data-path client settings for the at-least-once config the
     * benchmark gives {@code vmm}, read through our own config parser ({@link LoopSettings#of}).
     */
    LoopSettings loopSettings() {
        if (loopSettings == null) {
            try {
                loopSettings = LoopSettings.of(ourFlow(false));
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("cannot read our mirror's client settings through "
                        + "io.vmm.config.ConfigParser: " + e, e);
            }
        }
        return loopSettings;
    }

    /**
     * The tuned loops' settings for this run: {@link #loopSettings()}, plus {@code compression.type} = {@code --codec}
     * for the producer when the source data is compressed (a loop written by hand would keep the compression).
     */
    LoopSettings tunedLoopSettings() {
        return opt.compressed() ? loopSettings().withProducer("compression.type", opt.codec) : loopSettings();
    }

    /** The one flow of our mirror's config ({@link #vmmConfig}), parsed by our own config parser. */
    private FlowSpec ourFlow(boolean eos) {
        return ourConfig(eos).flows().get(0);
    }

    private MirrorMakerConfig ourConfig(boolean eos) {
        return ConfigParser.parse(new JsonObject(vmmConfig(eos, opt.commitMs, false)), new Environment(Map.of()));
    }

    /**
     * MM2's dedicated-mode config. Exactly-once as MM2 4.1.1 needs it: {@code B.exactly.once.source.support = enabled}
     * (a worker key of the target cluster), {@code A.consumer.isolation.level = read_committed} (else
     * MirrorSourceConnector reports exactly-once as unsupported), and the internal REST server
     * ({@code dedicated.mode.enable.internal.rest = true}, {@code listeners} on a free port) that KIP-710 added for
     * the leader's zombie fencing requests. {@code compressed} ({@code mm2-compressed}): the target worker's producer,
     * which writes the mirrored records, compresses with {@code --codec} ({@code B.producer.compression.type}: MM2
     * 4.1.1 builds herder A->B's worker config from the {@code B.}-prefixed keys; a top-level
     * {@code producer.compression.type} would not reach it).
     */
    private String mm2Config(boolean eos, boolean compressed) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "# written by io.vmm.bench.Bench: Apache MirrorMaker 2, dedicated mode, defaults except replication factors",
                "clusters = A, B",
                "A.bootstrap.servers = " + clusters.a.bootstrap(),
                "B.bootstrap.servers = " + clusters.b.bootstrap(),
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
        if (compressed) {
            lines.addAll(List.of("# mm2-compressed: the target producer compresses like the source data (--codec)",
                    "B.producer.compression.type = " + opt.codec));
        }
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
    void finish(Result r, Started s) throws InterruptedException {
        Process p = s.process();
        ProcessStats.RssSampler rss = s.rss();
        double brokersAtStart = s.brokersAtStart();
        rss.stop();
        if (p.isAlive()) {
            r.rssHwmMb = ProcessStats.vmHwmMb(p.pid());
            r.cpuSec = ProcessStats.cpuSeconds(p);
        }
        r.rssSampledMb = rss.maxMb();
        if (ours(r.name) && p.isAlive()) {
            PassThroughCounters.read(r, ourConfig(false).metricsPort());
        }
        r.brokersCpuSec = clusters.brokersCpu() - brokersAtStart;
        long t = System.nanoTime();
        Integer exit = children.stop(p, STOP_GRACE);
        r.exit = exit;
        contender = null;
        String hwm = Double.isNaN(r.rssHwmMb) ? "?" : String.format("%.0f", r.rssHwmMb);
        System.out.printf("  peak RSS %s MB (VmHWM; sampled VmRSS max %.0f MB); CPU from start to stop: contender %.1f s, brokers %.1f s%n",
                hwm, r.rssSampledMb, r.cpuSec, r.brokersCpuSec);
        if (!Double.isNaN(r.cpuPct)) {
            System.out.printf("  CPU in the measured window (%% of one core): contender %.0f %%, brokers %.0f %%, this orchestrator %.0f %%,"
                    + " other processes %.0f %%%s%n", r.cpuPct, r.brokersPct, r.selfPct, r.othersPct,
                    r.busy ? "  <- the machine was busy with something else: numbers are not comparable" : "");
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
            if (mm2(name)) {
                all.stream().filter(l -> l.contains("Kafka MirrorMaker started")).findFirst()
                        .ifPresent(l -> System.out.println("  mm2     " + l.trim()));
            }
        } catch (IOException | UncheckedIOException e) {
            System.out.println("  log     cannot read " + log + ": " + e);
        }
    }

    /** Stops the running contender, if any (SIGTERM, SIGKILL after 15 s). */
    void stopCurrent() {
        Process p = contender;
        if (p != null) {
            children.stop(p, STOP_GRACE);
            contender = null;
        }
    }


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

    /** A TCP port free on 127.0.0.1 right now (MM2's internal REST server). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }
}
