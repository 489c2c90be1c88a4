package io.vmm.testkit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class HangWatchdogTest {

  @Test
  void theDumpHoldsEveryThreadWithItsWholeStack() {
    String dump = HangWatchdog.threadDump();
    String me = Thread.currentThread().getName();
    assertTrue(dump.contains("\"" + me + "\""), dump);
    assertTrue(dump.contains("HangWatchdogTest.theDumpHoldsEveryThreadWithItsWholeStack"), "this frame");
    assertTrue(dump.contains("org.junit.platform.launcher"), "frames below the eighth (ThreadInfo.toString cuts there)");
  }
}
