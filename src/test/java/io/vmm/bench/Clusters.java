package io.vmm.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.vmm.bench.Bench.BENCH_DIR;
import static io.vmm.bench.BenchOptions.EOS_SUFFIX;
import static io.vmm.bench.BenchOptions.plainLoop;

/**
 * The benchmark's two clusters: broker A (source, 127.0.0.1:19092, controller 19093) and broker B (target,
 * 127.0.0.1:29092, controller 29093), each a {@link Broker}. The ports lie below Linux's ephemeral range
 * (32768-60999), so a client reconnecting to a stopped broker never gets the port itself and leaves a self-connection
 * that blocks the next run's bind. Before each contender they are wiped, formatted,
 * started and warmed up ({@link #fresh}); then the contender's topics are created ({@link #createTopics}); after
 * the run they are stopped and their data deleted ({@link #stopAndDelete}).
 *
 * <p>Blocking; the orchestrator's main thread only (the warm-up uses one thread per broker and joins them).
 */
final class Clusters {

    final Broker a;
    final Broker b;
    private final BenchOptions opt;

    /** @param classpath the brokers' class path (target/test-classes and target/test.classpath) */
    Clusters(BenchOptions opt, String classpath, ChildProcesses children) {
        this.opt = opt;
        this.a = new Broker("A", 19092, 19093, opt.dataDir, classpath, children);
        this.b = new Broker("B", 29092, 29093, opt.dataDir, classpath, children);
    }

    /** Stops both brokers, wipes their data, formats and starts them, waits until ready, then warms them up. */
    void fresh(String contenderName) throws IOException, InterruptedException {
        long t = System.nanoTime();
        b.stop();
        a.stop();
        a.wipeAndStart(contenderName);
        b.wipeAndStart(contenderName);
        a.awaitReady();
        b.awaitReady();
        System.out.printf("  fresh clusters A and B (wiped, formatted, started) in %.1f s%n", (System.nanoTime() - t) / 1e9);
        warmBrokers();
    }

    /**
     * The contender's topics: the source topics on A; for the plain loops (plain, plain-defaults, plain-eos) also the
     * remote topics on B (the mirrors create theirs); for {@code plain-eos} also its progress topic on B.
     */
    void createTopics(String contender, Admin adminA, Admin adminB, List<String> topics, int partitions) throws Exception {
        BenchClients.createTopics(adminA, topics, partitions);
        if (plainLoop(contender)) {
            BenchClients.createTopics(adminB, BenchClients.remote(topics), partitions);
        }
        if (contender.equals("plain" + EOS_SUFFIX)) {
            BenchClients.createProgressTopic(adminB);
        }
    }

    /** CPU seconds both broker JVMs used so far. */
    double brokersCpu() {
        return ProcessStats.cpuSeconds(a.process) + ProcessStats.cpuSeconds(b.process);
    }

    /** After the run: stops both brokers and deletes their data (and the data directory if it is then empty). */
    void stopAndDelete() {
        b.stop();
        a.stop();
        for (Broker broker : List.of(a, b)) {
            try {
                broker.deleteData(); // data is useless after the run (and may sit in tmpfs)
            } catch (IOException e) {
                System.out.println("could not delete " + broker.dir + ": " + e);
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

    /**
     * Warms both fresh broker JVMs before a contender starts: each broker gets {@code --broker-warmup} records
     * produced to a topic {@code warmup} (8 partitions, not matched by any contender's filter; the run's value shape
     * and {@code --codec}) and read back, so
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
        for (Broker broker : List.of(a, b)) {
            Thread th = new Thread(() -> {
                try {
                    warmBroker(broker);
                } catch (Exception e) {
                    error.compareAndSet(null, e);
                }
            }, "warmup-" + broker.name);
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

    private void warmBroker(Broker broker) throws Exception {
        String topic = "warmup";
        int parts = 8;
        try (Admin admin = BenchClients.admin(broker)) {
            BenchClients.createTopics(admin, List.of(topic), parts);
        }
        Map<String, Object> pc = BenchClients.producerConfig(broker.bootstrap(), "bench-warmup-" + broker.name);
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        pc.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, opt.codec); // the broker's (de)compression paths warm too
        ValueMaker values = opt.values();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc)) {
            for (long i = 0; i < opt.brokerWarmup; i++) {
                ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, (int) (i % parts),
                        ("k" + i).getBytes(StandardCharsets.US_ASCII), values.next());
                rec.headers().add("h", new byte[]{(byte) i});
                producer.send(rec);
            }
            producer.flush();
        }
        Map<String, Object> cc = BenchClients.consumerConfig(broker.bootstrap(), "bench-warmup-reader-" + broker.name);
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
}
