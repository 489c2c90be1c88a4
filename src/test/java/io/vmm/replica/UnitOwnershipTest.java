package io.vmm.replica;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which units this replica runs: its view's owner (rendezvous hashing), minus units held back for a member it does
 * not see yet (until that member appears or {@link UnitOwnership#HOLD_MS} passed); {@code acquire} asks the
 * previous owner to release first.
 */
class UnitOwnershipTest {

  static final String FLOW = "A->B";
  static final long T0 = 1_000_000L;

  record Call(String member, String flow, String unit) {
  }

  /** Records every release request and answers at once. */
  static final class Recorder implements UnitOwnership.Handover {
    final List<Call> calls = new ArrayList<>();

    @Override
    public Future<Void> release(String member, String flow, String unit) {
      calls.add(new Call(member, flow, unit));
      return Future.succeededFuture();
    }
  }

  static List<String> units() {
    List<String> units = new ArrayList<>();
    units.add("A->B.MirrorSourceConnector");
    units.add("A->B.MirrorCheckpointConnector");
    units.add("A->B.MirrorHeartbeatConnector");
    for (int t = 0; t < 60; t++) {
      units.add("A->B.MirrorSourceConnector/" + t);
    }
    return units;
  }

  /** A unit that {@code member} owns in {@code view}. */
  static String ownedBy(MemberView view, String member) {
    return units().stream().filter(u -> member.equals(view.owner(u))).findFirst()
        .orElseThrow(() -> new AssertionError(member + " owns no test unit in " + view));
  }

  static final MemberView TWO = new MemberView("m1", List.of("m1", "m2"));

  @Test
  void aloneEveryUnitIsOwned() {
    Recorder handover = new Recorder();
    UnitOwnership o = new UnitOwnership(FLOW, MemberView.single("m1"), handover);
    for (String u : units()) {
      assertTrue(o.owns(u), u);
      assertFalse(o.isHeld(u), u);
      assertEquals("m1", o.owner(u));
    }
    assertEquals("m1", o.self());
  }

  @Test
  void withTwoMembersOwnershipFollowsTheView() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    int mine = 0;
    for (String u : units()) {
      assertEquals(TWO.owner(u), o.owner(u), u);
      assertEquals("m1".equals(TWO.owner(u)), o.owns(u), u);
      mine += o.owns(u) ? 1 : 0;
    }
    assertTrue(mine > 0 && mine < units().size(), "m1 owns " + mine + " of " + units().size());
    assertSame(TWO, o.view());
  }

  @Test
  void holdForAMemberNotInTheViewTakesTheUnitAway() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    String unit = ownedBy(TWO, "m1");
    String other = units().stream().filter(u -> !u.equals(unit) && TWO.owns(u)).findFirst().orElseThrow();
    assertTrue(o.owns(unit));

    assertTrue(o.hold(unit, "m3", T0), "re-check after HOLD_MS");
    assertFalse(o.owns(unit), "held for m3, whatever the view says");
    assertTrue(o.isHeld(unit));
    assertEquals("m1", o.owner(unit), "the view is unchanged");
    assertTrue(o.owns(other), "other units are not affected");
    assertFalse(o.isHeld(other));
  }

  @Test
  void holdOfAUnitOwnedElsewhereIsHeldToo() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    String unit = ownedBy(TWO, "m2");
    assertTrue(o.hold(unit, "m3", T0));
    assertTrue(o.isHeld(unit));
    assertFalse(o.owns(unit));
  }

  @Test
  void holdForAMemberInTheViewChangesNothing() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    String mine = ownedBy(TWO, "m1");
    String theirs = ownedBy(TWO, "m2");
    assertFalse(o.hold(mine, "m2", T0));
    assertFalse(o.hold(theirs, "m2", T0));
    assertTrue(o.owns(mine), "the view decides: the asker's view is stale");
    assertFalse(o.isHeld(mine));
    assertFalse(o.owns(theirs));
    assertFalse(o.isHeld(theirs));
  }

  @Test
  void holdForSelfChangesNothing() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    String mine = ownedBy(TWO, "m1");
    assertFalse(o.hold(mine, "m1", T0));
    assertTrue(o.owns(mine));
    assertFalse(o.isHeld(mine));

    UnitOwnership alone = new UnitOwnership(FLOW, MemberView.single("m1"), new Recorder());
    assertFalse(alone.hold(mine, "m1", T0));
    assertTrue(alone.owns(mine));
  }

  @Test
  void holdEndsWhenTheMemberAppears() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    String unit = ownedBy(TWO, "m1");
    o.hold(unit, "m3", T0);

    MemberView three = new MemberView("m1", List.of("m1", "m2", "m3"));
    o.view(three, T0 + 1);
    assertFalse(o.isHeld(unit));
    assertSame(three, o.view());
    assertEquals(three.owns(unit), o.owns(unit), "ownership follows the new view");
  }

  @Test
  void holdEndsAfterHoldMs() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    String unit = ownedBy(TWO, "m1");
    o.hold(unit, "m3", T0);

    o.view(TWO, T0 + UnitOwnership.HOLD_MS - 1);
    assertTrue(o.isHeld(unit), "m3 still expected");
    assertFalse(o.owns(unit));

    o.view(TWO, T0 + UnitOwnership.HOLD_MS);
    assertFalse(o.isHeld(unit), "m3 never came: the hold ends");
    assertTrue(o.owns(unit));
  }

  @Test
  void holdSurvivesAViewWithoutTheMember() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    String unit = ownedBy(TWO, "m1");
    o.hold(unit, "m3", T0);
    MemberView alone = MemberView.single("m1");
    o.view(alone, T0 + 10);
    assertTrue(o.isHeld(unit));
    assertFalse(o.owns(unit), "held even though m1 alone owns everything");
  }

  @Test
  void holdsEndIndependently() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    List<String> mine = units().stream().filter(TWO::owns).limit(2).toList();
    assertEquals(2, mine.size());
    o.hold(mine.get(0), "m3", T0);
    o.hold(mine.get(1), "m4", T0 + 10);
    o.view(new MemberView("m1", List.of("m1", "m2", "m4")), T0 + 20);
    assertTrue(o.isHeld(mine.get(0)), "m3 not there yet");
    assertFalse(o.isHeld(mine.get(1)), "m4 appeared");
    o.view(TWO, T0 + UnitOwnership.HOLD_MS);
    assertFalse(o.isHeld(mine.get(0)));
  }

  @Test
  void aRepeatedHoldRestartsTheHoldTime() {
    UnitOwnership o = new UnitOwnership(FLOW, TWO, new Recorder());
    String unit = ownedBy(TWO, "m1");
    o.hold(unit, "m3", T0);
    o.hold(unit, "m3", T0 + 20_000);
    o.view(TWO, T0 + UnitOwnership.HOLD_MS);
    assertTrue(o.isHeld(unit), "held since the last release request");
    o.view(TWO, T0 + 20_000 + UnitOwnership.HOLD_MS);
    assertFalse(o.isHeld(unit));
  }

  @Test
  void acquireAsksTheOtherMember() {
    Recorder handover = new Recorder();
    UnitOwnership o = new UnitOwnership(FLOW, TWO, handover);
    String unit = ownedBy(TWO, "m1");
    assertTrue(o.acquire(unit).succeeded());
    assertEquals(List.of(new Call("m2", FLOW, unit)), handover.calls);
  }

  @Test
  void acquireAsksTheOwnerAmongTheOtherMembers() {
    Recorder handover = new Recorder();
    MemberView three = new MemberView("m2", List.of("m1", "m2", "m3"));
    MemberView others = new MemberView("m1", List.of("m1", "m3"));
    UnitOwnership o = new UnitOwnership(FLOW, three, handover);
    List<Call> expected = new ArrayList<>();
    boolean sawM1 = false;
    boolean sawM3 = false;
    for (String unit : units()) {
      o.acquire(unit);
      String previous = others.owner(unit);
      assertNotEquals("m2", previous);
      expected.add(new Call(previous, FLOW, unit));
      sawM1 |= previous.equals("m1");
      sawM3 |= previous.equals("m3");
    }
    assertEquals(expected, handover.calls);
    assertTrue(sawM1 && sawM3, "both other members own some units before m2 joined");
  }

  @Test
  void acquireAloneAsksNobody() {
    Recorder handover = new Recorder();
    UnitOwnership o = new UnitOwnership(FLOW, MemberView.single("m1"), handover);
    for (String unit : units()) {
      assertTrue(o.acquire(unit).succeeded());
    }
    assertTrue(handover.calls.isEmpty());
  }

  @Test
  void acquireCompletesWhenReleased() {
    Promise<Void> released = Promise.promise();
    UnitOwnership o = new UnitOwnership(FLOW, TWO, (member, flow, unit) -> released.future());
    Future<Void> acquired = o.acquire(ownedBy(TWO, "m1"));
    assertFalse(acquired.isComplete(), "waits for the previous owner");
    released.complete();
    assertTrue(acquired.succeeded());
  }

  @Test
  void acquireUsesTheCurrentView() {
    Recorder handover = new Recorder();
    UnitOwnership o = new UnitOwnership(FLOW, MemberView.single("m1"), handover);
    String unit = ownedBy(TWO, "m1");
    o.acquire(unit);
    assertTrue(handover.calls.isEmpty());
    o.view(TWO, T0);
    o.acquire(unit);
    assertEquals(List.of(new Call("m2", FLOW, unit)), handover.calls);
  }

  @Test
  void handoverNoneSucceeds() {
    assertTrue(UnitOwnership.Handover.NONE.release("m2", FLOW, "A->B.MirrorSourceConnector").succeeded());
  }
}
