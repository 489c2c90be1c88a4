package io.vmm.bench;

import io.vmm.bench.BenchOptions.Mode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

import static io.vmm.bench.BenchOptions.EOS_SUFFIX;
import static io.vmm.bench.BenchOptions.exactlyOnce;
import static io.vmm.bench.BenchOptions.kind;
import static io.vmm.bench.TableFormat.fmt;
import static io.vmm.bench.TableFormat.intOrDash;
import static io.vmm.bench.TableFormat.printAligned;
import static io.vmm.bench.TableFormat.ratio;

/**
 * One round's result table (bench/README.md "How the numbers are measured"): per contender its status and figures
 * (throughput and partitions modes: rec/s, MB/s, first-record and total s, peak RSS MB, CPU % of one core, CPU
 * us/rec, target/source bytes on disk; latency mode: p50/p99/max ms), ratios to the mm2 and (tuned) plain rows of
 * the same delivery (and to the contender's own at-least-once row), the footnotes, issue 16's targets
 * ({@link EosTargets}) and issue 17's ({@link PassThroughTargets}).
 *
 * <p>Prints to {@code System.out}; the orchestrator's main thread only.
 */
final class ResultTable {

    final BenchOptions opt;
    private final LongSupplier commitMs;

    /** @param commitMs exactly-once commit interval, ms (ours and the transactional loop's); asked only with -eos rows */
    ResultTable(BenchOptions opt, LongSupplier commitMs) {
        this.opt = opt;
        this.commitMs = commitMs;
    }

    /** Contender CPU seconds per record in the measured window (NaN if unknown). */
    static double cpuPerRecord(Result r) {
        return r.cpuPct / 100 / r.recPerSec;
    }

    /** The row of contender {@code kind} with the same delivery as {@code r} (mm2 for vmm, mm2-eos for vmm-eos), or null. */
    static Result peer(List<Result> results, Result r, String kind) {
        String name = exactlyOnce(r.name) ? kind + EOS_SUFFIX : kind;
        return results.stream().filter(x -> x.name.equals(name)).findFirst().orElse(null);
    }

    /** For an exactly-once row: the same contender's at-least-once row of this run, or null. */
    static Result atLeastOnceOf(List<Result> results, Result r) {
        if (!exactlyOnce(r.name)) {
            return null;
        }
        return results.stream().filter(x -> x.name.equals(kind(r.name))).findFirst().orElse(null);
    }

    /** "=" line, then the title with the run's settings, the machine, Java and the current load average. */
    void printTitle(String title, boolean anyEos) throws IOException, InterruptedException {
        System.out.println("=".repeat(100));
        System.out.println(title + "  mode " + opt.mode.name().toLowerCase(Locale.ROOT)
                + (opt.mode == Mode.LATENCY
                ? String.format(", %,d rec/s x %d B, %d partitions, %d s measured after %d s warm-up", opt.rate, opt.size, opt.partitions(), opt.seconds, opt.warmup)
                : String.format(", %,d records x %d B, %d topic(s) x %d partitions", opt.records(), opt.size, opt.topicCount(), opt.partitions()))
                + ", tasks " + opt.tasks
                + (anyEos ? String.format(", exactly-once commit interval %,d ms", commitMs.getAsLong()) : ""));
        System.out.println("machine  nproc " + Runtime.getRuntime().availableProcessors() + ", MemTotal " + ProcessStats.memTotal()
                + ", " + ProcessStats.cpuModel());
        System.out.println("java     " + String.join(" | ", ProcessStats.javaVersion()));
        System.out.println("load avg " + ProcessStats.loadAvg() + " (now)");
        System.out.println();
    }

    /** Issue 16's targets, with the exactly-once commit interval of this run (asks for it: -eos rows only). */
    EosTargets eosTargets() {
        return new EosTargets(opt, commitMs.getAsLong());
    }

    static double p99(Result r) {
        return r == null || r.p99 < 0 ? Double.NaN : r.p99;
    }

