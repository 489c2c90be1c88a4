package io.vmm.replica;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.Map;

/**
 * Which work units of a flow this replica runs: those it owns in its current {@link MemberView} (rendezvous
 * hashing) and has not released to a member it does not see yet. Units are named {@code A->B.MirrorSourceConnector},
 * {@code A->B.MirrorSourceConnector/3} (source task 3), {@code A->B.MirrorCheckpointConnector}, ...
 * <p>
 * Invariants: a unit released to member M ({@link #hold}) is not owned here until M appears in the view or
 * {@link #HOLD_MS} has passed, whatever the view says; alone (no cluster mode) every unit is owned.
 * Not thread-safe: owned by the flow runner's context.
 */
public final class UnitOwnership {

  /** How long a unit released to a member this replica does not see yet is held back from starting here, ms. */
  public static final long HOLD_MS = 30_000;

  /**
   * Asks another member to stop running a unit before this member starts it: a source task stores its progress,
   * the checkpoint connector writes its final checkpoints (the same stop as at SIGTERM).
   */
  @FunctionalInterface
  public interface Handover {
    /** No other members: nothing to ask. */
    Handover NONE = (member, flow, unit) -> Future.succeededFuture();

    /**
     * Completes when {@code member} no longer runs {@code unit} of {@code flow} (its stop, final progress store or
     * final checkpoints included, is over), or could not be asked (left, unreachable, timed out: logged); never
     * fails.
     */
    Future<Void> release(String member, String flow, String unit);
  }

  private record Held(String member, long atMs) {
  }

  private final String flow;
  private final Handover handover;
  private final Map<String, Held> held = new HashMap<>();
  private MemberView view;

  public UnitOwnership(String flow, MemberView view, Handover handover) {
    this.flow = flow;
    this.view = view;
    this.handover = handover;
  }

  public MemberView view() {
    return view;
  }

  /** A new view; holds for members now in it, or older than {@link #HOLD_MS}, end. */
  public void view(MemberView next, long nowMs) {
    view = next;
    held.values().removeIf(h -> next.members().contains(h.member()) || nowMs - h.atMs() >= HOLD_MS);
  }

  /** True when this replica runs {@code unit}. */
  public boolean owns(String unit) {
    return view.owns(unit) && !held.containsKey(unit);
  }

  /** True when {@code unit} was released to a member not yet in the view. */
  public boolean isHeld(String unit) {
    return held.containsKey(unit);
  }

  /** The member that owns {@code unit} in the view. */
  public String owner(String unit) {
    return view.owner(unit);
  }

  public String self() {
    return view.self();
  }

  /**
   * Asks the member that ran {@code unit} before this one joined (its owner among the other members) to release
   * it; never fails.
   */
  public Future<Void> acquire(String unit) {
    String previous = view.ownerWithoutSelf(unit);
    return previous == null ? Future.succeededFuture() : handover.release(previous, flow, unit);
  }

  /**
   * {@code toMember} takes {@code unit} over: holds it back from this replica when that member is not in the view
   * yet. Returns true when the caller should schedule a re-check after {@link #HOLD_MS}.
   */
  public boolean hold(String unit, String toMember, long nowMs) {
    if (toMember.equals(view.self()) || view.members().contains(toMember)) {
      return false;
    }
    held.put(unit, new Held(toMember, nowMs));
    return true;
  }
}
