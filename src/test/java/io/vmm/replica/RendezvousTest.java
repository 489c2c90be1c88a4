package io.vmm.replica;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rendezvous hashing: the owner is deterministic and independent of the member list's order, the weight function
 * is pinned (it is part of the protocol between versions), units spread evenly, and a member joining or leaving
 * moves only the units it wins or held.
 */
class RendezvousTest {

  static final List<String> ABC = List.of("a", "b", "c");

  static List<String> units(int n) {
    List<String> units = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      units.add("A->B/topic-" + (i % 37) + "/" + i);
    }
    return units;
  }

  static Map<String, String> owners(List<String> units, List<String> members) {
    Map<String, String> owners = new LinkedHashMap<>();
    units.forEach(u -> owners.put(u, Rendezvous.owner(u, members)));
    return owners;
  }

  @Test
  void ownerIsDeterministicAndIndependentOfMemberOrder() {
    List<List<String>> orders = List.of(
        List.of("a", "b", "c"), List.of("a", "c", "b"), List.of("b", "a", "c"),
        List.of("b", "c", "a"), List.of("c", "a", "b"), List.of("c", "b", "a"));
    for (String unit : units(200)) {
      String expected = Rendezvous.owner(unit, ABC);
      assertEquals(expected, Rendezvous.owner(unit, ABC), unit);
      for (List<String> order : orders) {
        assertEquals(expected, Rendezvous.owner(unit, order), unit + " with " + order);
      }
    }
  }

  /**
   * Pins the weight function. Replicas of different versions must compute the same owners from the same member
   * list (during a rolling upgrade both run side by side), so any change of {@link Rendezvous#weight} breaks the
   * protocol between versions. If this test fails, the change was accidental: revert it.
   */
  @Test
  void knownOwnersPinTheWeightFunction() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("A->B/orders/0", "b");
    expected.put("A->B/orders/1", "a");
    expected.put("A->B/payments/0", "a");
    expected.put("A->B/checkpoints", "b");
    expected.put("unit-1", "c");
    expected.put("unit-2", "b");
    expected.put("unit-3", "a");
    expected.put("x", "b");
    expected.put("", "a");
    expected.forEach((unit, owner) -> assertEquals(owner, Rendezvous.owner(unit, ABC), unit));
    assertEquals(0x8248bbd45c3577a8L, Rendezvous.weight("a", "x"));
  }

  @Test
  void unitsAreBalancedOverThreeMembers() {
    Map<String, Integer> counts = new HashMap<>();
    owners(units(1000), ABC).values().forEach(m -> counts.merge(m, 1, Integer::sum));
    assertEquals(3, counts.size(), counts.toString());
    counts.forEach((m, n) -> assertTrue(n >= 250 && n <= 420, m + " owns " + n + " of 1000: " + counts));
  }

  @Test
  void addingAMemberMovesOnlyUnitsToItAndAboutAQuarter() {
    List<String> units = units(1000);
    Map<String, String> before = owners(units, ABC);
    Map<String, String> after = owners(units, List.of("a", "b", "c", "d"));
    int moved = 0;
    for (String u : units) {
      if (!before.get(u).equals(after.get(u))) {
        assertEquals("d", after.get(u), u + " moved from " + before.get(u) + " to " + after.get(u));
        moved++;
      }
    }
    assertTrue(moved >= 180 && moved <= 320, "moved " + moved + " of 1000, expected about 250");
  }

  @Test
  void removingAMemberMovesOnlyItsUnits() {
    List<String> units = units(1000);
    Map<String, String> before = owners(units, ABC);
    Map<String, String> after = owners(units, List.of("a", "c"));
    int moved = 0;
    for (String u : units) {
      if (!before.get(u).equals(after.get(u))) {
        assertEquals("b", before.get(u), u + " moved from " + before.get(u) + " to " + after.get(u));
        moved++;
      } else {
        assertTrue(!"b".equals(before.get(u)), u + " still owned by the removed member");
      }
    }
    assertTrue(moved > 0);
  }

  @Test
  void noMembersGivesNull() {
    assertNull(Rendezvous.owner("A->B/orders/0", List.of()));
  }

  @Test
  void singleMemberOwnsEverything() {
    units(100).forEach(u -> assertEquals("a", Rendezvous.owner(u, List.of("a"))));
  }
}
