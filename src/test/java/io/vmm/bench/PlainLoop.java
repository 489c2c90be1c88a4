package io.vmm.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The "plain" and "plain-defaults" contenders of the benchmark ({@link Bench}): the mirror loop a user would write
 * by hand, in ONE thread, with a raw {@link KafkaConsumer} and a raw {@link KafkaProducer}.
 *
 * <pre>
 * java -cp "target/test-classes:$(cat target/test.classpath)" io.vmm.bench.PlainLoop SOURCE_BOOTSTRAP TARGET_BOOTSTRAP TOPIC[,TOPIC...] [SETTINGS_FILE]
 * </pre>
 *
 * <ul>
 *   <li>Client settings: with SETTINGS_FILE ({@code plain}, the tuned loop), the properties it holds, keys
 *       {@code consumer.*} and {@code producer.*}: our mirror's own client settings ({@link LoopSettings}: 128 KB
 *       batches, 5 ms linger, {@code acks=all}, idempotence, our {@code max.poll.records} and
 *       {@code fetch.max.bytes}). Without it ({@code plain-defaults}), kafka-clients defaults (16 KB batches,
 *       500 records per poll, 50 MB per fetch) and {@code acks=all} (also the client default).</li>
 *   <li>Always (over the file): byte arrays, no auto-commit, the given bootstrap servers.</li>
 *   <li>Consumer: no group, all partitions of the given topics assigned, from the beginning.</li>
 *   <li>Each polled record goes to the same partition of {@code A.<topic>} (the remote topic must already exist)
 *       with its key, value, headers and timestamp. No progress is stored: this is a measuring stick, not a
 *       mirror.</li>
 *   <li>Runs until killed. SIGTERM closes the clients (the producer flushes). A send error is printed and the
 *       process exits with code 1.</li>
 * </ul>
 */
public final class PlainLoop {

    private PlainLoop() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: PlainLoop SOURCE_BOOTSTRAP TARGET_BOOTSTRAP TOPIC[,TOPIC...] [SETTINGS_FILE]");
            System.exit(2);
        }
        String source = args[0];
        String target = args[1];
        List<String> topics = List.of(args[2].split(","));
        Path settingsFile = args.length == 4 ? Path.of(args[3]) : null;

        Properties cp = new Properties();
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "plain-loop-consumer");
        Properties pp = new Properties();
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "plain-loop-producer");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        if (settingsFile != null) {
            cp.putAll(settings(settingsFile, "consumer."));
            pp.putAll(settings(settingsFile, "producer."));
        }
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source);
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        AtomicReference<Exception> sendError = new AtomicReference<>();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
        CountDownLatch stopped = wakeOnShutdown(consumer, "plain-loop-shutdown");

        try (consumer; KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            List<TopicPartition> assignment = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
                    assignment.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);
            System.out.println("plain loop: " + assignment.size() + " partitions of " + topics + " from " + source
                    + " -> A.<topic> on " + target + (settingsFile == null ? ", kafka-clients defaults"
                    : ", client settings of " + settingsFile));
            try {
                while (sendError.get() == null) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(1000));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        producer.send(new ProducerRecord<>("A." + r.topic(), r.partition(), r.timestamp(), r.key(),
                                r.value(), r.headers()), (md, err) -> {
                            if (err != null) {
                                sendError.compareAndSet(null, err);
                            }
                        });
                    }
                }
            } finally {
                System.out.println("plain loop: producer " + batching(producer));
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // SIGTERM: closing the clients (the producer flushes)
        } finally {
            stopped.countDown();
        }
        if (sendError.get() != null) {
            System.err.println("plain loop: send failed: " + sendError.get());
            Runtime.getRuntime().halt(1);
        }
    }

    /** The producer's batching figures (Kafka's producer-metrics), as the mirror's producer stop line prints them. */
    static String batching(KafkaProducer<?, ?> producer) {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("batch-size-avg", "records-per-request-avg", "request-rate", "record-send-total",
                "record-queue-time-avg", "request-latency-avg")) {
            producer.metrics().forEach((n, m) -> {
                if (n.group().equals("producer-metrics") && n.name().equals(name)) {
                    Object v = m.metricValue();
                    sb.append(sb.isEmpty() ? "" : ", ").append(name).append('=')
                            .append(v instanceof Double d ? String.format("%.0f", d) : v);
                }
            });
        }
        return sb.toString();
    }

    /**
     * The settings under {@code prefix} (e.g. {@code consumer.}) of a settings file written by
     * {@link LoopSettings#write}, prefix removed; exits the JVM with code 2 when the file cannot be read.
     */
    static Properties settings(Path file, String prefix) {
        Properties all = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            all.load(r);
        } catch (IOException e) {
            System.err.println("cannot read client settings " + file + ": " + e);
            System.exit(2);
        }
        Properties out = new Properties();
        all.stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> out.put(k.substring(prefix.length()), all.getProperty(k)));
        return out;
    }

    /**
     * A shutdown hook (SIGTERM) that wakes {@code consumer}'s poll and waits until the loop counts down the returned
     * latch, so the loop closes its clients (the producer flushes) before the JVM exits. Shared with
     * {@link TransactionalLoop}.
     */
    static CountDownLatch wakeOnShutdown(KafkaConsumer<?, ?> consumer, String threadName) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.wakeup();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threadName));
        return stopped;
    }
}
