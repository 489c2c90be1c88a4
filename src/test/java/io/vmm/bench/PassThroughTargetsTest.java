package io.vmm.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 17's target lines from synthetic rows: one round, the medians, and which lines a run prints. */
class PassThroughTargetsTest {

  private static Result row(String name, double recPerSec, double cpuPct, long source, long target) {
    Result r = new Result(name);
    r.status = Result.OK;
    r.recPerSec = recPerSec;
    r.cpuPct = cpuPct;
    r.sourceBytes = source;
    r.targetBytes = target;
    return r;
  }

  private static String print(BenchOptions opt, Runnable r) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void uncompressedRoundChecksRecordPathPassThroughAndCpu() {
    BenchOptions opt = BenchOptions.parse(new String[]{"--contenders", "vmm,vmm-batch,mm2,plain"});
    List<Result> round = List.of(row("vmm", 90_000, 90, 100, 100), row("vmm-batch", 160_000, 40, 100, 100),
        row("mm2", 20_000, 80, 100, 100), row("plain", 100_000, 100, 100, 100));
    String s = print(opt, () -> new PassThroughTargets(opt).printRound(round));
    assertTrue(s.contains("record path: vmm rec/s vs plain >= 1.0x: 0.90x (90,000 vs 100,000): NOT met"), s);
    assertTrue(s.contains("pass-through: vmm-batch rec/s vs plain >= 1.5x: 1.60x (160,000 vs 100,000): met"), s);
    // CPU/rec: 0.4 / 160,000 = 2.5 us against 1.0 / 100,000 = 10 us
    assertTrue(s.contains("vmm-batch CPU/rec vs plain <= 0.3x: 0.25x (2.5 vs 10.0 us/rec): met"), s);
    assertFalse(s.contains("vs mm2"), s);
    assertFalse(s.contains("bytes"), s);
  }

  @Test
  void compressedMediansCheckMm2BothWaysAndBytes() {
    BenchOptions opt = BenchOptions.parse(new String[]{"--codec", "lz4", "--contenders", "vmm-batch,mm2,mm2-compressed"});
    List<List<Result>> rounds = List.of(
        List.of(row("vmm-batch", 60_000, 30, 100, 100), row("mm2", 20_000, 80, 100, 270), row("mm2-compressed", 19_000, 90, 100, 105)),
        List.of(row("vmm-batch", 70_000, 30, 100, 101), row("mm2", 18_000, 80, 100, 270), row("mm2-compressed", 21_000, 90, 100, 105)),
        List.of(row("vmm-batch", 50_000, 30, 100, 100), row("mm2", 22_000, 80, 100, 270), row("mm2-compressed", 25_000, 90, 100, 105)));
    String s = print(opt, () -> new PassThroughTargets(opt).printMedians(rounds));
    assertTrue(s.startsWith("issue 17 targets, from the medians over 3 rounds:"), s);
    assertTrue(s.contains("pass-through on lz4: vmm-batch rec/s vs mm2 >= 3.0x: 3.00x (60,000 vs 20,000): met"), s);
    assertTrue(s.contains("pass-through on lz4: vmm-batch rec/s vs mm2-compressed >= 3.0x: 2.86x (60,000 vs 21,000): NOT met"), s);
    assertTrue(s.contains("vmm-batch target/source bytes on disk <= 1.10: 1.00: met"), s);
    assertFalse(s.contains("record path"), s);
  }

  @Test
  void nothingWithoutOurRows() {
    BenchOptions opt = BenchOptions.parse(new String[]{"--contenders", "mm2,plain"});
    assertEquals("", print(opt, () -> new PassThroughTargets(opt).printRound(
        List.of(row("mm2", 1, 1, 1, 1), row("plain", 1, 1, 1, 1)))));
  }
}
