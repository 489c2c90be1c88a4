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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The "plain" contender of the benchmark ({@link Bench}): the mirror loop a user would write by hand, in ONE
 * thread, with a raw {@link KafkaConsumer} and a raw {@link KafkaProducer}.
 *
 * <pre>
 * java -cp "target/test-classes:$(cat target/test.classpath)" io.vmm.bench.PlainLoop SOURCE_BOOTSTRAP TARGET_BOOTSTRAP TOPIC[,TOPIC...]
 * </pre>
 *
 * <ul>
 *   <li>Consumer: byte arrays, no group, all partitions of the given topics assigned, from the beginning.
 *       Client defaults otherwise.</li>
 *   <li>Producer: {@code acks=all} (also the client default), client defaults otherwise (16 KB batches,
 *       5 ms linger, idempotence on).</li>
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
        if (args.length != 3) {
            System.err.println("usage: PlainLoop SOURCE_BOOTSTRAP TARGET_BOOTSTRAP TOPIC[,TOPIC...]");
            System.exit(2);
        }
        String source = args[0];
        String target = args[1];
        List<String> topics = List.of(args[2].split(","));

        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source);
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "plain-loop-consumer");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target);
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "plain-loop-producer");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        AtomicReference<Exception> sendError = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.wakeup();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "plain-loop-shutdown"));

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
                    + " -> A.<topic> on " + target);
            while (sendError.get() == null) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(1000));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>("A." + r.topic(), r.partition(), r.timestamp(), r.key(), r.value(),
                            r.headers()), (md, err) -> {
                        if (err != null) {
                            sendError.compareAndSet(null, err);
                        }
                    });
                }
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
}
