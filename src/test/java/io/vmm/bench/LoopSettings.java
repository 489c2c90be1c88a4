package io.vmm.bench;

import io.vmm.config.ClientOverrides;
import io.vmm.config.ClusterSpec;
import io.vmm.config.FlowSpec;
import io.vmm.target.TransactionalConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The client settings of the tuned plain loops ({@code plain}: {@link PlainLoop}, {@code plain-eos}:
 * {@link TransactionalLoop}): the SAME settings our mirror's data path gets, read from our own config code rather
 * than copied, so a ratio against the loop measures the mirror and not its settings, and the two cannot drift.
 * <ul>
 *   <li>Consumer: {@code io.vmm.config.ClusterSpec#consumerConfig} of the flow's source cluster with the source
 *       connector's {@code consumer.*} overrides (as {@code io.vmm.connector.TaskClients#consumer}), with the
 *       record path's {@code fetch.max.bytes} default (the loop decodes every record, as the record path does);
 *       exactly-once
 *       adds {@code isolation.level=read_committed}, as our tasks do.</li>
 *   <li>Producer: {@code ClusterSpec#producerConfig} of the flow's target cluster with the source connector's
 *       {@code producer.override.*} (as {@code TaskClients#producer}); exactly-once goes through
 *       {@link TransactionalConfig#of} with the loop's {@code transactional.id} and commit interval.</li>
 * </ul>
 * The {@code plain-defaults} contender runs {@link PlainLoop} without these settings: kafka-clients defaults.
 *
 * <p>The settings reach the loop (a child JVM without our main classes on its class path) as a properties file,
 * {@code target/bench/<contender>.properties}, keys prefixed {@code consumer.} and {@code producer.};
 * {@code bootstrap.servers} is left out (the loop takes the addresses as arguments). Immutable; the orchestrator's
 * main thread builds it.
 *
 * @param consumer the replication consumer's settings, without {@code bootstrap.servers}
 * @param producer the target producer's settings, without {@code bootstrap.servers}
 */
record LoopSettings(Map<String, Object> consumer, Map<String, Object> producer) {

    /** Settings that are not tuning: left out of {@link #summary()}. */
    private static final Set<String> PLUMBING = Set.of(ConsumerConfig.CLIENT_ID_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    LoopSettings {
        consumer = withoutBootstrap(consumer);
        producer = withoutBootstrap(producer);
    }

    /**
     * Our mirror's at-least-once data-path settings for {@code flow} (the flow of the config the benchmark gives
     * {@code vmm}, parsed by our own config parser); client ids {@code plain-loop-consumer}/{@code -producer}.
     */
    static LoopSettings of(FlowSpec flow) {
        ClientOverrides o = flow.sourceConnector().config().clients();
        return new LoopSettings(
                ClientOverrides.apply(flow.source().consumerConfig("plain-loop-consumer",
                        ClusterSpec.RECORD_PATH_FETCH_MAX_BYTES), o.consumer()),
                ClientOverrides.apply(flow.target().producerConfig("plain-loop-producer"), o.producerOverride()));
    }

    /**
     * These settings in exactly-once mode, as our exactly-once tasks get them: {@code isolation.level=read_committed}
     * and the transactional producer settings of {@link TransactionalConfig#of} ({@code transactional.id},
     * {@code transaction.timeout.ms} derived from {@code intervalMs}, {@code max.block.ms}, {@code retry.backoff.ms}).
     *
     * @param intervalMs the loop's commit interval, ms
     */
    LoopSettings exactlyOnce(String transactionalId, long intervalMs) {
        Map<String, Object> c = new HashMap<>(consumer);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "plain-eos-loop-consumer");
        Map<String, Object> p = TransactionalConfig.of(producer, transactionalId, intervalMs);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "plain-eos-loop-producer");
        return new LoopSettings(c, p);
    }

    /** These settings with one producer setting added or replaced (e.g. {@code compression.type} for {@code --codec}). */
    LoopSettings withProducer(String key, Object value) {
        Map<String, Object> p = new HashMap<>(producer);
        p.put(key, value);
        return new LoopSettings(consumer, p);
    }

    /** Writes the settings file the loops read ({@code consumer.<key>=<value>}, {@code producer.<key>=<value>}, sorted). */
    void write(Path file, String comment) throws IOException {
        List<String> lines = new ArrayList<>(List.of("# " + comment));
        new TreeMap<>(consumer).forEach((k, v) -> lines.add("consumer." + k + "=" + v));
        new TreeMap<>(producer).forEach((k, v) -> lines.add("producer." + k + "=" + v));
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /**
     * One line for the benchmark's header: the tuning settings ({@code key=value}, sorted; client ids and
     * (de)serializer classes left out), e.g. {@code consumer fetch.max.bytes=2097152, max.poll.records=1000; producer
     * acks=all, batch.size=131072, ...}.
     */
    String summary() {
        return "consumer " + tuning(consumer) + "; producer " + tuning(producer);
    }

    private static String tuning(Map<String, Object> m) {
        return new TreeMap<>(m).entrySet().stream().filter(e -> !PLUMBING.contains(e.getKey()))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static Map<String, Object> withoutBootstrap(Map<String, Object> m) {
        Map<String, Object> copy = new HashMap<>(m);
        copy.remove(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
        return Map.copyOf(copy);
    }
}
