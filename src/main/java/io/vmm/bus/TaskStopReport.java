package io.vmm.bus;

import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * What a stopping source task did NOT store, published locally on {@link Addresses#TASK_STOPS} twice: when its
 * stop begins ({@code finished} false: what would be re-copied if the stop went no further) and when its final
 * progress store is over ({@code finished} true). A task whose last report is not finished did not complete its
 * stop in time: everything in that report counts as not stored. The supervisor collects them during its stop
 * for the process's exit code.
 *
 * @param flow       the flow {@code A->B}
 * @param task       task id {@code A->B#0}
 * @param finished   true once the final progress store is over (stored or failed)
 * @param partitions the partitions with records that will be mirrored again after a restart (empty: every
 *                   acknowledged record is stored and nothing is in flight); immutable
 */
public record TaskStopReport(String flow, String task, boolean finished, List<Unstored> partitions) {

  /**
   * One partition's progress not stored.
   *
   * @param tp          source partition
   * @param resumeAt    where the next start reads from: the stored "last written" + 1 (0 when nothing is stored,
   *                    or the consumer's {@code auto.offset.reset} applies)
   * @param acknowledged upstream records acknowledged by the target after {@code resumeAt} but not stored
   *                    (offset distance: an upper bound)
   * @param inFlight    records sent to the target and not part of the acknowledged prefix (possibly written)
   */
  public record Unstored(TopicPartition tp, long resumeAt, long acknowledged, long inFlight) {

    /** Records that may be mirrored again after a restart. */
    public long recopied() {
      return acknowledged + inFlight;
    }
  }

  /** Records that may be mirrored again after a restart, over every partition. */
  public long recopied() {
    return partitions.stream().mapToLong(Unstored::recopied).sum();
  }
}
