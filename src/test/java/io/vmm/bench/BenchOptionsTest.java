package io.vmm.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's pure option parsing: contenders, delivery, rounds and codec (bench/README.md). */
class BenchOptionsTest {

  @Test
  void deliveryExpandsNamesWithoutSuffix() {
    List<String> names = List.of("vmm", "mm2", "plain");
    assertEquals(names, BenchOptions.expandContenders(names, BenchOptions.Delivery.AT_LEAST_ONCE));
    assertEquals(List.of("vmm-eos", "mm2-eos", "plain-eos"), BenchOptions.expandContenders(names, BenchOptions.Delivery.EXACTLY_ONCE));
    assertEquals(List.of("vmm", "vmm-eos", "mm2", "mm2-eos"),
        BenchOptions.expandContenders(List.of("vmm", "mm2"), BenchOptions.Delivery.BOTH));
  }

  @Test
  void explicitSuffixKeepsItsDelivery() {
    assertEquals(List.of("vmm", "vmm-eos", "mm2-eos"),
        BenchOptions.expandContenders(List.of("vmm", "vmm-eos", "mm2-eos"), BenchOptions.Delivery.AT_LEAST_ONCE));
    assertEquals(List.of("vmm-eos", "plain-eos"),
        BenchOptions.expandContenders(List.of("vmm-eos", "plain"), BenchOptions.Delivery.EXACTLY_ONCE));
  }

