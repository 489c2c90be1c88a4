package io.vmm.supervisor;

import io.vmm.bus.TaskStopReport;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a replica's stop did not store, one line per flow (the exit code's reason): empty when every flow stored
 * its final progress. A flow is not stored when a task's final store failed or left records in flight, when a
 * task's stop did not finish (its report at the stop's begin counts), or when the flow's stop exceeded its budget.
 *
 * @param lines per flow {@code A->B}, one line saying what was not stored and what will be re-copied; immutable,
 *              in the order of the flows
 */
public record StopSummary(Map<String, String> lines) {

  /** Partitions named per line; the rest are counted. */
  static final int NAMED_PARTITIONS = 5;

  /** Every flow stored its final progress. */
  public static final StopSummary STORED = new StopSummary(Map.of());

  public StopSummary {
    lines = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(lines));
  }

  /** Whether every flow stored its final progress (exit 0). */
  public boolean allStored() {
    return lines.isEmpty();
  }

  /**
   * From the last report of each task and the flows whose stop did not finish within {@code budgetMs}.
   *
   * @param lastReports the last {@link TaskStopReport} of each task that began stopping
   * @param notStopped  flows whose stop did not complete within {@code budgetMs}
   */
  public static StopSummary of(Collection<TaskStopReport> lastReports, Collection<String> notStopped, long budgetMs) {
    Map<String, List<TaskStopReport>> byFlow = new LinkedHashMap<>();
    for (TaskStopReport r : lastReports) {
      if (!r.finished() || !r.partitions().isEmpty()) {
        byFlow.computeIfAbsent(r.flow(), f -> new ArrayList<>()).add(r);
      }
    }
    for (String flow : notStopped) {
      byFlow.putIfAbsent(flow, List.of());
    }
    Map<String, String> lines = new LinkedHashMap<>();
    byFlow.forEach((flow, reports) -> lines.put(flow, line(flow, reports, notStopped.contains(flow), budgetMs)));
    return new StopSummary(lines);
  }

  /** Every one of {@code flows} did not stop within {@code budgetMs} (the whole stop was abandoned). */
  public static StopSummary notStopped(Collection<String> flows, long budgetMs) {
    return of(List.of(), flows, budgetMs);
  }

  private static String line(String flow, List<TaskStopReport> reports, boolean notStopped, long budgetMs) {
    StringBuilder sb = new StringBuilder(flow).append(": ");
    List<String> unfinished = reports.stream().filter(r -> !r.finished()).map(TaskStopReport::task).toList();
    if (notStopped && reports.isEmpty()) {
      return sb.append("the stop did not finish within ").append(budgetMs).append(" ms: progress not stored; the "
          + "records mirrored since the last progress store will be mirrored again at the next start").toString();
    }
    if (!unfinished.isEmpty()) {
      sb.append("the stop of ").append(String.join(", ", unfinished)).append(" did not finish in time; ");
    } else if (notStopped) {
      sb.append("the stop did not finish within ").append(budgetMs).append(" ms; ");
    }
    List<TaskStopReport.Unstored> partitions = reports.stream().flatMap(r -> r.partitions().stream()).toList();
    long recopied = partitions.stream().mapToLong(TaskStopReport.Unstored::recopied).sum();
    sb.append("progress not stored for ").append(partitions.size()).append(" partition")
        .append(partitions.size() == 1 ? "" : "s");
    if (!partitions.isEmpty()) {
      sb.append(" (");
      for (int i = 0; i < Math.min(NAMED_PARTITIONS, partitions.size()); i++) {
        TaskStopReport.Unstored u = partitions.get(i);
        sb.append(i == 0 ? "" : ", ").append(u.tp()).append(" from ")
            .append(u.resumeAt() >= 0 ? String.valueOf(u.resumeAt()) : "its reset position");
      }
      if (partitions.size() > NAMED_PARTITIONS) {
        sb.append(", and ").append(partitions.size() - NAMED_PARTITIONS).append(" more");
      }
      sb.append(')');
    }
    return sb.append("; about ").append(recopied).append(" records will be mirrored again at the next start")
        .toString();
  }
}
