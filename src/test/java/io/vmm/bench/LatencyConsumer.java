package io.vmm.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.vmm.bench.Bench.MEASURE_HEADER;

/**
 * Latency mode's consumer on B, on its own daemon thread: assigned to every partition of the remote topic from the
 * end, it records latency = receive wall-clock ms - record timestamp ms for the records carrying header {@code m}
 * (measured records only; up to twice the expected count). {@link #received} and {@link #latencies} may be read
 * from any thread; {@link #startAndWaitPositioned} and {@link #stop} from the orchestrator's main thread.
 */
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
        Map<String, Object> cc = BenchClients.consumerConfig(bootstrap, "bench-latency-consumer");
        cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
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
