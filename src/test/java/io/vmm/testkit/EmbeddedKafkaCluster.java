package io.vmm.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real, single-node (combined broker + controller) KRaft Kafka 4.1 cluster running inside the
 * current JVM, built on Kafka's {@link KafkaClusterTestKit}. No Docker, no child process.
 *
 * <ul>
 *   <li>Listeners: {@code PLAINTEXT://127.0.0.1:<port>} for clients and {@code CTRL://127.0.0.1:<controllerPort>}
 *       for the KRaft quorum. Non-default listener names keep the kit's own pre-bound random-port sockets unused,
 *       so the ports are exactly the ones given (see kafka-test-harness.md §2). Optional extra client listeners
 *       ({@link Listener}, e.g. the TLS and SASL ones of {@link SecuredListeners}) on free ports, at
 *       {@link #bootstrapServers(String)}.</li>
 *   <li>Single-node settings: internal topics at RF 1, {@code auto.create.topics.enable=false},
 *       {@code log.cleaner.dedupe.buffer.size=2097152}, unstable API/feature versions off,
 *       metadata version {@link MetadataVersion#latestProduction()}.</li>
 *   <li>Data lives in {@code target/kafka-data/<name>-<random>} (relative to the working directory) and is
 *       deleted by {@link #close()}.</li>
 *   <li>While at least one cluster is open, Kafka's {@link Exit} exit/halt procedures are replaced by ones that log
 *       and throw, so a fatal broker fault cannot kill the test JVM ("VM terminated without saying goodbye").
 *       They are reset when the last cluster closes.</li>
 * </ul>
 *
 * <p>All methods block and are meant to be called from test threads (never from a Vert.x event loop). The class
 * deliberately does not depend on JUnit, so it can also be used from plain {@code main} tools.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    /** Listener names; deliberately not the kit's defaults (EXTERNAL / CONTROLLER). */
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CTRL";
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(30);

    private static final Object EXIT_LOCK = new Object();
    private static int openClusters;

    private static final AtomicInteger CLIENT_SEQ = new AtomicInteger();

    private final String name;
    private final int port;
    private final int controllerPort;
    private final Map<String, Integer> listenerPorts;
    private final Path baseDir;
    private final KafkaClusterTestKit kit;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafkaCluster(String name, int port, int controllerPort, Map<String, Integer> listenerPorts,
                                 Path baseDir, KafkaClusterTestKit kit) {
        this.name = name;
        this.port = port;
        this.controllerPort = controllerPort;
        this.listenerPorts = Map.copyOf(listenerPorts);
        this.baseDir = baseDir;
        this.kit = kit;
    }

    /**
     * An additional client listener on 127.0.0.1 (a free port), advertised like the PLAINTEXT one.
     *
     * @param name             listener name, e.g. {@code "SSL"} (letters, digits, '_'; not PLAINTEXT or CTRL)
     * @param securityProtocol {@code SSL}, {@code SASL_SSL}, {@code SASL_PLAINTEXT} or {@code PLAINTEXT}
     * @param settings         broker settings of this listener only, without the {@code listener.name.<name>.}
     *                         prefix (e.g. {@code ssl.client.auth}, {@code sasl.enabled.mechanisms},
     *                         {@code scram-sha-512.sasl.jaas.config})
     */
    public record Listener(String name, String securityProtocol, Map<String, String> settings) {
        public Listener {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(securityProtocol, "securityProtocol");
            settings = Map.copyOf(settings);
        }
    }

    // ------------------------------------------------------------------------------------------ start / stop

    /**
     * Starts a cluster on two free loopback ports with no extra broker properties.
     * Equivalent to {@code start(name, 0, 0, Map.of())}.
     *
     * @param name short name used in the data directory, client ids, log lines and failure messages (e.g. "A")
     * @return the started cluster; brokers are registered, unfenced and ready when this returns
     */
    public static EmbeddedKafkaCluster start(String name) {
        return start(name, 0, 0, Map.of());
    }

    /**
     * Formats and starts a single-node KRaft cluster and waits until its broker is ready.
     *
     * @param name             short name used in the data directory, client ids, log lines and failure messages
     * @param port             client listener port on 127.0.0.1, or 0 to pick a free one
     * @param controllerPort   KRaft controller listener port on 127.0.0.1, or 0 to pick a free one
     * @param extraBrokerProps additional broker properties (e.g. {@code authorizer.class.name}); they are applied
     *                         last, as per-node overrides, so they win over every default set here
     * @return the started cluster
     * @throws IllegalStateException if a given port is already in use on 127.0.0.1 (message names the port),
     *                               or if the cluster does not become ready within 90 s
     */
    public static EmbeddedKafkaCluster start(String name, int port, int controllerPort,
                                             Map<String, String> extraBrokerProps) {
        return start(name, port, controllerPort, extraBrokerProps, List.of());
    }

    /**
     * Starts a cluster on free ports with additional client listeners (e.g. {@link SecuredListeners#listeners()}),
     * reachable at {@link #bootstrapServers(String)}; inter-broker and controller traffic stay on PLAINTEXT, and
     * {@link #admin()} and the read/write helpers keep using the PLAINTEXT listener.
     *
     * @param name             as in {@link #start(String, int, int, Map)}
     * @param extraBrokerProps as in {@link #start(String, int, int, Map)}
     * @param listeners        the additional listeners
     * @return the started cluster
     */
    public static EmbeddedKafkaCluster start(String name, Map<String, String> extraBrokerProps,
                                             List<Listener> listeners) {
        return start(name, 0, 0, extraBrokerProps, listeners);
    }

    private static EmbeddedKafkaCluster start(String name, int port, int controllerPort,
                                              Map<String, String> extraBrokerProps, List<Listener> listeners) {
        // A free port picked by the kernel may be handed out again (e.g. as a client's ephemeral port) before
        // the broker binds it: with picked ports, try again with new ones.
        int attempts = port == 0 && controllerPort == 0 ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(name, port, controllerPort, extraBrokerProps, listeners);
            } catch (IllegalStateException e) {
                if (attempt >= attempts || !String.valueOf(e.getMessage()).contains("failed to start")) {
                    throw e;
                }
                LOG.warn("Kafka cluster {} did not start ({}); trying again on other ports", name, e.getMessage());
            }
        }
    }

    private static EmbeddedKafkaCluster startOnce(String name, int port, int controllerPort,
                                                  Map<String, String> extraBrokerProps, List<Listener> listeners) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(extraBrokerProps, "extraBrokerProps");
        long t0 = System.nanoTime();
        int[] ports = resolvePorts(name, port, controllerPort, listeners.size());
        int clientPort = ports[0];
        int ctrlPort = ports[1];

        Map<String, String> perNode = new HashMap<>();
        StringBuilder bind = new StringBuilder(CLIENT_LISTENER + "://" + HOST + ":" + clientPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + ctrlPort);
        StringBuilder advertised = new StringBuilder(CLIENT_LISTENER + "://" + HOST + ":" + clientPort);
        StringBuilder protocols = new StringBuilder(CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER
                + ":PLAINTEXT");
        Map<String, Integer> listenerPorts = new LinkedHashMap<>();
        for (int i = 0; i < listeners.size(); i++) {
            Listener l = listeners.get(i);
            String at = l.name() + "://" + HOST + ":" + ports[2 + i];
            bind.append(',').append(at);
            advertised.append(',').append(at);
            protocols.append(',').append(l.name()).append(':').append(l.securityProtocol());
            listenerPorts.put(l.name(), ports[2 + i]);
            String prefix = "listener.name." + l.name().toLowerCase(java.util.Locale.ROOT) + ".";
            l.settings().forEach((k, v) -> perNode.put(prefix + k, v));
        }
        perNode.put("listeners", bind.toString());
        perNode.put("advertised.listeners", advertised.toString());
        // only a per-node property can override the kit's controller.quorum.voters
        perNode.put("controller.quorum.voters", "0@" + HOST + ":" + ctrlPort);
        perNode.putAll(extraBrokerProps);

        acquireExitGuard();
        Path baseDir = null;
        KafkaClusterTestKit kit = null;
        try {
            Path root = Files.createDirectories(Path.of("target", "kafka-data").toAbsolutePath());
            baseDir = Files.createTempDirectory(root, name + "-");

            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setBaseDirectory(baseDir)
                    .setPerServerProperties(Map.of(0, perNode))
                    .build();

            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("listener.security.protocol.map", protocols.toString())
                    .setConfigProp("inter.broker.listener.name", CLIENT_LISTENER)
                    .setConfigProp("controller.listener.names", CONTROLLER_LISTENER);
            singleNodeSettings().forEach(builder::setConfigProp);
            kit = builder.build();

            KafkaClusterTestKit k = kit;
            CompletableFuture<Void> ready = CompletableFuture.runAsync(() -> {
                try {
                    k.format();
                    k.startup();
                    k.waitForReadyBrokers();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, r -> {
                Thread t = new Thread(r, "embedded-kafka-start-" + name);
                t.setDaemon(true);
                t.start();
            });
            ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

            EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(name, clientPort, ctrlPort, listenerPorts,
                    baseDir, kit);
            LOG.info("Kafka cluster {} ready at {} (controller {}:{}) in {} ms, data in {}",
                    name, cluster.bootstrapServers(), HOST, ctrlPort,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), baseDir);
            return cluster;
        } catch (Throwable e) {
            if (kit != null) {
                try {
                    kit.close();
                } catch (Throwable closeError) {
                    e.addSuppressed(closeError);
                }
            }
            deleteQuietly(baseDir);
            releaseExitGuard();
            Throwable cause = unwrap(e);
            if (e instanceof TimeoutException) {
                throw new IllegalStateException("Kafka cluster " + name + " (127.0.0.1:" + clientPort
                        + ") not ready within " + START_TIMEOUT.toSeconds() + " s", e);
            }
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Kafka cluster " + name + " (127.0.0.1:" + clientPort
                    + ", controller " + ctrlPort + ") failed to start: " + cause, cause);
        }
    }

    static Map<String, String> singleNodeSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("offsets.topic.replication.factor", "1");
        m.put("offsets.topic.num.partitions", "1");
        m.put("transaction.state.log.replication.factor", "1");
        m.put("transaction.state.log.min.isr", "1");
        m.put("transaction.state.log.num.partitions", "1");
        m.put("share.coordinator.state.topic.replication.factor", "1");
        m.put("share.coordinator.state.topic.min.isr", "1");
        m.put("group.initial.rebalance.delay.ms", "0");
        m.put("num.partitions", "1");
        m.put("default.replication.factor", "1");
        m.put("min.insync.replicas", "1");
        m.put("auto.create.topics.enable", "false");
        m.put("log.cleaner.dedupe.buffer.size", "2097152");
        m.put("unstable.api.versions.enable", "false");
        m.put("unstable.feature.versions.enable", "false");
        return m;
    }

    /**
     * Closes the cached {@link #admin()} client, shuts the broker/controller down and deletes the data directory.
     * Idempotent. When the last open cluster in the JVM closes, Kafka's {@link Exit} procedures are reset.
     *
     * @throws IllegalStateException if the kit reports an error on shutdown (including faults its fault handlers
     *                               recorded while the cluster was running)
     */
    @Override
    public void close() {
        Admin a;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            a = admin;
            admin = null;
        }
        long t0 = System.nanoTime();
        try {
            if (a != null) {
                a.close(Duration.ofSeconds(5));
            }
            kit.close();
        } catch (Exception e) {
            Throwable cause = unwrap(e);
            throw new IllegalStateException("Kafka cluster " + name + " failed to close cleanly: " + cause, cause);
        } finally {
            deleteQuietly(baseDir);
            releaseExitGuard();
            LOG.info("Kafka cluster {} closed in {} ms", name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    // ------------------------------------------------------------------------------------------ accessors

    /** @return the name given to {@code start} (e.g. "A") */
    public String name() {
        return name;
    }

    /** @return {@code "127.0.0.1:<port>"}, the client listener */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /**
     * @param listener the name of a listener given to {@link #start(String, Map, List)} (e.g. {@code "SSL"}), or
     *                 {@code "PLAINTEXT"}
     * @return {@code "127.0.0.1:<port>"} of that listener
     * @throws IllegalArgumentException for a listener this cluster does not have
     */
    public String bootstrapServers(String listener) {
        if (listener.equals(CLIENT_LISTENER)) {
            return bootstrapServers();
        }
        Integer p = listenerPorts.get(listener);
        if (p == null) {
            throw new IllegalArgumentException("cluster " + name + " has no listener " + listener + "; it has "
                    + CLIENT_LISTENER + " and " + listenerPorts.keySet());
        }
        return HOST + ":" + p;
    }

    /** @return the client listener port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return the KRaft controller listener port on 127.0.0.1 */
    public int controllerPort() {
        return controllerPort;
    }

    /**
     * A shared {@link Admin} client for this cluster (request timeout 10 s, API timeout 30 s), created on first use
     * and closed by {@link #close()}. Callers must not close it.
     */
    public synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("Kafka cluster " + name + " is closed");
        }
        if (admin == null) {
            Map<String, Object> props = new HashMap<>();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "testkit-admin-" + name);
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) OP_TIMEOUT.toMillis());
            admin = Admin.create(props);
        }
        return admin;
    }

    // ------------------------------------------------------------------------------------------ topics

    /**
     * Creates a topic with replication factor 1 and no config overrides, and waits until the broker's metadata shows
     * all partitions with a leader. Same as {@code createTopic(topic, partitions, Map.of())}.
     */
    public void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    /**
     * Creates a topic with replication factor 1 and the given topic configs (e.g. {@code cleanup.policy=compact}),
     * then waits (up to 30 s) until describeTopics shows {@code partitions} partitions, each with a leader.
     *
     * @throws IllegalStateException if creation fails (for instance the topic already exists)
     * @throws AssertionError        if the partitions do not get leaders within 30 s
     */
    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        NewTopic nt = new NewTopic(topic, partitions, (short) 1).configs(configs);
        try {
            admin().createTopics(List.of(nt)).all().get(OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            Throwable cause = unwrap(e);
            throw new IllegalStateException("creating topic " + topic + " on cluster " + name + " failed: " + cause, cause);
        }
        Await.until("topic " + topic + " on cluster " + name + " to have " + partitions + " partitions with leaders",
                OP_TIMEOUT, () -> {
                    TopicDescription d = describe(topic);
                    return d != null && d.partitions().size() == partitions
                            && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                });
        // leaders in metadata are not enough: wait until each leader hosts the log (KAFKA-15591, see
        // RemoteTopics.awaitWritable), else an immediate idempotent produce can be reordered
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            specs.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        try {
            admin().listOffsets(specs).all().get(OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("topic " + topic + " on cluster " + name + " not writable: " + unwrap(e), e);
        }
    }

    /**
     * End (latest) offsets of every partition of {@code topic}, ordered by partition.
     *
     * @throws IllegalStateException if the topic does not exist or the call fails within 30 s
     */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        List<TopicPartition> tps = partitionsOf(topic);
        if (tps == null) {
            throw new IllegalStateException("topic " + topic + " does not exist on cluster " + name);
        }
        Map<TopicPartition, OffsetSpec> req = new LinkedHashMap<>();
        tps.forEach(tp -> req.put(tp, OffsetSpec.latest()));
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> res =
                    admin().listOffsets(req).all().get(OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> out = new LinkedHashMap<>();
            tps.forEach(tp -> out.put(tp, res.get(tp).offset()));
            return out;
        } catch (Exception e) {
            Throwable cause = unwrap(e);
            throw new IllegalStateException("listing end offsets of " + topic + " on cluster " + name
                    + " failed: " + cause, cause);
        }
    }

    // ------------------------------------------------------------------------------------------ clients

    /**
     * A new producer for this cluster: {@code byte[]} keys and values, {@code acks=all} (idempotence stays on,
     * the client default). The caller owns it and must close it.
     */
    public KafkaProducer<byte[], byte[]> newProducer() {
        return newProducer(Map.of());
    }

    /**
     * Like {@link #newProducer()}, with additional/overriding producer properties (e.g. {@code linger.ms},
     * {@code transactional.id}). The caller owns the producer and must close it.
     */
    public KafkaProducer<byte[], byte[]> newProducer(Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "testkit-producer-" + name + "-" + CLIENT_SEQ.incrementAndGet());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(overrides);
        return new KafkaProducer<>(p);
    }

    /**
     * Reads {@code topic} from the beginning of every partition (manual assignment, no consumer group, nothing
     * committed) until at least {@code expectedCount} records were read. Waits for the topic to exist first (it may
     * be created by the code under test). Records beyond {@code expectedCount} that arrived in the same poll are
     * returned too.
     *
     * @return the records, ordered by partition, then offset
     * @throws AssertionError if fewer than {@code expectedCount} records were read within {@code timeout};
     *                        the message names the cluster, topic, expected and actual counts
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expectedCount, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> tps;
        try {
            tps = Await.value("topic " + topic + " to exist on cluster " + name, timeout, () -> partitionsOf(topic));
        } catch (AssertionError e) {
            throw new AssertionError("readAll(" + topic + ") on cluster " + name + ": expected at least "
                    + expectedCount + " records but got 0 within " + timeout.toMillis() + " ms (topic does not exist)");
        }
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = newAssignedConsumer(tps)) {
            while (out.size() < expectedCount) {
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMs <= 0) {
                    throw new AssertionError("readAll(" + topic + ") on cluster " + name + ": expected at least "
                            + expectedCount + " records but got " + out.size() + " within " + timeout.toMillis()
                            + " ms");
                }
                consumer.poll(Duration.ofMillis(Math.min(200, remainingMs))).forEach(out::add);
            }
        }
        out.sort(BY_PARTITION_THEN_OFFSET);
        return out;
    }

    /**
     * Reads everything in {@code topic} up to the end offsets current at the time of the call (records appended
     * later are not returned). Gives up after 30 s.
     *
     * @return the records, ordered by partition, then offset (empty if the topic is empty)
     * @throws IllegalStateException if the topic does not exist
     * @throws AssertionError        if the end offsets cannot be reached within 30 s
     */
    public List<ConsumerRecord<byte[], byte[]>> readAllNow(String topic) {
        Map<TopicPartition, Long> ends = endOffsets(topic);
        long deadline = System.nanoTime() + OP_TIMEOUT.toNanos();
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = newAssignedConsumer(new ArrayList<>(ends.keySet()))) {
            while (!reached(consumer, ends)) {
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMs <= 0) {
                    throw new AssertionError("readAllNow(" + topic + ") on cluster " + name
                            + ": end offsets " + ends + " not reached within " + OP_TIMEOUT.toSeconds()
                            + " s; read " + out.size() + " records");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(Math.min(200, remainingMs)))) {
                    Long end = ends.get(new TopicPartition(r.topic(), r.partition()));
                    if (end != null && r.offset() < end) {
                        out.add(r);
                    }
                }
            }
        }
        out.sort(BY_PARTITION_THEN_OFFSET);
        return out;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey(), OP_TIMEOUT) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static final Comparator<ConsumerRecord<byte[], byte[]>> BY_PARTITION_THEN_OFFSET =
            Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset);

    /**
     * Fresh, mutable consumer settings for this cluster, for code that builds its own consumer: bootstrap servers,
     * a unique {@code client.id}, {@code byte[]} key/value deserializers, {@code enable.auto.commit=false},
     * {@code auto.offset.reset=earliest}, {@code fetch.max.wait.ms=50}. No {@code group.id} (add one to subscribe).
     */
    public Map<String, Object> newConsumerConfig() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "testkit-consumer-" + name + "-" + CLIENT_SEQ.incrementAndGet());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // an empty fetch otherwise parks 500 ms in the broker: readAll/readAllNow went from ~540 ms to ~80 ms
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private KafkaConsumer<byte[], byte[]> newAssignedConsumer(List<TopicPartition> tps) {
        Map<String, Object> p = newConsumerConfig();
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        try {
            c.assign(tps);
            c.seekToBeginning(tps);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------ internals

    /** @return the topic's partitions ordered by partition number, or null if the topic does not exist */
    private List<TopicPartition> partitionsOf(String topic) {
        TopicDescription d = describe(topic);
        if (d == null) {
            return null;
        }
        List<TopicPartition> tps = new ArrayList<>();
        d.partitions().stream().map(TopicPartitionInfo::partition).sorted()
                .forEach(p -> tps.add(new TopicPartition(topic, p)));
        return tps;
    }

    /** @return the description, or null if the topic does not exist */
    private TopicDescription describe(String topic) {
        try {
            return admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        } catch (Exception e) {
            Throwable cause = unwrap(e);
            if (cause instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("describing topic " + topic + " on cluster " + name
                    + " failed: " + cause, cause);
        }
    }

    /** {client port, controller port, then one free port per extra listener}. */
    private static int[] resolvePorts(String name, int port, int controllerPort, int extraListeners) {
        if (port < 0 || controllerPort < 0 || (port != 0 && port == controllerPort)) {
            throw new IllegalArgumentException("invalid ports for cluster " + name + ": " + port + "/" + controllerPort);
        }
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] out = new int[2 + extraListeners];
            int[] in = new int[out.length];
            in[0] = port;
            in[1] = controllerPort;
            for (int i = 0; i < out.length; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                try {
                    s.bind(new InetSocketAddress(InetAddress.getByName(HOST), in[i]));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot start Kafka cluster " + name + ": " + HOST + ":" + in[i]
                            + " is already in use (" + e.getMessage() + ")", e);
                }
                out[i] = s.getLocalPort();
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static void acquireExitGuard() {
        synchronized (EXIT_LOCK) {
            if (openClusters++ == 0) {
                Exit.setExitProcedure((status, message) -> {
                    LOG.error("Kafka called Exit.exit({}, {}); prevented by EmbeddedKafkaCluster", status, message);
                    throw new IllegalStateException("Kafka called Exit.exit(" + status + ", " + message
                            + "); prevented by EmbeddedKafkaCluster");
                });
                Exit.setHaltProcedure((status, message) -> {
                    LOG.error("Kafka called Exit.halt({}, {}); prevented by EmbeddedKafkaCluster", status, message);
                    throw new IllegalStateException("Kafka called Exit.halt(" + status + ", " + message
                            + "); prevented by EmbeddedKafkaCluster");
                });
            }
        }
    }

    private static void releaseExitGuard() {
        synchronized (EXIT_LOCK) {
            if (--openClusters == 0) {
                Exit.resetExitProcedure();
                Exit.resetHaltProcedure();
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + name + " " + bootstrapServers() + "]";
    }
}
