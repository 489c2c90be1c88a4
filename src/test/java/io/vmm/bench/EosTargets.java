package io.vmm.bench;

import io.vmm.bench.BenchOptions.Mode;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static io.vmm.bench.BenchOptions.EOS_SUFFIX;
import static io.vmm.bench.TableFormat.fmt;
import static io.vmm.bench.TableFormat.intOrDash;
import static io.vmm.bench.TableFormat.ratio;

/**
 * Issue 16's benchmark targets for our exactly-once rows ({@code vmm-eos} against {@code vmm}, {@code vmm-batch-eos}
 * against {@code vmm-batch}), checked and printed below a table:
 * throughput modes, at least 0.8x our at-least-once rec/s and at least 3x MM2's exactly-once rec/s; latency mode,
 * p99 (ms) at most the commit interval + 50 ms. {@link #printRound} takes one round's figures; {@link #printMedians}
 * takes the medians over the rounds (the 0.8x ratio as the median of each round's own ratio, so a busy round moves
 * both of its rows alike). Prints to {@code System.out}; the orchestrator's main thread only.
 */
final class EosTargets {

    /** Our at-least-once contenders; each with {@link BenchOptions#EOS_SUFFIX} is checked against it. */
    private static final List<String> OUR_KINDS = List.of("vmm", BenchOptions.VMM_BATCH);
    private static final String ALO_TARGET = ">= 0.8x our at-least-once rec/s";
    private static final String MM2_TARGET = ">= 3x MM2's exactly-once rec/s";
    private static final String NO_ALO_ROW = "  >= 0.8x our at-least-once rec/s: no vmm row in this run (--delivery both, or"
            + " compare with the latest at-least-once figure in README.md \"Performance\")";

    private final BenchOptions opt;
    private final long commitMs;

    /** @param commitMs the exactly-once commit interval, ms */
    EosTargets(BenchOptions opt, long commitMs) {
        this.opt = opt;
        this.commitMs = commitMs;
    }

    /** The targets from one round's rows; prints nothing without one of our exactly-once rows. */
    void printRound(List<Result> results) {
        OUR_KINDS.forEach(kind -> printRound(results, kind));
    }

    private void printRound(List<Result> results, String kind) {
        String name = kind + EOS_SUFFIX;
        Result ours = results.stream().filter(r -> r.name.equals(name)).findFirst().orElse(null);
        if (ours == null) {
            return;
        }
        Result mm2 = ResultTable.peer(results, ours, "mm2");
        Result alo = results.stream().filter(r -> r.name.equals(kind)).findFirst().orElse(null);
        System.out.println("issue 16 targets (" + name + "):");
        if (opt.mode == Mode.LATENCY) {
            printP99(intOrDash(ours.p99) + " ms", ours.p99 < 0 ? Double.NaN : ours.p99);
            return;
        }
        if (alo != null) {
            printRatio(ALO_TARGET, ours.recPerSec / alo.recPerSec, ratio(ours.recPerSec, alo.recPerSec),
                    fmt(ours.recPerSec, "%,.0f") + " vs " + fmt(alo.recPerSec, "%,.0f"), 0.8);
        } else {
            System.out.println(NO_ALO_ROW);
        }
        if (mm2 != null) {
            printRatio(MM2_TARGET, ours.recPerSec / mm2.recPerSec, ratio(ours.recPerSec, mm2.recPerSec),
                    fmt(ours.recPerSec, "%,.0f") + " vs " + fmt(mm2.recPerSec, "%,.0f"), 3);
        }
    }

    /**
     * The targets from the medians over the rounds (only rows that are "ok" or "busy" count): the 0.8x ratio is the
     * median over the rounds of vmm-eos rec/s / vmm rec/s of the same round, each round's ratio printed too; the 3x
     * ratio is the median vmm-eos rec/s / the median mm2-eos rec/s; latency mode compares the median p99.
     */
    void printMedians(List<List<Result>> rounds) {
        OUR_KINDS.forEach(kind -> printMedians(rounds, kind));
    }

