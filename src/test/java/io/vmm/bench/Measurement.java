package io.vmm.bench;

import org.apache.kafka.clients.admin.Admin;

import java.util.List;

/**
 * One measurement of one contender on fresh clusters, in the mode {@code --mode} asks for: {@link ThroughputRun}
 * (throughput and partitions modes) or {@link LatencyRun}. Blocking, on the orchestrator's main thread; the
 * contender has been stopped when {@link #run} returns normally (after an exception the caller stops it with
 * {@link Contenders#stopCurrent}).
 */
abstract class Measurement {

    protected final BenchOptions opt;
    protected final Clusters clusters;
    protected final Contenders contenders;
    protected final ChildProcesses children;

    Measurement(BenchOptions opt, Clusters clusters, Contenders contenders, ChildProcesses children) {
        this.opt = opt;
        this.clusters = clusters;
        this.contenders = contenders;
        this.children = children;
    }

    /** The measurement {@code --mode} asks for: {@link LatencyRun} in latency mode, else {@link ThroughputRun}. */
    static Measurement of(BenchOptions opt, Clusters clusters, Contenders contenders, ChildProcesses children) {
        return opt.mode == BenchOptions.Mode.LATENCY
                ? new LatencyRun(opt, clusters, contenders, children)
                : new ThroughputRun(opt, clusters, contenders, children);
    }

    /**
     * Measures contender {@code name} (e.g. "vmm-eos"): fresh clusters, the contender's topics ({@link
     * Clusters#createTopics}), then {@link #measure}. The row's status says how it ended.
     */
    final Result run(String name) throws Exception {
        Result r = new Result(name);
        clusters.fresh(name);
        List<String> topics = opt.sourceTopics();
        try (Admin adminA = BenchClients.admin(clusters.a); Admin adminB = BenchClients.admin(clusters.b)) {
            clusters.createTopics(name, adminA, adminB, topics, opt.partitions());
            measure(r, adminA, adminB, topics);
        }
        return r;
    }

    /**
     * The mode's measurement of contender {@code r.name} once its topics exist (source {@code topics} on A), with
     * Admin clients of A and B (closed by the caller): fills in {@code r}, stops the contender before returning.
     */
    abstract void measure(Result r, Admin adminA, Admin adminB, List<String> topics) throws Exception;
}
