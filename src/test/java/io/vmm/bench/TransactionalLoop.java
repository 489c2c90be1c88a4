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
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The "plain-eos" contender of the benchmark ({@link Bench}): the exactly-once mirror loop a user would write by
 * hand, in ONE thread, with a raw {@link KafkaConsumer} and a raw transactional {@link KafkaProducer}, and with the
 * SAME client settings as our mirror's data path (so a ratio against it measures the mirror, not the settings).
 *
 * <pre>
 * java -cp "target/test-classes:$(cat target/test.classpath)" io.vmm.bench.TransactionalLoop \
 *      SOURCE_BOOTSTRAP TARGET_BOOTSTRAP TOPIC[,TOPIC...] COMMIT_INTERVAL_MS PARTITION_RECORDS PARTITION_BYTES TOTAL_BYTES \
 *      SETTINGS_FILE
 * </pre>
 *
 * <ul>
 *   <li>Client settings: those of SETTINGS_FILE (keys {@code consumer.*} and {@code producer.*}), which the
 *       benchmark writes from our own config code ({@link LoopSettings#exactlyOnce}): the consumer as our
 *       exactly-once source consumer ({@code io.vmm.config.ClusterSpec#consumerConfig},
 *       {@code isolation.level=read_committed}), the producer as our transactional producer
 *       ({@code ClusterSpec#producerConfig} through {@code io.vmm.target.TransactionalConfig#of}, with
 *       {@code transactional.id=bench-plain-eos-loop}). Always (over the file): byte arrays, no auto-commit, the
 *       given bootstrap servers. No group; all partitions of the given topics assigned, from the beginning.</li>
 *   <li>Transactions: a transaction opens with the first record after a commit and is committed on our mirror's
 *       rules ({@code io.vmm.target.CommitTrigger}): COMMIT_INTERVAL_MS after it began (our
 *       {@code transaction.boundary.interval.ms}), or earlier once it holds PARTITION_RECORDS records or
 *       PARTITION_BYTES bytes (key + value) of one partition, or TOTAL_BYTES bytes in all (half our in-flight
 *       limits; the benchmark passes the values our config parser gives). Each transaction also
 *       holds one progress record per source partition it copied from (key {@code <topic>:<partition>}, value the
 *       next offset to read, in ASCII) in the compacted topic {@link #PROGRESS_TOPIC} on the target, as our mirror
 *       writes its progress records into {@code mm2-offsets.A.internal} inside its transactions. (Not
 *       {@code sendOffsetsToTransaction}: the target cluster's group coordinator refuses offsets of topics it does
 *       not host, UNKNOWN_TOPIC_OR_PARTITION, retried until the transaction times out.)</li>
 *   <li>Each polled record goes to the same partition of {@code A.<topic>} (must exist) with its key, value,
 *       headers and timestamp.</li>
 *   <li>Runs until killed. SIGTERM commits the open transaction and closes the clients. An error (a failed send
 *       makes the commit fail) is printed and the process exits with code 1.</li>
 * </ul>
 */
public final class TransactionalLoop {

    static final String TRANSACTIONAL_ID = "bench-plain-eos-loop";
    /** Compacted, 1 partition, on the target; created by {@link Bench} before the loop starts. */
    static final String PROGRESS_TOPIC = "bench-plain-eos-progress";

    private TransactionalLoop() {
    }

    public static void main(String[] args) {
        if (args.length != 8) {
            System.err.println("usage: TransactionalLoop SOURCE_BOOTSTRAP TARGET_BOOTSTRAP TOPIC[,TOPIC...] COMMIT_INTERVAL_MS"
                    + " PARTITION_RECORDS PARTITION_BYTES TOTAL_BYTES SETTINGS_FILE");
            System.exit(2);
        }
        String source = args[0];
        String target = args[1];
        List<String> topics = List.of(args[2].split(","));
        long commitMs = Long.parseLong(args[3]);
        long maxPartitionRecords = Long.parseLong(args[4]);
        long maxPartitionBytes = Long.parseLong(args[5]);
        long maxTotalBytes = Long.parseLong(args[6]);
        Path settingsFile = Path.of(args[7]);

        Properties cp = PlainLoop.settings(settingsFile, "consumer.");
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source);
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        Properties pp = PlainLoop.settings(settingsFile, "producer.");
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (!TRANSACTIONAL_ID.equals(pp.getProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG))
                || !"read_committed".equals(cp.getProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG))) {
            System.err.println("plain eos loop: " + settingsFile + " needs producer." + ProducerConfig.TRANSACTIONAL_ID_CONFIG
                    + "=" + TRANSACTIONAL_ID + " and consumer." + ConsumerConfig.ISOLATION_LEVEL_CONFIG + "=read_committed");
            System.exit(2);
        }

        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
        CountDownLatch stopped = PlainLoop.wakeOnShutdown(consumer, "plain-eos-loop-shutdown");

        Map<TopicPartition, Long> positions = new HashMap<>();
        Map<TopicPartition, long[]> held = new HashMap<>(); // records, bytes of each partition in the open transaction
        long heldBytes = 0;
        boolean full = false;
        boolean open = false;
        int exit = 0;
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
        try (consumer) {
            List<TopicPartition> assignment = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
                    assignment.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);
            producer.initTransactions();
            System.out.println("plain eos loop: " + assignment.size() + " partitions of " + topics + " from " + source
                    + " -> A.<topic> on " + target + ", a transaction every " + commitMs + " ms, or at " + maxPartitionRecords
                    + " records or " + maxPartitionBytes + " bytes of a partition or " + maxTotalBytes + " bytes in all"
                    + ", client settings of " + settingsFile);
            long openedAt = 0;
            try {
                while (true) {
                    long waitMs = open ? Math.max(1, openedAt + commitMs - System.currentTimeMillis()) : 1000;
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(Math.min(waitMs, 1000)));
                    if (!records.isEmpty() && !open) {
                        producer.beginTransaction();
                        open = true;
                        openedAt = System.currentTimeMillis();
                    }
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        producer.send(new ProducerRecord<>("A." + r.topic(), r.partition(), r.timestamp(), r.key(), r.value(),
                                r.headers()));
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        positions.put(tp, r.offset() + 1);
                        long size = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                        long[] h = held.computeIfAbsent(tp, k -> new long[2]);
                        h[0]++;
                        h[1] += size;
                        heldBytes += size;
                        full |= h[0] >= maxPartitionRecords || h[1] >= maxPartitionBytes || heldBytes >= maxTotalBytes;
                    }
                    if (open && (full || System.currentTimeMillis() - openedAt >= commitMs)) {
                        commit(producer, positions);
                        open = false;
                        held.clear();
                        heldBytes = 0;
                        full = false;
                    }
                }
            } catch (WakeupException e) {
                // SIGTERM: commit what is open, then close the clients
                if (open) {
                    commit(producer, positions);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("plain eos loop: failed: " + e);
            exit = 1;
        } finally {
            producer.close(Duration.ofSeconds(5)); // bounded: a stuck transactional request must not block the exit
            stopped.countDown();
        }
        if (exit != 0) {
            Runtime.getRuntime().halt(exit);
        }
    }

    /** Writes the progress of the partitions copied in this transaction into it, then commits. */
    private static void commit(KafkaProducer<byte[], byte[]> producer, Map<TopicPartition, Long> positions) {
        for (Map.Entry<TopicPartition, Long> e : positions.entrySet()) {
            producer.send(new ProducerRecord<>(PROGRESS_TOPIC, 0,
                    (e.getKey().topic() + ":" + e.getKey().partition()).getBytes(StandardCharsets.US_ASCII),
                    Long.toString(e.getValue()).getBytes(StandardCharsets.US_ASCII)));
        }
        positions.clear();
        producer.commitTransaction(); // throws if a send of this transaction failed
    }
}