  @Test
  void unknownOrRepeatedContendersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.expandContenders(List.of("kafka"), BenchOptions.Delivery.BOTH));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.expandContenders(List.of("vmm-alo"), BenchOptions.Delivery.BOTH));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.expandContenders(List.of("vmm", "vmm-eos"), BenchOptions.Delivery.BOTH));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.expandContenders(List.of("vmm-eos", "vmm"), BenchOptions.Delivery.EXACTLY_ONCE));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.expandContenders(List.of(), BenchOptions.Delivery.AT_LEAST_ONCE));
  }

  @Test
  void plainDefaultsIsAtLeastOnceOnly() {
    assertTrue(BenchOptions.KINDS.contains("plain-defaults"));
    assertEquals(List.of("vmm", "plain", "plain-defaults"),
        BenchOptions.expandContenders(List.of("vmm", "plain", "plain-defaults"), BenchOptions.Delivery.AT_LEAST_ONCE));
    assertEquals(List.of("plain", "plain-eos", "plain-defaults"),
        BenchOptions.expandContenders(List.of("plain", "plain-defaults"), BenchOptions.Delivery.BOTH));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.expandContenders(List.of("plain-defaults-eos"), BenchOptions.Delivery.AT_LEAST_ONCE));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.expandContenders(List.of("plain-defaults"), BenchOptions.Delivery.EXACTLY_ONCE));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.expandContenders(List.of("plain-defaults", "plain-defaults"), BenchOptions.Delivery.AT_LEAST_ONCE));
    assertEquals("plain-defaults", BenchOptions.kind("plain-defaults"));
    assertTrue(BenchOptions.plainLoop("plain-defaults"));
    assertTrue(BenchOptions.plainLoop("plain-eos"));
    assertFalse(BenchOptions.plainLoop("vmm"));
    assertTrue(BenchOptions.USAGE.contains("plain-defaults"));
    assertEquals(List.of("vmm", "mm2", "plain"), BenchOptions.parse(new String[0]).contenders);
  }

  @Test
  void deliveryValues() {
    assertEquals(BenchOptions.Delivery.EXACTLY_ONCE, BenchOptions.parseDelivery("exactly-once"));
    assertEquals(BenchOptions.Delivery.AT_LEAST_ONCE, BenchOptions.parseDelivery("AT_LEAST_ONCE"));
    assertEquals(BenchOptions.Delivery.BOTH, BenchOptions.parseDelivery(" both "));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parseDelivery("at-most-once"));
  }

  @Test
  void kindAndMode() {
    assertTrue(BenchOptions.exactlyOnce("mm2-eos"));
    assertFalse(BenchOptions.exactlyOnce("mm2"));
    assertEquals("plain", BenchOptions.kind("plain-eos"));
    assertEquals("vmm", BenchOptions.kind("vmm"));
  }

  @Test
  void optionsParseDeliveryAndCommitInterval() {
    BenchOptions o = BenchOptions.parse(new String[]{"--delivery", "exactly-once", "--commit-ms=250", "--contenders", "vmm,mm2"});
    assertEquals(List.of("vmm-eos", "mm2-eos"), o.contenders);
    assertEquals(250L, o.commitMs);
    BenchOptions d = BenchOptions.parse(new String[0]);
    assertEquals(List.of("vmm", "mm2", "plain"), d.contenders);
    assertEquals(null, d.commitMs);
  }

  @Test
  void roundsArePositiveWholeNumbers() {
    assertEquals(1, BenchOptions.parse(new String[0]).rounds);
    assertEquals(3, BenchOptions.parse(new String[]{"--rounds", "3"}).rounds);
    assertEquals(5, BenchOptions.parse(new String[]{"--rounds=5", "--contenders", "vmm,vmm-eos"}).rounds);
    assertEquals(12, BenchOptions.parseRounds(" 1_2 "));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parseRounds("0"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parseRounds("-2"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parseRounds("two"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parseRounds("99999999999"));
    assertTrue(BenchOptions.USAGE.contains("--rounds N"));
  }

  @Test
  void vmmBatchHasAnExactlyOnceMode() {
    assertTrue(BenchOptions.KINDS.contains("vmm-batch"));
    assertEquals(List.of("vmm", "vmm-batch", "mm2", "plain"),
        BenchOptions.parse(new String[]{"--contenders", "vmm,vmm-batch,mm2,plain"}).contenders);
    assertEquals(List.of("vmm", "vmm-eos", "vmm-batch", "vmm-batch-eos"),
        BenchOptions.expandContenders(List.of("vmm", "vmm-batch"), BenchOptions.Delivery.BOTH));
    assertEquals(List.of("vmm-batch-eos"),
        BenchOptions.expandContenders(List.of("vmm-batch-eos"), BenchOptions.Delivery.AT_LEAST_ONCE));
  }

  @Test
  void codecSetsTheDefaultRecordShape() {
    BenchOptions d = BenchOptions.parse(new String[0]);
    assertEquals("none", d.codec);
    assertFalse(d.compressed());
    assertEquals(512, d.size);
    BenchOptions lz4 = BenchOptions.parse(new String[]{"--codec", "LZ4"});
    assertEquals("lz4", lz4.codec);
    assertTrue(lz4.compressed());
    assertEquals(1024, lz4.size);
    assertEquals(512, BenchOptions.parse(new String[]{"--size", "512", "--codec=zstd"}).size);
    assertEquals(300, BenchOptions.parse(new String[]{"--codec", "gzip", "--size=300"}).size);
    assertEquals(512, BenchOptions.parse(new String[]{"--codec", "none"}).size);
    for (String c : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
      assertEquals(c, BenchOptions.parseCodec(" " + c + " "));
    }
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parseCodec("brotli"));
    assertTrue(BenchOptions.USAGE.contains("--codec"));
  }

  @Test
  void mm2CompressedNeedsACodec() {
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.checkCodec(List.of("vmm-batch", "mm2-compressed"), "none"));
    BenchOptions.checkCodec(List.of("vmm-batch", "mm2", "mm2-compressed"), "lz4");
    BenchOptions.checkCodec(List.of("vmm", "mm2"), "none");
    BenchOptions o = BenchOptions.parse(new String[]{"--codec", "zstd", "--contenders", "vmm-batch,mm2,mm2-compressed"});
    assertEquals(List.of("vmm-batch", "mm2", "mm2-compressed"), o.contenders);
    assertEquals(List.of("mm2-compressed", "mm2-compressed-eos"),
        BenchOptions.expandContenders(List.of("mm2-compressed"), BenchOptions.Delivery.BOTH));
    assertTrue(BenchOptions.mm2("mm2-compressed-eos"));
    assertTrue(BenchOptions.mm2("mm2"));
    assertFalse(BenchOptions.mm2("vmm"));
    assertEquals("mm2-compressed", BenchOptions.kind("mm2-compressed-eos"));
  }
}
