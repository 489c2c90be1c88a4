package io.vmm.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vmm.bench.Bench.ADMIN_TIMEOUT;

/**
 * End offsets (latest) of a fixed set of topics with a known partition count, via Admin listOffsets. A topic that
 * does not exist yet counts 0. Each partition keeps the highest offset seen, so a failed call never lowers a sum.
 * Blocking (each Admin call at most 2.5 s); not thread-safe: the orchestrator's main thread only.
 */
final class OffsetReader {
    private final Admin admin;
    private final List<String> topics;
    private final int partitions;
    private final Set<String> existing = new HashSet<>();
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private final IsolationLevel isolation;
    /** How long a read waits for partitions never answered before, ms. */
    private static final java.time.Duration NOT_READY_TIMEOUT = java.time.Duration.ofMillis(500);

    /**
     * @param committed true: last stable offsets ({@code READ_COMMITTED}: up to the first open transaction,
     *                  commit markers included); false: high watermarks
     */
    OffsetReader(Admin admin, List<String> topics, int partitions, boolean committed) {
        this.admin = admin;
        this.topics = topics;
        this.partitions = partitions;
        this.isolation = committed ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
    }

    OffsetReader(Admin admin, List<String> topics, int partitions) {
        this(admin, topics, partitions, false);
    }

    long read() {
        if (existing.size() < topics.size()) {
            try {
                Set<String> names = admin.listTopics(new ListTopicsOptions().timeoutMs((int) ADMIN_TIMEOUT.toMillis()))
                        .names().get(ADMIN_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
                for (String t : topics) {
                    if (names.contains(t)) {
                        existing.add(t);
                    }
                }
            } catch (Exception e) {
                return sum();
            }
        }
        if (!existing.isEmpty()) {
            // partitions answered before, and the others (a new remote topic's partitions, which a broker makes
            // writable over seconds when there are thousands): those get a short deadline of their own, so a
            // partition not ready yet never holds up the sum of those that are
            Map<TopicPartition, OffsetSpec> ready = new HashMap<>();
            Map<TopicPartition, OffsetSpec> waiting = new HashMap<>();
            for (String t : existing) {
                for (int i = 0; i < partitions; i++) {
                    TopicPartition tp = new TopicPartition(t, i);
                    (ends.containsKey(tp) ? ready : waiting).put(tp, OffsetSpec.latest());
                }
            }
            ListOffsetsResult readyAnswer = ready.isEmpty() ? null : admin.listOffsets(ready,
                    new ListOffsetsOptions(isolation).timeoutMs((int) ADMIN_TIMEOUT.toMillis()));
            ListOffsetsResult waitingAnswer = waiting.isEmpty() ? null : admin.listOffsets(waiting,
                    new ListOffsetsOptions(isolation).timeoutMs((int) NOT_READY_TIMEOUT.toMillis()));
            collect(readyAnswer, ready.keySet(), ADMIN_TIMEOUT.toMillis() + 500);
            collect(waitingAnswer, waiting.keySet(), NOT_READY_TIMEOUT.toMillis() + 100);
        }
        return sum();
    }

    /** Merges the answered partitions of {@code answer}, waiting at most {@code waitMs} for all of them together. */
    private void collect(ListOffsetsResult answer, Set<TopicPartition> tps, long waitMs) {
        if (answer == null) {
            return;
        }
        long deadline = System.currentTimeMillis() + waitMs;
        for (TopicPartition tp : tps) {
            try {
                long off = answer.partitionResult(tp).get(Math.max(1, deadline - System.currentTimeMillis()),
                        TimeUnit.MILLISECONDS).offset();
                ends.merge(tp, off, Math::max);
            } catch (Exception e) {
                // partition not ready yet, or a slow answer: keep the last value
            }
        }
    }

    long sum() {
        return ends.values().stream().mapToLong(Long::longValue).sum();
    }

    Map<TopicPartition, Long> snapshot() {
        Map<TopicPartition, Long> m = new HashMap<>();
        for (String t : topics) {
            for (int i = 0; i < partitions; i++) {
                TopicPartition tp = new TopicPartition(t, i);
                m.put(tp, ends.getOrDefault(tp, 0L));
            }
        }
        return m;
    }
}
