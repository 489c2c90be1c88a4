package io.vmm.bus;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Discovery: the smallest remote max.message.bytes, ties broken by name; none known. */
class DiscoveryTest {

  @Test
  void smallestRemoteLimitIsTheSmallestValueThenTheFirstName() {
    Discovery d = new Discovery(List.of(), true, List.of(), Map.of(),
        Map.of("A.b", 20_000, "A.a", 20_000, "A.c", 1_048_588));
    assertEquals(Map.entry("A.a", 20_000), d.smallestRemoteLimit());
  }

  @Test
  void noLimitKnown() {
    assertNull(new Discovery(List.of(), true, List.of(), Map.of()).smallestRemoteLimit());
  }
}
