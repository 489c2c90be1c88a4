package io.vmm.quickstart;

import io.vmm.testkit.EmbeddedKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * README quickstart: two in-JVM Kafka clusters, a steady producer on A, and the mirror jar as a child process
 * mirroring A to B, with a one-line progress report per second.
 *
 * <pre>
 * mvn -q -DskipTests package &amp;&amp; java -cp "target/test-classes:$(cat target/test.classpath)" io.vmm.quickstart.Quickstart [--seconds N]
 * </pre>
 *
 * <ul>
 *   <li>Cluster A: 127.0.0.1:19092 (controller 19093); cluster B: 127.0.0.1:29092 (controller 29093), matching
 *       {@code conf/quickstart.json}.</li>
 *   <li>Topic {@code orders} (6 partitions) on A, about 2,000 records/s, keys {@code key-<n>}, header
 *       {@code source-seq}, small JSON values.</li>
 *   <li>Mirror: {@code java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar target/vertx-mirror-maker.jar -conf conf/quickstart.json}, output appended
 *       to {@code target/quickstart/mirror.log}. It is expected to create {@code A.orders} on B.</li>
 *   <li>Ctrl-C: stops the producer, SIGTERMs the mirror (waits up to 10 s), closes both clusters.</li>
 *   <li>{@code --seconds N}: stops by itself after N seconds; exit code 0 if anything was mirrored, else 1.</li>
 * </ul>
 *
 * Paths are relative to the current directory, which must be the project directory.
 */
public final class Quickstart {

