package io.vmm.supervisor;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vmm.bus.Addresses;
import io.vmm.bus.TaskStopReport;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects the {@link TaskStopReport}s the source tasks publish on {@link Addresses#TASK_STOPS} while the replica
 * stops: the last report of each task counts (a finished one is never replaced by an unfinished one).
 * <p>
 * Threading: created on the supervisor's context; reports are handled there.
 */
final class StopReports {

  private final Map<String, TaskStopReport> last = new LinkedHashMap<>();
  private final MessageConsumer<TaskStopReport> consumer;

  /** Starts listening (locally). */
  StopReports(EventBus bus) {
    consumer = bus.localConsumer(Addresses.TASK_STOPS, m -> add(m.body()));
  }

  void add(TaskStopReport report) {
    TaskStopReport previous = last.get(report.task());
    if (previous == null || !previous.finished() || report.finished()) {
      last.put(report.task(), report);
    }
  }

  /** Stops listening and sums up; {@code notStopped}: flows whose stop did not finish within {@code budgetMs}. */
  StopSummary close(Collection<String> notStopped, long budgetMs) {
    consumer.unregister();
    return StopSummary.of(last.values(), notStopped, budgetMs);
  }
}
