package io.vmm.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.vmm.bench.Bench.COUNT_TIMEOUT;

/**
 * Counts the records of the target topics that a {@code read_committed} consumer sees (exactly-once contenders:
 * end offsets also count commit markers and aborted records). Assigned to every partition from the beginning;
 * each {@link #countUpTo} call reads on from where the last one stopped. Not thread-safe: the orchestrator's
 * main thread only.
 */
final class CommittedCounter implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> tps = new ArrayList<>();
    private final Map<TopicPartition, Long> counts = new HashMap<>();

    CommittedCounter(String bootstrap, List<String> topics, int partitions) {
        Map<String, Object> cc = BenchClients.consumerConfig(bootstrap, "bench-committed-counter");
        cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(cc);
        for (String t : topics) {
            for (int i = 0; i < partitions; i++) {
                TopicPartition tp = new TopicPartition(t, i);
                tps.add(tp);
                counts.put(tp, 0L);
            }
        }
    }

    /**
     * Reads until every partition's position reaches {@code ends} (last stable offsets), at most
     * {@link Bench#COUNT_TIMEOUT} (120 s). @return the total count so far
     */
    long countUpTo(Map<TopicPartition, Long> ends) {
        if (consumer.assignment().isEmpty()) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }
        long deadline = System.nanoTime() + COUNT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean behind = false;
            for (TopicPartition tp : tps) {
                if (consumer.position(tp, Duration.ofSeconds(30)) < ends.getOrDefault(tp, 0L)) {
                    behind = true;
                    break;
                }
            }
            if (!behind) {
                break;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                counts.merge(new TopicPartition(r.topic(), r.partition()), 1L, Long::sum);
            }
        }
        return total();
    }

    long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Records counted per target partition. */
    Map<TopicPartition, Long> counts() {
        return new HashMap<>(counts);
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}