    static final String HOST = "127.0.0.1";
    static final int A_PORT = 19092;
    static final int A_CONTROLLER_PORT = 19093;
    static final int B_PORT = 29092;
    static final int B_CONTROLLER_PORT = 29093;
    static final String TOPIC = "orders";
    static final int PARTITIONS = 6;
    static final String MIRRORED_TOPIC = "A.orders";
    static final int RECORDS_PER_SECOND = 2_000;
    static final Path MIRROR_JAR = Path.of("target", "vertx-mirror-maker.jar");
    static final Path MIRROR_CONF = Path.of("conf", "quickstart.json");
    static final Path MIRROR_LOG = Path.of("target", "quickstart", "mirror.log");
    static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);

    private final Object lifecycle = new Object();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private boolean cleanedUp;

    private volatile EmbeddedKafkaCluster clusterA;
    private volatile EmbeddedKafkaCluster clusterB;
    private volatile Admin statsA;
    private volatile Admin statsB;
    private volatile Thread producerThread;
    private volatile Process mirror;
    private long mirrorLogStart;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstSendError = new AtomicReference<>();

    private Quickstart() {
    }

    public static void main(String[] args) {
        Integer seconds = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds":
                    if (i + 1 >= args.length) {
                        usage("--seconds needs a value");
                    }
                    try {
                        seconds = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        usage("--seconds needs a whole number, got '" + args[i] + "'");
                    }
                    if (seconds <= 0) {
                        usage("--seconds must be positive");
                    }
                    break;
                case "-h":
                case "--help":
                    usage(null);
                    break;
                default:
                    usage("unknown argument '" + args[i] + "'");
            }
        }
        System.exit(new Quickstart().run(seconds));
    }

    private static void usage(String error) {
        (error == null ? System.out : System.err).println(
                (error == null ? "" : "error: " + error + "\n")
                        + "usage: java -cp \"target/test-classes:$(cat target/test.classpath)\" io.vmm.quickstart.Quickstart"
                        + " [--seconds N]\n"
                        + "  --seconds N   stop after N seconds; exit 0 if records were mirrored, else 1\n"
                        + "  (no option)   run until Ctrl-C");
        System.exit(error == null ? 0 : 2);
    }

    private int run(Integer seconds) {
        // ---- preconditions, before anything is started
        if (!Files.isRegularFile(MIRROR_JAR)) {
            System.err.println("error: " + MIRROR_JAR.toAbsolutePath() + " not found.\n"
                    + "       Run the quickstart from the project directory and build first: mvn -q -DskipTests package");
            return 1;
        }
        if (!Files.isRegularFile(MIRROR_CONF)) {
            System.err.println("error: " + MIRROR_CONF.toAbsolutePath() + " not found (run from the project directory).");
            return 1;
        }
        for (int port : new int[]{A_PORT, A_CONTROLLER_PORT, B_PORT, B_CONTROLLER_PORT}) {
            if (!portFree(port)) {
                System.err.println("error: " + HOST + ":" + port + " is already in use. The quickstart needs ports "
                        + A_PORT + ", " + A_CONTROLLER_PORT + ", " + B_PORT + " and " + B_CONTROLLER_PORT
                        + " free (is another quickstart or a Kafka broker running?).");
                return 1;
            }
        }

        printHeader(seconds);
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanup, "quickstart-shutdown"));

        try {
            long t0 = System.nanoTime();
            clusterA = EmbeddedKafkaCluster.start("A", A_PORT, A_CONTROLLER_PORT, Map.of());
            clusterB = EmbeddedKafkaCluster.start("B", B_PORT, B_CONTROLLER_PORT, Map.of());
            clusterA.createTopic(TOPIC, PARTITIONS);
            statsA = statsAdmin(clusterA);
            statsB = statsAdmin(clusterB);
            System.out.printf("clusters up in %,d ms; topic %s (%d partitions) created on A%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), TOPIC, PARTITIONS);
        } catch (RuntimeException e) {
            System.err.println("error: could not start the Kafka clusters: " + e.getMessage());
            cleanup();
            return 1;
        }
        if (stopping.get()) {
            return 1;
        }

        startProducer();
        try {
            startMirror();
        } catch (IOException e) {
            System.err.println("error: could not start the mirror: " + e);
            cleanup();
            return 1;
        }

        boolean mirrorDied = monitor(seconds);
        long mirrored = mirroredTotal().orElse(-1L);
        cleanup();
        if (mirrorDied) {
            return 1;
        }
        if (seconds != null) {
            System.out.printf("done: %,d records mirrored -> exit %d%n", Math.max(mirrored, 0), mirrored > 0 ? 0 : 1);
        }
        return mirrored > 0 ? 0 : 1;
    }

    private void printHeader(Integer seconds) {
        System.out.println("Vert.x MirrorMaker quickstart");
        System.out.println("  cluster A      " + HOST + ":" + A_PORT + "  (in this JVM, KRaft controller on " + A_CONTROLLER_PORT + ")");
        System.out.println("  cluster B      " + HOST + ":" + B_PORT + "  (in this JVM, KRaft controller on " + B_CONTROLLER_PORT + ")");
        System.out.println("  producer       ~" + String.format("%,d", RECORDS_PER_SECOND) + " records/s to topic '" + TOPIC
                + "' (" + PARTITIONS + " partitions) on A");
        System.out.println("  mirror         java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar " + MIRROR_JAR + " -conf " + MIRROR_CONF
                + "  (A -> B, creates '" + MIRRORED_TOPIC + "' on B)");
        System.out.println("  mirror log     " + MIRROR_LOG.toAbsolutePath());
        System.out.println("  mirrored       = sum of end offsets of '" + MIRRORED_TOPIC + "' on B; lag = produced - mirrored");
        System.out.println(seconds == null
                ? "  Press Ctrl-C to stop."
                : "  Stopping by itself after " + seconds + " s (Ctrl-C stops earlier).");
        System.out.println();
    }

    // ------------------------------------------------------------------------------------------ producer

    private void startProducer() {
        Thread t = new Thread(() -> {
            Map<String, Object> overrides = new HashMap<>();
            overrides.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            overrides.put(ProducerConfig.CLIENT_ID_CONFIG, "quickstart-producer");
            overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
            try (KafkaProducer<byte[], byte[]> producer = clusterA.newProducer(overrides)) {
                long start = System.nanoTime();
                long n = 0;
                while (!stopping.get()) {
                    long due = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) * RECORDS_PER_SECOND / 1000;
                    // if we fell far behind (e.g. a GC pause), do not burst more than one second's worth
                    n = Math.max(n, due - RECORDS_PER_SECOND);
                    while (n < due && !stopping.get()) {
                        producer.send(record(n), (md, err) -> {
                            if (err == null) {
                                acked.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                if (firstSendError.compareAndSet(null, err)) {
                                    System.err.println("producer: send failed: " + err);
                                }
                            }
                        });
                        n++;
                    }
                    Thread.sleep(5);
                }
                producer.close(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!stopping.get()) {
                    System.err.println("producer: stopped with error: " + e);
                }
            }
        }, "quickstart-producer");
        t.setDaemon(true);
        producerThread = t;
        t.start();
    }

    private static ProducerRecord<byte[], byte[]> record(long n) {
        String value = "{\"order\":" + n + ",\"customer\":\"c-" + (n % 97) + "\",\"amount\":" + (n % 1000) + "."
                + (n % 100 < 10 ? "0" : "") + (n % 100) + ",\"ts\":" + System.currentTimeMillis() + "}";
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(TOPIC,
                ("key-" + n).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        r.headers().add("source-seq", Long.toString(n).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    // ------------------------------------------------------------------------------------------ mirror

    private void startMirror() throws IOException {
        Files.createDirectories(MIRROR_LOG.getParent());
        Files.writeString(MIRROR_LOG, "==== quickstart " + java.time.OffsetDateTime.now() + " ====\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        mirrorLogStart = Files.size(MIRROR_LOG);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", MIRROR_JAR.toString(), "-conf", MIRROR_CONF.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(MIRROR_LOG.toFile()));
        synchronized (lifecycle) {
            if (cleanedUp) {
                return;
            }
            mirror = pb.start();
        }
        System.out.println("mirror started (pid " + mirror.pid() + "), output in " + MIRROR_LOG);
    }

    // ------------------------------------------------------------------------------------------ monitor

    /** Prints one line per second until stopped (Ctrl-C or --seconds). @return true if the mirror died */
    private boolean monitor(Integer seconds) {
        long start = System.nanoTime();
        long prevMirrored = 0;
        long prevAt = start;
        long produced = 0;
        long mirrored = 0;
        while (!stopping.get()) {
            // next whole second since start; seconds missed because a stats call was slow are skipped
            long tick = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1;
            long wakeAt = start + TimeUnit.SECONDS.toNanos(tick);
            if (!sleepUntil(wakeAt)) {
                return false;
            }
            if (stopping.get()) {
                return false;
            }
            Process m = mirror;
            if (m != null && !m.isAlive()) {
                System.out.println();
                System.err.println("error: the mirror exited with code " + m.exitValue() + "; last lines of " + MIRROR_LOG + ":");
                printTail(MIRROR_LOG, mirrorLogStart, 20);
                return true;
            }
            long now = System.nanoTime();
            // B first, then A: A's end offsets only grow, so the lag shown is never below the true lag
            OptionalLong mm = mirroredTotal();
            OptionalLong p = endOffsetSum(statsA, TOPIC);
            String producedText = p.isPresent() ? String.format("%,d", p.getAsLong()) : "?";
            String mirroredText = mm.isPresent() ? String.format("%,d", mm.getAsLong()) : "?";
            if (p.isPresent()) {
                produced = p.getAsLong();
            }
            String rateText = "?";
            if (mm.isPresent()) {
                mirrored = mm.getAsLong();
                double dt = (now - prevAt) / 1e9;
                rateText = String.format("%,d", Math.round((mirrored - prevMirrored) / dt));
                prevMirrored = mirrored;
                prevAt = now;
            }
            String lagText = p.isPresent() && mm.isPresent() ? String.format("%,d", produced - mirrored) : "?";
            long elapsed = tick; // seconds since the mirror was started (ticks are scheduled, not drifting)
            if (stopping.get()) {
                return false;
            }
            System.out.printf("[%4ds] produced %s  mirrored %s  rate %s rec/s  lag %s%s%n",
                    elapsed, producedText, mirroredText, rateText, lagText,
                    failed.get() > 0 ? String.format("  (send errors %,d)", failed.get()) : "");
            if (seconds != null && elapsed >= seconds) {
                return false;
            }
        }
        return false;
    }

    /** @return false if interrupted or stopping */
    private boolean sleepUntil(long nanoTime) {
        while (!stopping.get()) {
            long remainingNs = nanoTime - System.nanoTime();
            if (remainingNs <= 0) {
                return true;
            }
            try {
                Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(remainingNs) + 1, 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private OptionalLong mirroredTotal() {
        return endOffsetSum(statsB, MIRRORED_TOPIC);
    }

    /** Sum of end offsets; 0 if the topic does not exist (yet); empty if the cluster did not answer in time. */
    private static OptionalLong endOffsetSum(Admin admin, String topic) {
        if (admin == null) {
            return OptionalLong.empty();
        }
        long timeoutMs = STATS_TIMEOUT.toMillis() + 500;
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeoutMs, TimeUnit.MILLISECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> req = new HashMap<>();
            d.partitions().forEach(p -> req.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            long sum = 0;
            for (var info : admin.listOffsets(req).all().get(timeoutMs, TimeUnit.MILLISECONDS).values()) {
                sum += info.offset();
            }
            return OptionalLong.of(sum);
        } catch (ExecutionException e) {
            return e.getCause() instanceof UnknownTopicOrPartitionException ? OptionalLong.of(0) : OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        } catch (Exception e) {
            return OptionalLong.empty();
        }
    }

    private static Admin statsAdmin(EmbeddedKafkaCluster cluster) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "quickstart-stats-" + cluster.name());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) STATS_TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) STATS_TIMEOUT.toMillis());
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        return Admin.create(props);
    }

    // ------------------------------------------------------------------------------------------ shutdown

    /** Idempotent; runs from main (normal end) or from the shutdown hook (Ctrl-C). */
    private void cleanup() {
        synchronized (lifecycle) {
            if (cleanedUp) {
                return;
            }
            cleanedUp = true;
            stopping.set(true);
            System.out.println();
            System.out.println("stopping ...");

            Thread t = producerThread;
            if (t != null) {
                try {
                    t.join(7_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.printf("producer stopped (%,d records acknowledged)%n", acked.get());
            }

            Process m = mirror;
            if (m != null) {
                if (m.isAlive()) {
                    m.destroy(); // SIGTERM
                    try {
                        if (!m.waitFor(10, TimeUnit.SECONDS)) {
                            System.out.println("mirror did not stop within 10 s; killing it (SIGKILL)");
                            m.destroyForcibly();
                            m.waitFor(5, TimeUnit.SECONDS);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        m.destroyForcibly();
                    }
                }
                System.out.println("mirror exited with code " + (m.isAlive() ? "? (still running)" : m.exitValue())
                        + "; log: " + MIRROR_LOG);
            }

            for (Admin a : new Admin[]{statsA, statsB}) {
                if (a != null) {
                    a.close(Duration.ofSeconds(2));
                }
            }
            List<EmbeddedKafkaCluster> clusters = new ArrayList<>();
            if (clusterB != null) {
                clusters.add(clusterB);
            }
            if (clusterA != null) {
                clusters.add(clusterA);
            }
            for (EmbeddedKafkaCluster c : clusters) {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    System.err.println("closing cluster " + c.name() + ": " + e.getMessage());
                }
            }
            if (!clusters.isEmpty()) {
                System.out.println("clusters closed");
            }
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Prints the last {@code lines} lines written to {@code file} after byte offset {@code from} (this run only). */
    private static void printTail(Path file, long from, int lines) {
        try {
            byte[] all = Files.readAllBytes(file);
            int start = (int) Math.min(Math.max(from, 0), all.length);
            List<String> tail = new String(all, start, all.length - start, StandardCharsets.UTF_8).lines().toList();
            tail.subList(Math.max(0, tail.size() - lines), tail.size()).forEach(l -> System.err.println("  | " + l));
        } catch (IOException | RuntimeException e) {
            System.err.println("  (cannot read " + file + ": " + e + ")");
        }
    }
}
