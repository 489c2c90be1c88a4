package io.vmm.checkpoint;

import io.vmm.bus.OffsetSync;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Offset syncs read back from the offset-syncs topic, per upstream partition, and the translation of a committed
 * upstream offset to a downstream one (the role of MM2's {@code OffsetSyncStore}, with exact translation).
 * <p>
 * Invariant relied on, guaranteed by {@link io.vmm.sync.OffsetSyncTracker}: between two consecutive syncs S and N
 * of a partition, the mirrored records are contiguous from S: record {@code S.u + k} is at downstream
 * {@code S.d + k} for {@code k < N.d - S.d}, and the next mirrored record after them is N.
 * <p>
 * {@link #translate} maps a committed upstream offset {@code g} (the next record the group would read) to the
 * downstream offset of the first mirrored record at or after {@code g}:
 * <ul>
 *   <li>no sync at or below {@code g}: unknown (-1), as MM2 (the group is older than the retained history);</li>
 *   <li>{@code g} between S and the next sync N: {@code S.d + (g - S.u)} while that is below {@code N.d},
 *       else {@code N.d} (g fell in an upstream gap) — <b>exact</b>;</li>
 *   <li>{@code g} beyond the newest sync S: {@code S.d} if {@code g == S.u}, else MM2's rule {@code S.d + 1}
 *       (never more, so a failed-over consumer may re-read but never skips) — marked inexact.</li>
 * </ul>
 * A sync whose upstream offset is lower than the newest one (an upstream rewind or recreated topic) drops the
 * newer history, as MM2 does. History per partition is bounded ({@code maxPerPartition}, oldest dropped).
 * Not thread-safe: owned by one verticle.
 */
public final class OffsetSyncStore {

  /** A translated offset: downstream offset and whether it is exact. */
  public record Translation(long downstream, boolean exact) {
  }

  private final int maxPerPartition;
  private final Map<TopicPartition, TreeMap<Long, Long>> syncs = new HashMap<>();

  public OffsetSyncStore(int maxPerPartition) {
    this.maxPerPartition = maxPerPartition;
  }

  /** Adds a sync read from the topic (in topic order). */
  public void add(OffsetSync sync) {
    TreeMap<Long, Long> m = syncs.computeIfAbsent(sync.upstream(), k -> new TreeMap<>());
    if (!m.isEmpty() && sync.upstreamOffset() < m.lastKey()) {
      m.tailMap(sync.upstreamOffset(), true).clear(); // rewind: newer history no longer describes the topic
    }
    m.put(sync.upstreamOffset(), sync.downstreamOffset());
    while (m.size() > maxPerPartition) {
      m.pollFirstEntry();
    }
  }

  /** The translation of committed upstream offset {@code g}, or null when unknown. */
  public Translation translate(TopicPartition upstream, long g) {
    TreeMap<Long, Long> m = syncs.get(upstream);
    if (m == null || g < 0) {
      return null;
    }
    Map.Entry<Long, Long> s = m.floorEntry(g);
    if (s == null) {
      return null;
    }
    long su = s.getKey();
    long sd = s.getValue();
    if (g == su) {
      return new Translation(sd, true);
    }
    Map.Entry<Long, Long> next = m.higherEntry(su);
    if (next == null) {
      return new Translation(sd + 1, false);
    }
    long candidate = sd + (g - su);
    return new Translation(Math.min(candidate, next.getValue()), true);
  }
}
