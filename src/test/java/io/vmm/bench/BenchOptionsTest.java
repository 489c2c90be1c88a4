package io.vmm.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's pure option parsing: contenders and delivery (bench/README.md). */
class BenchOptionsTest {

  @Test
  void deliveryExpandsNamesWithoutSuffix() {
    List<String> names = List.of("vmm", "mm2", "plain");
    assertEquals(names, Bench.expandContenders(names, Bench.Delivery.AT_LEAST_ONCE));
    assertEquals(List.of("vmm-eos", "mm2-eos", "plain-eos"), Bench.expandContenders(names, Bench.Delivery.EXACTLY_ONCE));
    assertEquals(List.of("vmm", "vmm-eos", "mm2", "mm2-eos"),
        Bench.expandContenders(List.of("vmm", "mm2"), Bench.Delivery.BOTH));
  }

  @Test
  void explicitSuffixKeepsItsDelivery() {
    assertEquals(List.of("vmm", "vmm-eos", "mm2-eos"),
        Bench.expandContenders(List.of("vmm", "vmm-eos", "mm2-eos"), Bench.Delivery.AT_LEAST_ONCE));
    assertEquals(List.of("vmm-eos", "plain-eos"),
        Bench.expandContenders(List.of("vmm-eos", "plain"), Bench.Delivery.EXACTLY_ONCE));
  }

  @Test
  void unknownOrRepeatedContendersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Bench.expandContenders(List.of("kafka"), Bench.Delivery.BOTH));
    assertThrows(IllegalArgumentException.class, () -> Bench.expandContenders(List.of("vmm-alo"), Bench.Delivery.BOTH));
    assertThrows(IllegalArgumentException.class,
        () -> Bench.expandContenders(List.of("vmm", "vmm-eos"), Bench.Delivery.BOTH));
    assertThrows(IllegalArgumentException.class,
        () -> Bench.expandContenders(List.of("vmm-eos", "vmm"), Bench.Delivery.EXACTLY_ONCE));
    assertThrows(IllegalArgumentException.class, () -> Bench.expandContenders(List.of(), Bench.Delivery.AT_LEAST_ONCE));
  }

  @Test
  void deliveryValues() {
    assertEquals(Bench.Delivery.EXACTLY_ONCE, Bench.parseDelivery("exactly-once"));
    assertEquals(Bench.Delivery.AT_LEAST_ONCE, Bench.parseDelivery("AT_LEAST_ONCE"));
    assertEquals(Bench.Delivery.BOTH, Bench.parseDelivery(" both "));
    assertThrows(IllegalArgumentException.class, () -> Bench.parseDelivery("at-most-once"));
  }

  @Test
  void kindAndMode() {
    assertTrue(Bench.exactlyOnce("mm2-eos"));
    assertFalse(Bench.exactlyOnce("mm2"));
    assertEquals("plain", Bench.kind("plain-eos"));
    assertEquals("vmm", Bench.kind("vmm"));
  }

  @Test
  void optionsParseDeliveryAndCommitInterval() {
    Bench.Options o = Bench.parse(new String[]{"--delivery", "exactly-once", "--commit-ms=250", "--contenders", "vmm,mm2"});
    assertEquals(List.of("vmm-eos", "mm2-eos"), o.contenders);
    assertEquals(250L, o.commitMs);
    Bench.Options d = Bench.parse(new String[0]);
    assertEquals(List.of("vmm", "mm2", "plain"), d.contenders);
    assertEquals(null, d.commitMs);
  }
}