    /**
     * Prints one round's table: a title line ({@code title}, e.g. "RESULTS" or "RESULTS round 2 of 3", then the
     * run's settings), the machine, the rows with ratios to the same delivery's mm2 and plain rows, the footnotes
     * and, with an exactly-once row, issue 16's targets from this round's figures.
     */
    void print(List<Result> results, String title) throws IOException, InterruptedException {
        boolean anyEos = results.stream().anyMatch(r -> exactlyOnce(r.name));
        boolean bothDeliveries = results.stream().anyMatch(r -> atLeastOnceOf(results, r) != null);
        printTitle(title, anyEos);
        List<String> header = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        if (opt.mode == Mode.LATENCY) {
            header.addAll(List.of("contender", "status", "p50 ms", "p99 ms", "max ms", "count", "missing", "extra",
                    "first-record s", "peak RSS MB", "CPU %", "CPU us/rec", "others CPU %", "p99 vs mm2", "p99 vs plain", "RSS vs mm2", "RSS vs plain"));
            if (bothDeliveries) {
                header.add("p99 vs own ALO");
            }
            for (Result r : results) {
                Result mm2 = peer(results, r, "mm2");
                Result plain = peer(results, r, "plain");
                List<String> row = new ArrayList<>(List.of(r.name, r.status, intOrDash(r.p50), intOrDash(r.p99), intOrDash(r.max),
                        String.format("%,d", r.latCount), String.format("%,d", r.missing), String.format("%,d", r.duplicates),
                        fmt(r.firstSec, "%.2f"), fmt(r.rssHwmMb, "%.0f"), fmt(r.cpuPct, "%.0f"),
                        fmt(r.cpuPct / 100 / opt.rate * 1e6, "%.1f"), fmt(r.othersPct, "%.0f"),
                        ratio(p99(r), p99(mm2)), ratio(p99(r), p99(plain)),
                        ratio(r.rssHwmMb, mm2 == null ? Double.NaN : mm2.rssHwmMb),
                        ratio(r.rssHwmMb, plain == null ? Double.NaN : plain.rssHwmMb)));
                if (bothDeliveries) {
                    row.add(ratio(p99(r), p99(atLeastOnceOf(results, r))));
                }
                rows.add(row);
            }
        } else {
            header.addAll(List.of("contender", "status", "rec/s", "MB/s", "first-record s", "total s", "peak RSS MB", "CPU %",
                    "CPU us/rec", "brokers us/rec", "others CPU %", "target/source bytes"));
            if (opt.mode == Mode.PARTITIONS) {
                header.addAll(List.of("rec/s per partition", "RSS KB per partition"));
            }
            header.addAll(List.of("rec/s vs mm2", "rec/s vs plain", "CPU/rec vs mm2", "CPU/rec vs plain", "RSS vs mm2",
                    "RSS vs plain"));
            if (bothDeliveries) {
                header.add("rec/s vs own ALO");
            }
            header.add("offsets");
            for (Result r : results) {
                Result mm2 = peer(results, r, "mm2");
                Result plain = peer(results, r, "plain");
                List<String> row = new ArrayList<>(List.of(r.name, r.status, fmt(r.recPerSec, "%,.0f"), fmt(r.mbPerSec, "%.1f"),
                        fmt(r.firstSec, "%.2f"), fmt(r.totalSec, "%.2f"), fmt(r.rssHwmMb, "%.0f"), fmt(r.cpuPct, "%.0f"),
                        fmt(r.cpuPct / 100 / r.recPerSec * 1e6, "%.1f"), fmt(r.brokersPct / 100 / r.recPerSec * 1e6, "%.1f"),
                        fmt(r.othersPct, "%.0f"), fmt(DiskBytes.ratio(r), "%.2f")));
                if (opt.mode == Mode.PARTITIONS) {
                    row.add(fmt(r.recPerSec / opt.totalPartitions(), "%,.1f"));
                    row.add(fmt(r.rssHwmMb * 1024 / opt.totalPartitions(), "%,.0f"));
                }
                row.add(ratio(r.recPerSec, mm2 == null ? Double.NaN : mm2.recPerSec));
                row.add(ratio(r.recPerSec, plain == null ? Double.NaN : plain.recPerSec));
                row.add(ratio(cpuPerRecord(r), mm2 == null ? Double.NaN : cpuPerRecord(mm2)));
                row.add(ratio(cpuPerRecord(r), plain == null ? Double.NaN : cpuPerRecord(plain)));
                row.add(ratio(r.rssHwmMb, mm2 == null ? Double.NaN : mm2.rssHwmMb));
                row.add(ratio(r.rssHwmMb, plain == null ? Double.NaN : plain.rssHwmMb));
                if (bothDeliveries) {
                    Result alo = atLeastOnceOf(results, r);
                    row.add(ratio(r.recPerSec, alo == null ? Double.NaN : alo.recPerSec));
                }
                row.add((r.committed >= 0 ? String.format("%,d committed, ", r.committed) : "")
                        + (r.partitionsTotal == 0 ? "-" : r.partitionsEqual + "/" + r.partitionsTotal + " equal"
                        + (r.duplicates > 0 ? ", " + r.duplicates + " dup" : "") + (r.missing > 0 ? ", " + r.missing + " missing" : "")));
                rows.add(row);
            }
        }
        printAligned(header, rows);
        System.out.println();
        if (opt.mode == Mode.LATENCY) {
            System.out.println("latency = receive wall-clock ms on B - record timestamp set at send on A (same JVM clock); "
                    + "CPU % = contender CPU over the producing window, % of one core; CPU us/rec = that CPU per produced record");
        } else {
            System.out.println("rec/s = N / (t_last - t_first) from target end offsets polled every " + opt.pollMs()
                    + " ms; first-record s = t_first - process start; CPU % = contender CPU in [t_first, t_last], % of one core");
            System.out.println("CPU us/rec = contender (or brokers) CPU in the window per mirrored record: what decides throughput "
                    + "when the brokers run on other machines; CPU/rec ratio below 1 = less CPU per record than that contender");
        }
        if (opt.mode != Mode.LATENCY) {
            System.out.println("target/source bytes = bytes on disk of the target topic(s) on B / of the source topic(s) on A"
                    + " (Admin.describeLogDirs, all segments), once every record arrived; source data "
                    + (opt.compressed() ? "produced with " + opt.codec : "uncompressed"));
        }
        System.out.println("others CPU % = whole machine (/proc/stat) minus contender, brokers and orchestrator, same window; "
                + "above ~20 % something else competed for the cores");
        System.out.println("peak RSS = VmHWM of the contender's JVM (plus its child processes: our launcher's mirror JVM) just before SIGTERM; ratios = this row / that row"
                + (anyEos ? " of the same delivery (vmm-eos / mm2-eos)" : "") + "; "
                + (opt.mode == Mode.LATENCY ? "" : "MB/s counts values only; ")
                + "expect +-10-15 % run-to-run noise (brokers share the cores)");
        System.out.println("\"vs plain\" = against the tuned plain loop (our mirror's client settings)"
                + (results.stream().anyMatch(r -> r.name.equals(BenchOptions.PLAIN_DEFAULTS))
                ? "; plain-defaults = the same loop with kafka-clients defaults, shown for reference only" : ""));
        if (anyEos) {
            System.out.println(opt.mode == Mode.LATENCY
                    ? "exactly-once rows (-eos): the consumer on B reads with read_committed, so latency includes the wait for the commit"
                    : "exactly-once rows (-eos): t_last = first poll that saw the final last stable offsets; records counted "
                    + "with a read_committed consumer on B (\"committed\"); \"equal\" compares those counts per partition with the source");
            eosTargets().printRound(results);
        }
        new PassThroughTargets(opt).printRound(results);
    }
}
