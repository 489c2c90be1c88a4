package io.vmm.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.vmm.bench.ProcessStats.CpuSnapshot;

import static io.vmm.bench.Bench.EOS_QUIET;
import static io.vmm.bench.Bench.SETTLE;
import static io.vmm.bench.Bench.SOURCE_ALIAS;
import static io.vmm.bench.BenchOptions.exactlyOnce;

/**
 * Throughput and partitions modes for one contender (bench/README.md "How the numbers are measured"): fresh
 * clusters, the source topics loaded with N records, then the contender started and the target's end offsets
 * (exactly-once: last stable offsets, then a read_committed count) polled every {@code --poll-ms} until all N
 * records arrived: rec/s = N / (tLast - tFirst) in records per second, first-record and total seconds from the
 * contender's start, CPU shares of [tFirst, tLast], and per-partition offsets compared with the source 2 s later.
 *
 * <p>Blocking; the orchestrator's main thread only. Errors propagate as exceptions (the row then says "error");
 * a died contender or the {@code --timeout} deadline end the row with that status.
 */
final class ThroughputRun extends Measurement {

    ThroughputRun(BenchOptions opt, Clusters clusters, Contenders contenders, ChildProcesses children) {
        super(opt, clusters, contenders, children);
    }

    /** Loads the N records, starts the contender and polls the target until all arrived (or the deadline). */
    @Override
    void measure(Result r, Admin adminA, Admin adminB, List<String> topics) throws Exception {
        long n = opt.records();
        String name = r.name;
        load(n);
        OffsetReader sourceReader = new OffsetReader(adminA, topics, opt.partitions());
        long srcSum = sourceReader.read();
        Map<TopicPartition, Long> sourceEnds = sourceReader.snapshot();
        if (srcSum != n) {
            throw new IllegalStateException("source holds " + srcSum + " records, expected " + n);
        }

        boolean eos = exactlyOnce(name);
        // exactly-once: end offsets up to the last stable offset, which count commit markers too; the records
        // themselves are counted by a read_committed consumer once the target has been quiet (CommittedCounter)
        OffsetReader target = new OffsetReader(adminB, BenchClients.remote(topics), opt.partitions(), eos);
        CommittedCounter counter = eos ? new CommittedCounter(clusters.b.bootstrap(), BenchClients.remote(topics), opt.partitions()) : null;
        Contenders.Started started = contenders.launch(name, r);
        Process p = started.process();
        long t0 = started.t0();
        long tFirst = -1;
        long tLast = -1;
        CpuSnapshot cpuAtFirst = null;
        CpuSnapshot cpuAtLast = null;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(opt.timeoutSeconds);
        long nextReport = t0 + TimeUnit.SECONDS.toNanos(5);
        long sum = 0;
        long lastSum = -1;
        long lastChange = -1;
        CpuSnapshot cpuAtLastChange = null;
        long countedAtSum = -1;
        while (true) {
            long callStart = System.nanoTime();
            if (!p.isAlive()) {
                r.status = "died (exit " + p.exitValue() + ")";
                break;
            }
            sum = target.read();
            long now = System.nanoTime();
            if (sum > 0 && tFirst < 0) {
                tFirst = now;
                cpuAtFirst = CpuSnapshot.take(p, clusters);
                System.out.printf("  first mirrored record after %.2f s%n", (tFirst - t0) / 1e9);
            }
            if (!eos && sum >= n) {
                tLast = now;
                cpuAtLast = CpuSnapshot.take(p, clusters);
                break;
            }
            if (eos) {
                if (sum != lastSum) {
                    lastSum = sum;
                    lastChange = now;
                    cpuAtLastChange = CpuSnapshot.take(p, clusters);
                }
                // every record needs an offset, so sum >= n first; then the target must be quiet for a moment
                // (the contender is at most waiting for its last commit) before the records are counted
                if (sum >= n && sum != countedAtSum && now - lastChange >= EOS_QUIET.toNanos()) {
                    long counted = counter.countUpTo(target.snapshot());
                    countedAtSum = sum;
                    if (counted >= n) {
                        tLast = lastChange; // the poll that first saw the final committed state
                        cpuAtLast = cpuAtLastChange;
                        break;
                    }
                    System.out.printf("  [%4.0fs] %,d committed records counted (offsets incl. commit markers %,d), waiting for more%n",
                            (now - t0) / 1e9, counted, sum);
                }
            }
            if (now > deadline) {
                r.status = "timeout";
                break;
            }
            if (now > nextReport) {
                System.out.printf("  [%4.0fs] mirrored %,d / %,d%n", (now - t0) / 1e9, sum, n);
                nextReport += TimeUnit.SECONDS.toNanos(5);
            }
            Bench.sleepNanos(callStart + TimeUnit.MILLISECONDS.toNanos(opt.pollMs()) - System.nanoTime());
        }
        if (tLast > 0) {
            r.status = Result.OK;
            System.out.printf("  all %,d records mirrored after %.2f s%s%n", n, (tLast - t0) / 1e9,
                    eos ? " (committed, counted with read_committed)" : "");
            Bench.sleepNanos(SETTLE.toNanos()); // late duplicates would show up here
        } else {
            System.out.printf("  %s: %,d of %,d records mirrored%s%n", r.status, sum, n, eos ? " (offsets incl. commit markers)" : "");
        }
        target.read();
        if (eos) {
            counter.countUpTo(target.snapshot());
            r.committed = counter.total();
            System.out.printf("  read_committed count on B: %,d records (source %,d); end offsets incl. commit markers %,d%n",
                    r.committed, n, target.sum());
            compare(r, sourceEnds, counter.counts());
            counter.close();
        } else {
            compare(r, sourceEnds, target.snapshot());
        }
        DiskBytes.measure(r, adminA, adminB, topics);
        if (r.status.equals(Result.OK) && r.partitionsEqual != r.partitionsTotal) {
            r.status = "offsets differ";
        }
        r.firstSec = tFirst > 0 ? (tFirst - t0) / 1e9 : Double.NaN;
        if (tLast > 0) {
            double window = (tLast - tFirst) / 1e9;
            r.totalSec = (tLast - t0) / 1e9;
            if (window > 0) {
                r.recPerSec = n / window;
                r.mbPerSec = n * (double) opt.size / window / 1e6;
                ProcessStats.cpuWindow(r, cpuAtFirst, cpuAtLast);
                System.out.printf("  steady %,.0f rec/s, %.1f MB/s of values, over %.2f s (first to last mirrored record)%n",
                        r.recPerSec, r.mbPerSec, window);
            }
        }
        contenders.finish(r, started);
    }

