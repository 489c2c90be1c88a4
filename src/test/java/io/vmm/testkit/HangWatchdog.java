package io.vmm.testkit;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The test JVM's last line of defence against a hang: when no test or container starts or finishes for
 * {@link #QUIET_LIMIT_PROPERTY} minutes (default {@value #DEFAULT_QUIET_MINUTES}), it writes a dump of every thread
 * to {@code target/hang-dump.txt} and standard output, then halts the JVM with exit code 3, so the build fails
 * (surefire: "The forked VM terminated without properly saying goodbye") within CI's limit and says where it
 * hung. A hang inside a test method is ended sooner by JUnit's own timeout ({@code junit-platform.properties},
 * 5 minutes, with a thread dump); this one covers the rest: extensions (clusters starting or closing), class
 * set-up, JUnit itself, or a blocked standard output (surefire's own timeout does not kill a hung fork).
 * <p>
 * Registered for every test run through {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}.
 * Threading: JUnit calls the listener methods; one daemon thread checks every 15 s.
 */
public final class HangWatchdog implements TestExecutionListener {

  /** System property: minutes without a test event before the JVM is halted. */
  public static final String QUIET_LIMIT_PROPERTY = "vmm.test.quietLimitMinutes";
  static final long DEFAULT_QUIET_MINUTES = 25; // the longest single test (tagged long) may take 20
  private static final int EXIT_HUNG = 3;

  private volatile long lastEventNanos = System.nanoTime();
  private volatile String lastEvent = "the test run started";
  private volatile Thread watcher;

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    Duration limit = Duration.ofMinutes(Long.getLong(QUIET_LIMIT_PROPERTY, DEFAULT_QUIET_MINUTES));
    Thread t = new Thread(() -> watch(limit), "vmm-hang-watchdog");
    t.setDaemon(true);
    watcher = t;
    t.start();
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    Thread t = watcher;
    watcher = null;
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public void executionStarted(TestIdentifier id) {
    event("started " + id.getDisplayName() + " (" + id.getUniqueId() + ")");
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    event("finished " + id.getDisplayName() + " (" + id.getUniqueId() + "): " + result.getStatus());
  }

  private void event(String what) {
    lastEvent = what;
    lastEventNanos = System.nanoTime();
  }

  private void watch(Duration limit) {
    try {
      while (watcher == Thread.currentThread()) {
        Thread.sleep(15_000);
        long quiet = System.nanoTime() - lastEventNanos;
        if (quiet > limit.toNanos()) {
          halt("no test started or finished for " + Duration.ofNanos(quiet).toMinutes() + " minutes (last: "
              + lastEvent + ")");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes the dump to a file first (standard output may be what hangs), then prints it, then halts. */
  private static void halt(String why) {
    String text = Instant.now() + " HANG: " + why + "; halting the test JVM with exit code " + EXIT_HUNG + "\n"
        + threadDump();
    Thread halter = new Thread(() -> {
      try {
        Thread.sleep(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(EXIT_HUNG);
    }, "vmm-hang-halt");
    halter.setDaemon(true);
    halter.start(); // halts even if printing below blocks
    try {
      Path out = Path.of("target", "hang-dump.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, text, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      // the printout below is the other copy
    }
    System.out.println(text);
    System.out.flush();
    try {
      Thread.sleep(5_000); // surefire forwards the fork's output asynchronously: let it arrive
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().halt(EXIT_HUNG);
  }

  /** Every live thread with its whole stack, locks held and the lock it waits for (after jstack's layout). */
  static String threadDump() {
    StringBuilder sb = new StringBuilder("Full thread dump\n");
    for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      sb.append('\n').append('"').append(t.getThreadName()).append("\" #").append(t.getThreadId())
          .append(t.isDaemon() ? " daemon" : "").append(' ').append(t.getThreadState());
      if (t.getLockName() != null) {
        sb.append(" on ").append(t.getLockName());
      }
      if (t.getLockOwnerName() != null) {
        sb.append(" owned by \"").append(t.getLockOwnerName()).append("\" #").append(t.getLockOwnerId());
      }
      sb.append('\n');
      StackTraceElement[] stack = t.getStackTrace();
      for (int i = 0; i < stack.length; i++) {
        sb.append("\tat ").append(stack[i]).append('\n');
        for (MonitorInfo m : t.getLockedMonitors()) {
          if (m.getLockedStackDepth() == i) {
            sb.append("\t- locked ").append(m).append('\n');
          }
        }
      }
      for (LockInfo l : t.getLockedSynchronizers()) {
        sb.append("\t- holds ").append(l).append('\n');
      }
    }
    return sb.toString();
  }
}
