package io.vmm.bench;

import io.vmm.bench.BenchOptions.Mode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

import static io.vmm.bench.TableFormat.fmt;

/**
 * The "MEDIANS over N rounds" table printed after the last round of {@code --rounds N} (N > 1): per contender the
 * median over the rounds in which its row was measured ("ok" or "busy"; other statuses are left out) of rec/s,
 * CPU us/rec, brokers us/rec, peak RSS MB and target/source bytes on disk (throughput and partitions modes) or of
 * p50/p99/max ms and peak RSS MB (latency mode), with the lowest-highest range of rec/s (latency: of p99); then
 * issue 16's and issue 17's targets from the medians ({@link EosTargets#printMedians},
 * {@link PassThroughTargets#printMedians}). The median of an even count is the mean of the middle two.
 * Prints to {@code System.out}; the orchestrator's main thread only.
 */
final class RoundMedians {

    private final ResultTable table;

    /** @param table the per-round table, whose options, title line and issue 16 targets this table shares */
    RoundMedians(ResultTable table) {
        this.table = table;
    }

    /** Median of the values that are not NaN; NaN when there are none. */
    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** Prints the table of medians over {@code rounds} (each the rows of one round, in contender order). */
    void print(List<List<Result>> rounds) throws IOException, InterruptedException {
        BenchOptions opt = table.opt;
        List<String> names = opt.contenders;
        boolean latency = opt.mode == Mode.LATENCY;
        table.printTitle("MEDIANS over " + rounds.size() + " rounds", names.stream().anyMatch(BenchOptions::exactlyOnce));
        List<String> header = new ArrayList<>(List.of("contender", "rounds", "busy"));
        header.addAll(latency
                ? List.of("p50 ms", "p99 ms", "max ms", "p99 min-max", "peak RSS MB", "CPU us/rec")
                : List.of("rec/s", "rec/s min-max", "CPU us/rec", "brokers us/rec", "peak RSS MB", "target/source bytes"));
        List<List<String>> rows = new ArrayList<>();
        for (String name : names) {
            List<Result> rs = EosTargets.rowsOf(rounds, name);
            long busy = rounds.stream().flatMap(List::stream).filter(r -> r.name.equals(name) && r.busy).count();
            List<String> row = new ArrayList<>(List.of(name, rs.size() + " of " + rounds.size(), Long.toString(busy)));
            if (latency) {
                row.addAll(List.of(fmt(median(rs, r -> r.p50 < 0 ? Double.NaN : r.p50), "%.0f"),
                        fmt(median(rs, ResultTable::p99), "%.0f"), fmt(median(rs, r -> r.max < 0 ? Double.NaN : r.max), "%.0f"),
                        range(rs, ResultTable::p99, "%.0f"), fmt(median(rs, r -> r.rssHwmMb), "%.0f"),
                        fmt(median(rs, r -> r.cpuPct / 100 / opt.rate * 1e6), "%.1f")));
            } else {
                row.addAll(List.of(fmt(median(rs, r -> r.recPerSec), "%,.0f"), range(rs, r -> r.recPerSec, "%,.0f"),
                        fmt(median(rs, ResultTable::cpuPerRecord) * 1e6, "%.1f"),
                        fmt(median(rs, r -> r.brokersPct / 100 / r.recPerSec * 1e6), "%.1f"),
                        fmt(median(rs, r -> r.rssHwmMb), "%.0f"), fmt(median(rs, DiskBytes::ratio), "%.2f")));
            }
            rows.add(row);
        }
        TableFormat.printAligned(header, rows);
        System.out.println();
        System.out.println("median over the rounds in which the row was ok or busy (\"rounds\"); min-max = lowest and highest of those"
                + " rounds; busy = rounds in which other processes used more than "
                + String.format("%.0f", ProcessStats.BUSY_OTHERS_PCT) + " % of one core (figures not comparable); each round's table is above");
        if (names.stream().anyMatch(BenchOptions::exactlyOnce)) {
            table.eosTargets().printMedians(rounds);
        }
        new PassThroughTargets(opt).printMedians(rounds);
    }

    private static double median(List<Result> rows, ToDoubleFunction<Result> figure) {
        return median(Arrays.stream(rows.stream().mapToDouble(figure).toArray()).boxed().toList());
    }

    private static String range(List<Result> rows, ToDoubleFunction<Result> figure, String format) {
        double[] v = rows.stream().mapToDouble(figure).filter(d -> !Double.isNaN(d) && !Double.isInfinite(d)).sorted().toArray();
        return v.length == 0 ? "-" : fmt(v[0], format) + " - " + fmt(v[v.length - 1], format);
    }
}
