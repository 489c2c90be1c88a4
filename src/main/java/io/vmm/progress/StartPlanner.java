package io.vmm.progress;

import io.vmm.bus.LogBounds;
import io.vmm.bus.PartitionStart;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns stored progress plus the source log bounds into one start position per partition, computed once before
 * the tasks deploy ("plan, then act"). Pure.
 * <p>
 * Rules (a documented policy, never silent):
 * <ul>
 *   <li>no stored progress: resume where the consumer's {@code auto.offset.reset} puts it ({@code resumeAt -1});</li>
 *   <li>stored progress {@code s} (the upstream offset of the last record written, so the next to read is
 *       {@code s + 1}) inside the log {@code [start, end]}: resume at {@code s + 1};</li>
 *   <li>{@code s + 1 > end} (the topic was deleted and recreated, or truncated) or {@code s + 1 < start} (records
 *       removed by retention before they were mirrored): resume at the log start, reported as a {@link Reset}
 *       (logged and counted in {@code vmm_source_resets} by the caller);</li>
 *   <li>bounds unknown for a partition: the stored progress is used as it is.</li>
 * </ul>
 */
public final class StartPlanner {

  /** A partition whose stored position lies outside the source log. */
  public record Reset(TopicPartition tp, long stored, long logStart, long logEnd, String reason) {

    /** The log line's text. */
    public String describe() {
      return tp + ": stored progress (next offset " + (stored + 1) + ") is " + reason + "; source log is ["
          + logStart + ", " + logEnd + "); resuming at the log start " + logStart;
    }
  }

  /**
   * The plan: where each partition starts, and which of them were reset.
   *
   * @param starts per partition, in the order given
   * @param resets the partitions resumed at the log start instead of their stored position
   */
  public record Plan(Map<TopicPartition, PartitionStart> starts, List<Reset> resets) {
  }

  private StartPlanner() {
  }

  /**
   * @param partitions the partitions to start
   * @param remoteOf   source topic to remote topic name
   * @param stored     stored progress: last written upstream offset per partition (absent = none)
   * @param bounds     source log bounds per partition (absent = unknown)
   */
  public static Plan plan(Collection<TopicPartition> partitions, Function<String, String> remoteOf,
                          Map<TopicPartition, Long> stored, Map<TopicPartition, LogBounds> bounds) {
    Map<TopicPartition, PartitionStart> starts = new LinkedHashMap<>();
    List<Reset> resets = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      String remote = remoteOf.apply(tp.topic());
      long lastWritten = stored.getOrDefault(tp, -1L);
      LogBounds b = bounds.get(tp);
      String reason = lastWritten < 0 || b == null ? null
          : lastWritten + 1 > b.end() ? "beyond the log end (topic recreated or truncated)"
          : lastWritten + 1 < b.start() ? "before the log start (records removed by retention before they were mirrored)"
          : null;
      if (reason == null) {
        starts.put(tp, PartitionStart.fromStored(tp, remote, lastWritten));
      } else {
        resets.add(new Reset(tp, lastWritten, b.start(), b.end(), reason));
        starts.put(tp, new PartitionStart(tp, remote, b.start() - 1, b.start()));
      }
    }
    return new Plan(starts, resets);
  }
}