    /** Compares per-partition end offsets: target above source = duplicates, below = missing. */
    private void compare(Result r, Map<TopicPartition, Long> source, Map<TopicPartition, Long> target) {
        int equal = 0;
        long missing = 0;
        long dup = 0;
        for (Map.Entry<TopicPartition, Long> e : source.entrySet()) {
            TopicPartition t = new TopicPartition(SOURCE_ALIAS + "." + e.getKey().topic(), e.getKey().partition());
            long tv = target.getOrDefault(t, 0L);
            long sv = e.getValue();
            if (tv == sv) {
                equal++;
            } else if (tv > sv) {
                dup += tv - sv;
            } else {
                missing += sv - tv;
            }
        }
        r.partitionsEqual = equal;
        r.partitionsTotal = source.size();
        r.missing = missing;
        r.duplicates = dup;
        System.out.printf("  offsets: %d/%d partitions equal to source, %,d records missing, %,d extra (duplicates)%n",
                equal, source.size(), missing, dup);
    }

    // ------------------------------------------------------------------------------------------ load

    /**
     * Loads N records into the source topics on A (keys {@code k<i>}, one header {@code h}, SIZE-byte values of
     * {@link BenchOptions#values()}; {@code acks=all}, 128 KB batches, linger 5 ms, {@code compression.type} =
     * {@code --codec}) and checks that every send was acknowledged.
     */
    private void load(long n) throws InterruptedException {
        List<String> topics = opt.sourceTopics();
        int parts = opt.partitions();
        int total = topics.size() * parts;
        Map<String, Object> pc = BenchClients.producerConfig(clusters.a.bootstrap(), "bench-loader");
        pc.put(ProducerConfig.BATCH_SIZE_CONFIG, 131072);
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        pc.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, opt.codec);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long t0 = System.nanoTime();
        ValueMaker values = opt.values();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc)) {
            // Record i goes to slot i % total (topic slot / parts, partition slot % parts). With few partitions the records
            // are sent in order i (round-robin). With many (partitions mode), slot by slot: the same records land in
            // the same partitions, but batches fill up; round-robin over 1,000 partitions makes one-record batches and
            // exhausts the buffer pool (the load then crawls at ~1,000 rec/s).
            boolean slotMajor = total > 64;
            long perSlot = (n + total - 1) / total;
            for (long k = 0; k < (slotMajor ? perSlot * total : n); k++) {
                long i = slotMajor ? (k % perSlot) * total + k / perSlot : k;
                if (i >= n) {
                    continue;
                }
                int slot = (int) (i % total);
                ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topics.get(slot / parts), slot % parts,
                        ("k" + i).getBytes(StandardCharsets.US_ASCII), values.next());
                rec.headers().add("h", new byte[]{(byte) (i >>> 8), (byte) i});
                producer.send(rec, (md, err) -> {
                    if (err == null) {
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, err);
                    }
                });
                if (children.shuttingDown()) {
                    throw new InterruptedException("shutting down");
                }
            }
            producer.flush();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (acked.get() != n) {
            throw new IllegalStateException("load: " + acked.get() + " of " + n + " records acknowledged, " + failed.get()
                    + " failed; first error: " + firstError.get());
        }
        System.out.printf("  loaded %,d records (%,.0f MB of values%s) in %.1f s (%,.0f rec/s), all acknowledged%n",
                n, n * (double) opt.size / 1e6, opt.compressed() ? ", JSON-like, produced with " + opt.codec : "", s, n / s);
    }
}
