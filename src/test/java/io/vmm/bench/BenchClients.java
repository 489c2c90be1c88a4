package io.vmm.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.vmm.bench.Bench.ADMIN_TIMEOUT;
import static io.vmm.bench.Bench.SOURCE_ALIAS;

/**
 * The orchestrator's own Kafka clients: Admin (2 s timeouts), byte-array producer and consumer configs, topic
 * creation (RF 1, waiting until each partition is hosted), the transactional loop's progress topic, and the remote
 * topic names ({@code A.<topic>}, MM2's default replication policy).
 *
 * <p>Blocking calls with deadlines (60 s for topic creation); the orchestrator's threads only.
 */
final class BenchClients {

    private BenchClients() {
    }

    static Admin admin(Broker b) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "bench-admin-" + b.name);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        return Admin.create(p);
    }

    /** A byte-array producer's config with {@code acks=all}; callers add batch, linger and compression settings. */
    static Map<String, Object> producerConfig(String bootstrap, String clientId) {
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pc.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        pc.put(ProducerConfig.ACKS_CONFIG, "all");
        pc.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        pc.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return pc;
    }

    /** A byte-array consumer's config (no group); callers add isolation level, auto-commit or offset reset. */
    static Map<String, Object> consumerConfig(String bootstrap, String clientId) {
        Map<String, Object> cc = new HashMap<>();
        cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cc.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        cc.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        cc.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return cc;
    }

    static List<String> remote(List<String> topics) {
        return topics.stream().map(t -> SOURCE_ALIAS + "." + t).toList();
    }

    /**
     * Creates the topics (RF 1) and waits until every partition is hosted by its leader: ListOffsets reaches the
     * leader's log. Producing earlier races the broker applying the new topic, and an idempotent producer can then
     * fail with OutOfOrderSequence (KAFKA-15591; seen here with 1,000 new partitions).
     */
    static void createTopics(Admin admin, List<String> topics, int partitions) throws Exception {
        List<NewTopic> nt = topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList();
        admin.createTopics(nt).all().get(60, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (String t : topics) {
            for (int i = 0; i < partitions; i++) {
                req.put(new TopicPartition(t, i), OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.listOffsets(req, new ListOffsetsOptions().timeoutMs(10_000)).all().get(11, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions of " + topics + " not hosted after 60 s: " + e);
                }
            }
            Thread.sleep(100);
        }
    }

    /** The transactional loop's compacted progress topic on B ({@link TransactionalLoop#PROGRESS_TOPIC}). */
    static void createProgressTopic(Admin adminB) throws Exception {
        adminB.createTopics(List.of(new NewTopic(TransactionalLoop.PROGRESS_TOPIC, 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get(60, TimeUnit.SECONDS);
    }
}
