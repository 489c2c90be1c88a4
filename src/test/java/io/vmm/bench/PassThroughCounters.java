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
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build(); // Java 17: not AutoCloseable
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.out.println("  pass-through counters: not read from port " + metricsPort + ": " + e);
        }
    }

    /** Sum of every sample of {@code metric} in Prometheus text (lines {@code name{tags} value [timestamp]}). */
    static long sum(String text, String metric) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                String rest = line.substring(line.contains("}") ? line.lastIndexOf('}') + 1 : metric.length()).trim();
                if (!rest.isEmpty()) {
                    total += Double.parseDouble(rest.split("\\s+")[0]);
                }
            }
        }
        return (long) total;
    }
}
