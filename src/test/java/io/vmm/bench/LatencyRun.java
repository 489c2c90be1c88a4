package io.vmm.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vmm.bench.ProcessStats.CpuSnapshot;

import static io.vmm.bench.Bench.MEASURE_HEADER;
import static io.vmm.bench.Bench.SETTLE;
import static io.vmm.bench.Bench.SOURCE_ALIAS;
import static io.vmm.bench.BenchOptions.exactlyOnce;

/**
 * Latency mode for one contender (bench/README.md "Latency mode"): fresh clusters, the contender started, one probe
 * record per 100 ms until the first arrives on B (first-record seconds), then a {@link LatencyConsumer} on B and a
 * paced producer on A ({@code --rate} records/s, {@code --warmup} s, then {@code --seconds} s of records marked
 * with header {@code m}); latency = receive wall-clock ms - record timestamp ms, reported as p50/p99/max in ms with
 * missing and extra records; CPU shares over the producing window.
 *
 * <p>Blocking; the orchestrator's main thread only (the consumer has its own thread). Errors propagate as
 * exceptions; a died contender or the {@code --timeout} deadline before the first record end the row.
 */
final class LatencyRun extends Measurement {

    LatencyRun(BenchOptions opt, Clusters clusters, Contenders contenders, ChildProcesses children) {
        super(opt, clusters, contenders, children);
    }

    /**
     * Starts the contender, waits for its first mirrored probe record, then produces at {@code --rate} and
     * measures the marked records' latency on B.
     */
    @Override
    void measure(Result r, Admin adminA, Admin adminB, List<String> topics) throws Exception {
        String topic = topics.get(0);
        String remoteTopic = SOURCE_ALIAS + "." + topic;
        int parts = opt.partitions();
        String name = r.name;
        Map<String, Object> pc = BenchClients.producerConfig(clusters.a.bootstrap(), "bench-latency-producer");
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        pc.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, opt.codec);
        ValueMaker values = opt.values();
        AtomicLong sendErrors = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc)) {
            producer.partitionsFor(topic); // metadata before the clock starts
            OffsetReader target = new OffsetReader(adminB, List.of(remoteTopic), parts, exactlyOnce(name));
            Contenders.Started started = contenders.launch(name, r);
            Process p = started.process();
            long t0 = started.t0();

            // 1. start-up: one probe record per 100 ms until the first one arrives on B
            long deadline = t0 + TimeUnit.SECONDS.toNanos(opt.timeoutSeconds);
            long tFirst = -1;
            long probes = 0;
            long nextProbe = t0;
            while (tFirst < 0) {
                if (!p.isAlive()) {
                    r.status = "died (exit " + p.exitValue() + ")";
                    break;
                }
                long now = System.nanoTime();
                if (now > deadline) {
                    r.status = "timeout";
                    break;
                }
                if (now >= nextProbe) {
                    producer.send(new ProducerRecord<>(topic, (int) (probes % parts), ("probe" + probes).getBytes(StandardCharsets.US_ASCII), values.next()));
                    probes++;
                    nextProbe += TimeUnit.MILLISECONDS.toNanos(100);
                }
                if (target.read() > 0) {
                    tFirst = System.nanoTime();
                } else {
                    Bench.sleepNanos(TimeUnit.MILLISECONDS.toNanos(opt.pollMs()));
                }
            }
            if (tFirst < 0) {
                System.out.printf("  %s before the first record was mirrored%n", r.status);
                contenders.finish(r, started);
                return;
            }
            r.firstSec = (tFirst - t0) / 1e9;
            System.out.printf("  first mirrored record after %.2f s (%d probe records sent)%n", r.firstSec, probes);

            // 2. consumer on B from the end; measures records marked with the measure header
            LatencyConsumer lc = new LatencyConsumer(clusters.b.bootstrap(), remoteTopic, parts,
                    (long) opt.rate * opt.seconds + 16, exactlyOnce(name));
            lc.startAndWaitPositioned();

            // 3. paced producer: warm-up, then measured records
            CpuSnapshot cpuWindowStart = CpuSnapshot.take(p, clusters);
            long sent = 0;
            long measuredSent = 0;
            long start = System.nanoTime();
            long warmEnd = start + TimeUnit.SECONDS.toNanos(opt.warmup);
            long end = warmEnd + TimeUnit.SECONDS.toNanos(opt.seconds);
            long nextReport = start + TimeUnit.SECONDS.toNanos(5);
            byte[] mark = new byte[]{1};
            System.out.printf("  producing %,d rec/s: %d s warm-up, then %d s measured%n", opt.rate, opt.warmup, opt.seconds);
            while (true) {
                long now = System.nanoTime();
                if (now >= end || !p.isAlive() || children.shuttingDown()) {
                    break;
                }
                long due = (long) ((now - start) / 1e9 * opt.rate);
                while (sent < due) {
                    boolean measured = System.nanoTime() >= warmEnd;
                    ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                            ("k" + sent).getBytes(StandardCharsets.US_ASCII), values.next());
                    rec.headers().add("h", new byte[]{(byte) (sent >>> 8), (byte) sent});
                    if (measured) {
                        rec.headers().add(MEASURE_HEADER, mark);
                        measuredSent++;
                    }
                    producer.send(rec, (md, err) -> {
                        if (err != null) {
                            sendErrors.incrementAndGet();
                        }
                    });
                    sent++;
                }
                if (now > nextReport) {
                    System.out.printf("  [%4.0fs] produced %,d, measured received %,d%n", (now - start) / 1e9, sent, lc.received());
                    nextReport += TimeUnit.SECONDS.toNanos(5);
                }
                Thread.sleep(1);
            }
            producer.flush();
            CpuSnapshot cpuWindowEnd = CpuSnapshot.take(p, clusters);
            // 4. wait for the measured records (at most 30 s)
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lc.received() < measuredSent && System.nanoTime() < waitUntil && p.isAlive()) {
                Thread.sleep(20);
            }
            Bench.sleepNanos(SETTLE.toNanos()); // late duplicates
            lc.stop();
            int[] lat = lc.latencies();
            Arrays.sort(lat);
            r.latCount = lat.length;
            r.latSent = measuredSent;
            r.missing = Math.max(0, measuredSent - lc.received());
            r.duplicates = Math.max(0, lc.received() - measuredSent);
            if (exactlyOnce(name)) {
                r.committed = lc.received();
                System.out.printf("  read_committed consumer on B received %,d of %,d measured records%n", lc.received(), measuredSent);
            }
            if (lat.length > 0) {
                r.p50 = percentile(lat, 0.50);
                r.p99 = percentile(lat, 0.99);
                r.max = lat[lat.length - 1];
            }
            r.status = !p.isAlive() ? "died (exit " + p.exitValue() + ")"
                    : sendErrors.get() > 0 ? "producer errors: " + sendErrors.get()
                    : r.missing > 0 ? "missing" : Result.OK;
            System.out.printf("  produced %,d records (%,d measured, %d send errors); received %,d measured records: "
                            + "p50 %d ms, p99 %d ms, max %d ms; %,d missing, %,d extra%n",
                    sent, measuredSent, sendErrors.get(), lc.received(), r.p50, r.p99, r.max, r.missing, r.duplicates);
            ProcessStats.cpuWindow(r, cpuWindowStart, cpuWindowEnd);
            contenders.finish(r, started);
        }
    }

    static int percentile(int[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
