package io.vmm.bench;

import io.vmm.bench.BenchOptions.Mode;

import java.util.List;
import java.util.function.ToDoubleFunction;

import static io.vmm.bench.BenchOptions.MM2_COMPRESSED;
import static io.vmm.bench.BenchOptions.PLAIN;
import static io.vmm.bench.BenchOptions.VMM_BATCH;
import static io.vmm.bench.TableFormat.fmt;

/**
 * Issue 17's benchmark targets, checked and printed below a table ("met" / "NOT met" per line; a line is left out
 * when a row it needs is not in the run):
 * <ul>
 *   <li>record path: {@code vmm} rec/s at least 1.0x the tuned loop's ({@code plain});</li>
 *   <li>pass-through, stated for uncompressed data: {@code vmm-batch} rec/s at least 1.5x {@code plain}'s, and its
 *       CPU per record (contender CPU in the measured window per record) at most 0.3x {@code plain}'s;</li>
 *   <li>pass-through with {@code --codec} (the issue: lz4 and zstd, 1 KB JSON-like records): {@code vmm-batch} rec/s
 *       at least 3x {@code mm2}'s and at least 3x {@code mm2-compressed}'s, and its target/source bytes on disk
 *       ({@link DiskBytes}) at most 1.10;</li>
 *   <li>latency mode: p99 at most 50 ms for {@code vmm} and {@code vmm-batch} ("both paths").</li>
 * </ul>
 * With a codec the uncompressed targets are printed for reference (marked so), and without one the codec targets
 * are left out. {@link #printRound} takes one round's rows, {@link #printMedians} the medians over the rounds
 * (ratios of medians). Prints to {@code System.out}; the orchestrator's main thread only.
 */
final class PassThroughTargets {

    static final double P99_LIMIT_MS = 50;
    static final double BYTES_LIMIT = 1.10;

    private final BenchOptions opt;

    PassThroughTargets(BenchOptions opt) {
        this.opt = opt;
    }

    /** One figure of a contender: from one round's row, or the median over the rounds; NaN when not measured. */
    private interface Figures {
        /** Whether {@code name} has a row (in the round, or in any round). */
        boolean has(String name);

        double of(String name, ToDoubleFunction<Result> figure);
    }

    /** The targets from one round's rows; prints nothing without a vmm or vmm-batch row. */
    void printRound(List<Result> results) {
        print("issue 17 targets:", new Figures() {
            @Override
            public boolean has(String name) {
                return row(name) != null;
            }

            @Override
            public double of(String name, ToDoubleFunction<Result> figure) {
                Result r = row(name);
                return r == null ? Double.NaN : figure.applyAsDouble(r);
            }

            private Result row(String name) {
                return results.stream().filter(r -> r.name.equals(name)).findFirst().orElse(null);
            }
        });
    }

    /** The targets from the medians over the rounds (rows "ok" or "busy" only): ratios of the medians. */
    void printMedians(List<List<Result>> rounds) {
        print("issue 17 targets, from the medians over " + rounds.size() + " rounds:", new Figures() {
            @Override
            public boolean has(String name) {
                return !EosTargets.rowsOf(rounds, name).isEmpty();
            }

            @Override
            public double of(String name, ToDoubleFunction<Result> figure) {
                return RoundMedians.median(EosTargets.rowsOf(rounds, name).stream().map(r -> figure.applyAsDouble(r)).toList());
            }
        });
    }

    private void print(String heading, Figures f) {
        if (!f.has("vmm") && !f.has(VMM_BATCH)) {
            return;
        }
        System.out.println(heading);
        if (opt.mode == Mode.LATENCY) {
            for (String ours : List.of("vmm", VMM_BATCH)) {
                if (f.has(ours)) {
                    double p99 = f.of(ours, ResultTable::p99);
                    System.out.printf("  %s p99 at %,d rec/s <= %.0f ms: %s ms: %s%n", ours, opt.rate, P99_LIMIT_MS,
                            fmt(p99, "%.0f"), verdict(p99, p99 <= P99_LIMIT_MS));
                }
            }
            return;
        }
        String reference = opt.compressed() ? " [stated for uncompressed data; here --codec " + opt.codec + ": reference only]" : "";
        if (f.has("vmm") && f.has(PLAIN)) {
            atLeast("record path: vmm rec/s vs plain", f, "vmm", PLAIN, r -> r.recPerSec, 1.0, reference);
        }
        if (f.has(VMM_BATCH) && f.has(PLAIN)) {
            atLeast("pass-through: vmm-batch rec/s vs plain", f, VMM_BATCH, PLAIN, r -> r.recPerSec, 1.5, reference);
            double q = f.of(VMM_BATCH, ResultTable::cpuPerRecord) / f.of(PLAIN, ResultTable::cpuPerRecord);
            System.out.printf("  vmm-batch CPU/rec vs plain <= 0.3x: %s (%s vs %s us/rec): %s%s%n", fmt(q, "%.2fx"),
                    fmt(f.of(VMM_BATCH, ResultTable::cpuPerRecord) * 1e6, "%.1f"), fmt(f.of(PLAIN, ResultTable::cpuPerRecord) * 1e6, "%.1f"),
                    verdict(q, q <= 0.3), reference);
        }
        if (!opt.compressed() || !f.has(VMM_BATCH)) {
            return;
        }
        for (String mm2 : List.of("mm2", MM2_COMPRESSED)) {
            if (f.has(mm2)) {
                atLeast("pass-through on " + opt.codec + ": vmm-batch rec/s vs " + mm2, f, VMM_BATCH, mm2, r -> r.recPerSec, 3, "");
            }
        }
        double bytes = f.of(VMM_BATCH, DiskBytes::ratio);
        System.out.printf("  vmm-batch target/source bytes on disk <= %.2f: %s: %s%n", BYTES_LIMIT, fmt(bytes, "%.2f"),
                verdict(bytes, bytes <= BYTES_LIMIT));
    }

    private static void atLeast(String what, Figures f, String a, String b, ToDoubleFunction<Result> figure, double min,
                                String suffix) {
        double x = f.of(a, figure);
        double y = f.of(b, figure);
        double q = x / y;
        System.out.printf("  %s >= %sx: %s (%s vs %s): %s%s%n", what, fmt(min, "%.1f"),
                fmt(q, "%.2fx"), fmt(x, "%,.0f"), fmt(y, "%,.0f"), verdict(q, q >= min), suffix);
    }

    private static String verdict(double value, boolean met) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : met ? "met" : "NOT met";
    }
}
