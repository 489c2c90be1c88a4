package io.vmm.replica;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica's view of the cluster: alone it owns everything, {@code owns} agrees with {@code owner},
 * {@code ownerWithoutSelf} is the owner before this replica joined, and the view is immutable and always
 * contains itself.
 */
class MemberViewTest {

  static List<String> units(int n) {
    List<String> units = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      units.add("A->B/orders/" + i);
    }
    return units;
  }

  @Test
  void aSingleReplicaOwnsEverythingAndHasNoPreviousOwner() {
    MemberView view = MemberView.single("vmm-0");
    assertEquals(List.of("vmm-0"), view.members());
    for (String u : units(100)) {
      assertTrue(view.owns(u), u);
      assertEquals("vmm-0", view.owner(u));
      assertNull(view.ownerWithoutSelf(u), u);
    }
  }

  @Test
  void ownsAgreesWithOwner() {
    MemberView view = new MemberView("b", List.of("a", "b", "c"));
    int owned = 0;
    for (String u : units(300)) {
      String owner = view.owner(u);
      assertEquals(Rendezvous.owner(u, List.of("a", "b", "c")), owner, u);
      assertEquals("b".equals(owner), view.owns(u), u);
      owned += view.owns(u) ? 1 : 0;
    }
    assertTrue(owned > 0 && owned < 300, "owned " + owned);
  }

  @Test
  void ownerWithoutSelfIsTheOwnerBeforeSelfJoined() {
    MemberView view = new MemberView("b", List.of("a", "b", "c"));
    MemberView before = new MemberView("a", List.of("a", "c"));
    int ownedBySelf = 0;
    for (String u : units(300)) {
      String previous = view.ownerWithoutSelf(u);
      assertEquals(before.owner(u), previous, u);
      assertTrue(!"b".equals(previous), u);
      if (view.owns(u)) {
        ownedBySelf++;
      } else {
        // a unit self did not win stays where it was
        assertEquals(previous, view.owner(u), u);
      }
    }
    assertTrue(ownedBySelf > 0);
  }

  @Test
  void ownerWithoutSelfDoesNotChangeTheView() {
    MemberView view = new MemberView("b", List.of("a", "b", "c"));
    view.ownerWithoutSelf("A->B/orders/0");
    assertEquals(List.of("a", "b", "c"), view.members());
  }

  @Test
  void constructorRejectsAMemberListWithoutSelf() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MemberView("d", List.of("a", "b", "c")));
    assertTrue(e.getMessage().contains("d"), e.getMessage());
  }

  @Test
  void membersAreCopiedImmutably() {
    List<String> members = new ArrayList<>(List.of("a", "b"));
    MemberView view = new MemberView("a", members);
    members.add("c");
    members.remove("b");
    assertEquals(List.of("a", "b"), view.members());
    assertThrows(UnsupportedOperationException.class, () -> view.members().add("z"));
  }
}
