package io.vmm.bench;

import java.util.List;

/**
 * Text formatting of the result tables: aligned columns (text columns left, numbers right, " | " between) and the
 * cell formats, where "-" stands for a figure that was not measured (NaN, infinite, or a negative latency).
 * Static and thread-safe; prints to {@code System.out}.
 */
final class TableFormat {

    private TableFormat() {
    }

    /** Prints a header, a separator line and the rows, each column as wide as its widest cell. */
    static void printAligned(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header, w);
        StringBuilder sep = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            sep.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
        }
        sb.append(sep).append('\n');
        for (List<String> r : rows) {
            appendRow(sb, r, w);
        }
        System.out.print(sb);
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] w) {
        for (int i = 0; i < w.length; i++) {
            String c = cells.get(i);
            if (i > 0) {
                sb.append(" | ");
            }
            // text columns left-aligned, numbers right-aligned
            if (i < 2) {
                sb.append(c).append(" ".repeat(w[i] - c.length()));
            } else {
                sb.append(" ".repeat(w[i] - c.length())).append(c);
            }
        }
        sb.append('\n');
    }

    static String fmt(double v, String f) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(f, v);
    }

    static String intOrDash(int v) {
        return v < 0 ? "-" : Integer.toString(v);
    }

    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "-";
        }
        return String.format("%.2fx", a / b);
    }
}
