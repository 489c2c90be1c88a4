package io.vmm.sync;

import io.vmm.bus.OffsetSync;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which offset syncs a source task emits (after MM2 {@code OffsetSyncWriter.maybeQueueOffsetSyncs}),
 * fed with acknowledged records in upstream order per partition.
 * <p>
 * A record (upstream {@code u}, downstream {@code d}) gives an <b>immediate</b> sync if it is the partition's first
 * in this task's life, or {@code d - (lastSync.d + 1) >= offset.lag.max}, or {@code u - previous.u != 1} (a gap
 * from compaction, transaction markers or a restart), or {@code d < previous.d} (downstream truncation), as MM2
 * does; <b>and also whenever {@code d - u} differs from the previous record's</b>. So between two consecutive
 * syncs every record has {@code d = sync.d + (u - sync.u)}: the syncs describe every record's downstream offset
 * exactly, where MM2's translation has to round. Otherwise the record becomes the partition's <b>delayed</b>
 * sync (latest wins), emitted by {@link #flushDelayed()} at each progress store, as MM2 promotes it at commit.
 * <p>
 * Not thread-safe: owned by one source task's event loop.
 */
public final class OffsetSyncTracker {

  private static final class State {
    long prevUp = -1;
    long prevDown = -1;
    long lastSyncDown = -1;
    boolean synced;
    /** A record acknowledged since the last sync (prevUp/prevDown is then the delayed sync): no object per record. */
    boolean delayed;
  }

  private final long offsetLagMax;
  private final Map<TopicPartition, State> states = new HashMap<>();

  /** @param offsetLagMax MM2's {@code offset.lag.max} */
  public OffsetSyncTracker(long offsetLagMax) {
    this.offsetLagMax = offsetLagMax;
  }

  /**
   * Feeds {@code count} acknowledged records of a partition, in upstream order.
   *
   * @return the immediate syncs, in order (possibly several per call, one per offset jump)
   */
  public List<OffsetSync> acknowledged(TopicPartition tp, long[] upstream, long[] downstream, int count) {
    State s = states.computeIfAbsent(tp, k -> new State());
    List<OffsetSync> out = null;
    for (int i = 0; i < count; i++) {
      long u = upstream[i];
      long d = downstream[i];
      boolean immediate = !s.synced
          || d - (s.lastSyncDown + 1) >= offsetLagMax
          || u - s.prevUp != 1
          || d < s.prevDown
          || d - u != s.prevDown - s.prevUp;
      if (immediate) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(new OffsetSync(tp, u, d));
        s.synced = true;
        s.lastSyncDown = d;
        s.delayed = false;
      } else {
        s.delayed = true;
      }
      s.prevUp = u;
      s.prevDown = d;
    }
    return out == null ? List.of() : out;
  }

  /** The delayed syncs (latest per partition), now emitted; cleared. */
  public List<OffsetSync> flushDelayed() {
    List<OffsetSync> out = new ArrayList<>();
    states.forEach((tp, s) -> {
      if (s.delayed) {
        out.add(new OffsetSync(tp, s.prevUp, s.prevDown));
        s.lastSyncDown = s.prevDown;
        s.delayed = false;
      }
    });
    return out;
  }

  /** Forgets a partition (its source topic was recreated): its next record gives a sync again. */
  public void reset(TopicPartition tp) {
    states.remove(tp);
  }
}