    private void printMedians(List<List<Result>> rounds, String kind) {
        String name = kind + EOS_SUFFIX;
        List<Result> ours = rowsOf(rounds, name);
        if (ours.isEmpty()) {
            return;
        }
        System.out.println("issue 16 targets (" + name + "), from the medians over " + rounds.size() + " rounds:");
        double oursMedian = RoundMedians.median(values(ours, false));
        if (opt.mode == Mode.LATENCY) {
            List<Double> p99s = values(ours, true);
            double p99 = RoundMedians.median(p99s);
            printP99(fmt(p99, "%.0f") + " ms (median; rounds: " + join(p99s, "%.0f") + ")", p99);
            return;
        }
        List<Double> perRound = new ArrayList<>();
        List<String> perRoundText = new ArrayList<>();
        for (List<Result> round : rounds) {
            Result o = counted(round, name);
            Result alo = counted(round, kind);
            if (o != null && alo != null) {
                perRound.add(o.recPerSec / alo.recPerSec);
                perRoundText.add(ratio(o.recPerSec, alo.recPerSec));
            } else {
                perRoundText.add("-");
            }
        }
        List<Result> alos = rowsOf(rounds, kind);
        if (rounds.stream().anyMatch(r -> r.stream().anyMatch(x -> x.name.equals(kind)))) {
            double q = RoundMedians.median(perRound);
            printRatio(ALO_TARGET, q, fmt(q, "%.2fx"), "median of the rounds' ratios " + String.join(", ", perRoundText)
                    + "; median rec/s " + fmt(oursMedian, "%,.0f") + " vs "
                    + fmt(RoundMedians.median(values(alos, false)), "%,.0f"), 0.8);
        } else {
            System.out.println(NO_ALO_ROW);
        }
        List<Result> mm2s = rowsOf(rounds, "mm2" + EOS_SUFFIX);
        if (rounds.stream().anyMatch(r -> r.stream().anyMatch(x -> x.name.equals("mm2" + EOS_SUFFIX)))) {
            double mm2Median = RoundMedians.median(values(mm2s, false));
            printRatio(MM2_TARGET, oursMedian / mm2Median, ratio(oursMedian, mm2Median),
                    "median rec/s " + fmt(oursMedian, "%,.0f") + " vs " + fmt(mm2Median, "%,.0f"), 3);
        }
    }

    private void printP99(String p99Text, double p99) {
        long limit = commitMs + 50;
        System.out.printf("  p99 %s <= commit interval + 50 ms = %,d ms: %s%n", p99Text, limit,
                Double.isNaN(p99) ? "-" : p99 <= limit ? "met" : "NOT met");
    }

    private static void printRatio(String target, double q, String ratioText, String detail, double atLeast) {
        System.out.printf("  %s: %s (%s): %s%n", target, ratioText, detail, Double.isNaN(q) ? "-" : q >= atLeast ? "met" : "NOT met");
    }

    /** The counted ("ok" or "busy") row of {@code name} in one round, or null. */
    private static Result counted(List<Result> round, String name) {
        return round.stream().filter(r -> r.name.equals(name) && r.counted()).findFirst().orElse(null);
    }

    /** The counted rows of {@code name} over all rounds, in round order. */
    static List<Result> rowsOf(List<List<Result>> rounds, String name) {
        List<Result> out = new ArrayList<>();
        for (List<Result> round : rounds) {
            Result r = counted(round, name);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** rec/s (or p99 ms) of the rows, NaN where not measured. */
    private static List<Double> values(List<Result> rows, boolean p99) {
        return rows.stream().map(r -> p99 ? ResultTable.p99(r) : r.recPerSec).toList();
    }

    private static String join(List<Double> values, String format) {
        return values.stream().map(v -> fmt(v, format)).collect(Collectors.joining(", "));
    }
}
