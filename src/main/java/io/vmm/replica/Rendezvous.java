package io.vmm.replica;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Rendezvous (highest-random-weight) hashing: the owner of a unit is the member with the highest
 * {@link #weight(String, String)} for it. Every member computes the same owner from the same member list, and
 * when a member joins or leaves only the units it wins or held change owner. Pure and stateless.
 */
public final class Rendezvous {

  private Rendezvous() {
  }

  /**
   * The owner of {@code unit} among {@code members}; ties (practically impossible) go to the smaller name.
   *
   * @return the member, or null when {@code members} is empty
   */
  public static String owner(String unit, Collection<String> members) {
    String best = null;
    long bestWeight = 0;
    for (String m : members) {
      long w = weight(m, unit);
      if (best == null || Long.compareUnsigned(w, bestWeight) > 0
          || (w == bestWeight && m.compareTo(best) < 0)) {
        best = m;
        bestWeight = w;
      }
    }
    return best;
  }

  /**
   * A 64-bit weight of {@code (member, unit)}: FNV-1a over the UTF-8 bytes of both, separated by a zero byte,
   * then the splitmix64 finalizer for avalanche. Stable across JVMs and versions (it is part of the assignment
   * protocol: replicas of different versions must agree).
   */
  static long weight(String member, String unit) {
    long h = 0xcbf29ce484222325L;
    for (byte b : member.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ 0) * 0x100000001b3L;
    for (byte b : unit.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
