package io.vmm.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two independent single-node Kafka clusters, aliases {@code "A"} and {@code "B"}, each on its own free loopback
 * ports. Injected by {@link TwoClustersExtension} (one pair per test class); closing it closes both clusters.
 */
public final class TwoClusters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TwoClusters.class);

    private final Map<String, EmbeddedKafkaCluster> clusters;

    private TwoClusters(EmbeddedKafkaCluster a, EmbeddedKafkaCluster b) {
        Map<String, EmbeddedKafkaCluster> m = new LinkedHashMap<>();
        m.put(a.name(), a);
        m.put(b.name(), b);
        this.clusters = Collections.unmodifiableMap(m);
    }

    /**
     * Starts cluster "A", then cluster "B", on free ports (blocking). If B fails to start, A is closed again.
     * Normally called by {@link TwoClustersExtension}; usable directly with try-with-resources.
     */
    public static TwoClusters start() {
        return start(false);
    }

    /**
     * Like {@link #start()}, but each cluster also has the secured listeners of {@link SecuredListeners}
     * ({@code SSL} with client certificates required, {@code SASL_SSL} with SCRAM-SHA-512 and PLAIN, {@code OAUTH}
     * with OAUTHBEARER), at {@code cluster.bootstrapServers("SSL")} / {@code ("SASL_SSL")} / {@code ("OAUTH")}, and
     * the SCRAM user exists. The test PKI
     * ({@link TestCertificates}) is generated on first use. Used by {@link TwoClustersExtension} for test classes
     * annotated {@link SecuredClusters}.
     */
    public static TwoClusters startSecured() {
        return start(true);
    }

    private static TwoClusters start(boolean secured) {
        long t0 = System.nanoTime();
        EmbeddedKafkaCluster a = startOne("A", secured);
        EmbeddedKafkaCluster b;
        try {
            b = startOne("B", secured);
        } catch (RuntimeException | Error e) {
            try {
                a.close();
            } catch (RuntimeException closeError) {
                e.addSuppressed(closeError);
            }
            throw e;
        }
        LOG.info("Two Kafka clusters up in {} ms: A={} B={}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), a.bootstrapServers(), b.bootstrapServers());
        return new TwoClusters(a, b);
    }

    private static EmbeddedKafkaCluster startOne(String name, boolean secured) {
        if (!secured) {
            return EmbeddedKafkaCluster.start(name);
        }
        EmbeddedKafkaCluster c = EmbeddedKafkaCluster.start(name, SecuredListeners.brokerSettings(),
                SecuredListeners.listeners());
        try {
            SecuredListeners.createUsers(c);
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** @return cluster "A" */
    public EmbeddedKafkaCluster a() {
        return cluster("A");
    }

    /** @return cluster "B" */
    public EmbeddedKafkaCluster b() {
        return cluster("B");
    }

    /**
     * @param alias "A" or "B" (exact match, as used in mirror configs)
     * @return the cluster with that alias
     * @throws IllegalArgumentException for any other alias
     */
    public EmbeddedKafkaCluster cluster(String alias) {
        EmbeddedKafkaCluster c = clusters.get(alias);
        if (c == null) {
            throw new IllegalArgumentException("unknown cluster alias '" + alias + "', expected one of " + clusters.keySet());
        }
        return c;
    }

    /** Closes B, then A (both are attempted; the first failure is thrown with the other suppressed). */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (String alias : new String[]{"B", "A"}) {
            try {
                clusters.get(alias).close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "TwoClusters[A=" + a().bootstrapServers() + ", B=" + b().bootstrapServers() + "]";
    }
}
