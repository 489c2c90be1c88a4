package io.vmm.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.Node;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vmm.bench.TableFormat.fmt;

/**
 * Bytes on disk (issue 17: "the target's bytes on disk within 10 % of the source's"): the sum of the replica sizes
 * ({@code Admin.describeLogDirs} on every broker of the cluster, {@link ReplicaInfo#size()}, bytes of all log
 * segments) of the given topics' partitions, for the source topics on A and the remote topics on B, measured once
 * every record has arrived. The ratio target/source shows whether a contender kept the source's compression.
 *
 * <p>Blocking (10 s per call); the orchestrator's main thread only.
 */
final class DiskBytes {

    /** Deadline of each describeCluster / describeLogDirs call, seconds. */
    private static final long TIMEOUT_S = 10;

    private DiskBytes() {
    }

    /**
     * Fills in {@link Result#sourceBytes} (topics on A) and {@link Result#targetBytes} ({@code A.<topic>} on B) and
     * prints them; on a failure prints it and leaves both at -1 (the row's status is not changed).
     */
    static void measure(Result r, Admin adminA, Admin adminB, List<String> topics) {
        try {
            r.sourceBytes = topicBytes(adminA, topics);
            r.targetBytes = topicBytes(adminB, BenchClients.remote(topics));
            System.out.printf("  bytes on disk: source %,.1f MB, target %,.1f MB, target/source %s%n", r.sourceBytes / 1e6,
                    r.targetBytes / 1e6, fmt(ratio(r), "%.2f"));
        } catch (Exception e) {
            System.out.println("  bytes on disk: not measured: " + e);
        }
    }

    /** target / source bytes on disk, NaN when not measured. */
    static double ratio(Result r) {
        return r.sourceBytes <= 0 || r.targetBytes < 0 ? Double.NaN : (double) r.targetBytes / r.sourceBytes;
    }

    /** Sum of the sizes, bytes, of every replica of {@code topics} in every log directory of every broker. */
    static long topicBytes(Admin admin, List<String> topics) throws Exception {
        Set<String> wanted = new HashSet<>(topics);
        List<Integer> brokers = admin.describeCluster().nodes().get(TIMEOUT_S, TimeUnit.SECONDS).stream()
                .map(Node::id).toList();
        Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(brokers).allDescriptions()
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        long sum = 0;
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription d : byDir.values()) {
                for (var e : d.replicaInfos().entrySet()) {
                    if (wanted.contains(e.getKey().topic())) {
                        sum += e.getValue().size();
                    }
                }
            }
        }
        return sum;
    }
}
