package io.vmm.replica;

import java.util.ArrayList;
import java.util.List;

/**
 * One replica's view of the cluster at a moment: its own member key and every member's key, sorted. Immutable.
 * Member keys are the replicas' {@code cluster.memberName}s (a duplicated name is made unique with the node id).
 * Ownership of every work unit follows from this by {@link Rendezvous} hashing, so all replicas with the same
 * member list agree without talking to each other.
 *
 * @param self    this replica's member key
 * @param members all members' keys, sorted, including {@code self}
 */
public record MemberView(String self, List<String> members) {

  public MemberView {
    members = List.copyOf(members);
    if (!members.contains(self)) {
      throw new IllegalArgumentException("member list " + members + " lacks " + self);
    }
  }

  /** A replica alone (no cluster mode): it owns every unit. */
  public static MemberView single(String self) {
    return new MemberView(self, List.of(self));
  }

  /** The member that owns {@code unit}. */
  public String owner(String unit) {
    return Rendezvous.owner(unit, members);
  }

  /** True when this replica owns {@code unit}. */
  public boolean owns(String unit) {
    return self.equals(owner(unit));
  }

  /**
   * The member that owned {@code unit} before this replica joined, i.e. its owner among the other members;
   * null when this replica is alone. When this replica owns the unit, that member may still run it and is asked
   * to release it first.
   */
  public String ownerWithoutSelf(String unit) {
    List<String> others = new ArrayList<>(members);
    others.remove(self);
    return Rendezvous.owner(unit, others);
  }
}
