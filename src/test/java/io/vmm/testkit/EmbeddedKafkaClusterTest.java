package io.vmm.testkit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Smoke test of the test kit itself: two in-JVM clusters, produce and read back on each. */
@ExtendWith(TwoClustersExtension.class)
class EmbeddedKafkaClusterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final TwoClusters clusters;

    EmbeddedKafkaClusterTest(TwoClusters clusters) {
        this.clusters = clusters;
    }

    @Test
    void twoDistinctLoopbackClusters() {
        assertTrue(clusters.a().bootstrapServers().startsWith("127.0.0.1:"), clusters.a().bootstrapServers());
        assertTrue(clusters.b().bootstrapServers().startsWith("127.0.0.1:"), clusters.b().bootstrapServers());
        assertNotEquals(clusters.a().bootstrapServers(), clusters.b().bootstrapServers());
        assertEquals("A", clusters.cluster("A").name());
        assertEquals("B", clusters.cluster("B").name());
        assertThrows(IllegalArgumentException.class, () -> clusters.cluster("C"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"A", "B"})
    void produceAndReadAll(String alias, TwoClusters injected) throws Exception {
        EmbeddedKafkaCluster cluster = injected.cluster(alias);
        assertTrue(injected == clusters, "same pair for constructor and method injection");
        String topic = "smoke-" + alias;
        cluster.createTopic(topic, 3);

        try (KafkaProducer<byte[], byte[]> producer = cluster.newProducer()) {
            for (int i = 0; i < 100; i++) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, bytes("key-" + i), bytes("value-" + i));
                r.headers().add("seq", bytes(Integer.toString(i)));
                producer.send(r);
            }
            producer.flush();
        }

        List<ConsumerRecord<byte[], byte[]>> records = cluster.readAll(topic, 100, TIMEOUT);
        assertEquals(100, records.size());
        Set<String> keys = new HashSet<>();
        ConsumerRecord<byte[], byte[]> prev = null;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = string(r.key());
            String n = key.substring("key-".length());
            assertEquals("value-" + n, string(r.value()));
            Header seq = r.headers().lastHeader("seq");
            assertNotNull(seq, "header seq");
            assertEquals(n, string(seq.value()));
            assertTrue(keys.add(key), "duplicate " + key);
            if (prev != null) {
                assertTrue(prev.partition() < r.partition()
                        || (prev.partition() == r.partition() && prev.offset() < r.offset()), "ordered by partition, offset");
            }
            prev = r;
        }
        assertEquals(3, records.stream().map(ConsumerRecord::partition).distinct().count(), "keys spread over 3 partitions");

        Map<TopicPartition, Long> ends = cluster.endOffsets(topic);
        assertEquals(3, ends.size());
        assertEquals(100L, ends.values().stream().mapToLong(Long::longValue).sum());
        assertEquals(100, cluster.readAllNow(topic).size());

        AssertionError timeout = assertThrows(AssertionError.class,
                () -> cluster.readAll(topic, 101, Duration.ofSeconds(3)));
        assertTrue(timeout.getMessage().contains(topic) && timeout.getMessage().contains("101")
                && timeout.getMessage().contains("got 100"), timeout.getMessage());
    }

    @Test
    void readAllNowOfEmptyTopicAndAwaitTimeoutMessage() {
        clusters.b().createTopic("empty", 2, Map.of("cleanup.policy", "compact"));
        assertTrue(clusters.b().readAllNow("empty").isEmpty());
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until("godot", Duration.ofMillis(100), () -> false));
        assertEquals("timed out after 100 ms waiting for godot", e.getMessage());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
