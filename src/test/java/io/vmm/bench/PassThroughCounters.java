package io.vmm.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static io.vmm.bench.Bench.HOST;

/**
 * Our mirror's pass-through counters, read from its Prometheus endpoint ({@code http://127.0.0.1:<metrics.port>/metrics})
 * just before it is stopped: {@code vmm_passthrough_batches_total} (record batches passed through unchanged) and
 * {@code vmm_passthrough_decoded_records_total} (records decoded from batches that could not pass through), each
 * summed over its series (tags source, target, task). They show that a {@code vmm-batch} row really took the batch
 * path (batches above 0, decoded records 0 or few); a {@code vmm} row has neither.
 *
 * <p>Blocking (2 s deadline); the orchestrator's main thread only.
 */
final class PassThroughCounters {

    static final String BATCHES = "vmm_passthrough_batches_total";
    static final String DECODED = "vmm_passthrough_decoded_records_total";
    static final String COMMIT_MS = "vmm_transaction_commit_latency_ms";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private PassThroughCounters() {
    }

    /**
     * Reads both counters into {@link Result#passedBatches} and {@link Result#decodedRecords} (0 when the endpoint
     * has no such series) and prints them; when the endpoint does not answer, prints why and leaves them at -1.
     *
     * @param metricsPort our mirror's {@code metrics.port}
     */
    static void read(Result r, int metricsPort) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build(); // Java 17: not AutoCloseable
        try {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + metricsPort + "/metrics"))
                    .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                System.out.println("  pass-through counters: not read: /metrics answered " + resp.statusCode());
                return;
            }
            r.passedBatches = sum(resp.body(), BATCHES);
            r.decodedRecords = sum(resp.body(), DECODED);
            System.out.printf("  pass-through: %,d record batches passed through unchanged, %,d records decoded (%s, %s)%n",
                    r.passedBatches, r.decodedRecords, BATCHES, DECODED);
            if (resp.body().contains(COMMIT_MS + "_avg")) {
                System.out.printf("  transactions (last 30-60 s, over tasks): commit latency avg %.1f ms, max %.0f ms; records per "
                                + "transaction avg %.0f (%s, vmm_transaction_records)%n", mean(resp.body(), COMMIT_MS + "_avg"),
                        max(resp.body(), COMMIT_MS + "_max"), mean(resp.body(), "vmm_transaction_records_avg"), COMMIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.out.println("  pass-through counters: not read from port " + metricsPort + ": " + e);
        }
    }

    /** Sum of every sample of {@code metric} in Prometheus text (lines {@code name{tags} value [timestamp]}). */
    static long sum(String text, String metric) {
        return (long) values(text, metric).sum();
    }

    /** Mean of the samples of {@code metric} that are numbers (NaN when none). */
    static double mean(String text, String metric) {
        return values(text, metric).average().orElse(Double.NaN);
    }

    /** Largest sample of {@code metric} that is a number (NaN when none). */
    static double max(String text, String metric) {
        return values(text, metric).max().orElse(Double.NaN);
    }

    private static java.util.stream.DoubleStream values(String text, String metric) {
        java.util.stream.DoubleStream.Builder out = java.util.stream.DoubleStream.builder();
        for (String line : text.split("\n")) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                String rest = line.substring(line.contains("}") ? line.lastIndexOf('}') + 1 : metric.length()).trim();
                if (!rest.isEmpty()) {
                    double v = Double.parseDouble(rest.split("\\s+")[0]);
                    if (!Double.isNaN(v)) {
                        out.add(v);
                    }
                }
            }
        }
        return out.build();
    }
}
