package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.ExactlyOnceSupport.MirrorProcess;
import io.vmm.ExactlyOnceSupport.SteadyProducer;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.ChildBroker;
import io.vmm.testkit.ExactlyOnceVerifier;
import io.vmm.testkit.ExactlyOnceVerifier.Report;
import io.vmm.testkit.NoBlockedThreads;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.vmm.ExactlyOnceSupport.COMMIT_INTERVAL_MS;
import static io.vmm.ExactlyOnceSupport.RECOVERY;
import static io.vmm.ExactlyOnceSupport.awaitNewCommitted;
import static io.vmm.ExactlyOnceSupport.exactlyOnceConfig;
import static io.vmm.ExactlyOnceSupport.write;
import static io.vmm.MirrorTestSupport.startMirror;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once under faults (issue 16, "Tests"), with {@code exactly.once.source.support: enabled} on the target
 * cluster B, both clusters as child-process brokers ({@link ChildBroker}) and a steady load on A. Each test ends
 * with the {@link ExactlyOnceVerifier} reading B's remote topic {@code read_committed}: 0 missing, 0 duplicates,
 * per-partition order intact.
 * <ul>
 *   <li>Target broker restarted gracefully, and SIGKILLed and restarted, under load, the mirror in this JVM and
 *       never restarted by hand.</li>
 *   <li>Zombie: mirror process Z frozen (SIGSTOP) with an open transaction; a second process N with the same
 *       config (the same transactional ids) fences Z by initialising its producers and mirrors on; Z woken
 *       (SIGCONT) cannot commit and logs that it was fenced; nothing Z sent is visible.</li>
 *   <li>Crash loop: the mirror as a child process SIGKILLed 10 times, 1-3 s after each start's
 *       first committed records, under load; after each kill the committed records hold no duplicate; a final
 *       clean run completes the copy exactly once.</li>
 * </ul>
 * Brokers are started once for the class; each test has its own topic; every test uses the same number of tasks
 * (so the same transactional ids, and a later run fences what an earlier one left open). Child mirror logs are
 * under {@code target/eos-it/}. About 2.5 minutes on 2 cores (the crash loop 75 s of it).
 */
@ExtendWith(NoBlockedThreads.class)
class ExactlyOnceFaultIT {

  private static final int PARTITIONS = 3;
  private static final int TASKS = 2;
  /** Committed records on the target before a fault is injected. */
  private static final int BEFORE_FAULT = 3_000;

  private static Path dir;
  private static ChildBroker a;
  private static ChildBroker b;

  @BeforeAll
  static void brokers() throws Exception {
    dir = Files.createDirectories(Path.of("target", "eos-it")).toAbsolutePath();
    dir = Files.createTempDirectory(dir, "fault-");
    a = ChildBroker.start("A", dir, Map.of());
    b = ChildBroker.start("B", dir, Map.of());
  }

  @AfterAll
  static void close() throws Exception {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  /** A test that failed half-way leaves the target broker running for the next one. */
  @AfterEach
  void targetRunning() throws Exception {
    try {
      b.start();
    } catch (IllegalStateException running) {
      // already running
    }
  }

  private static String topic(String name) throws Exception {
    String topic = "eos-" + name;
    a.admin().createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
    Await.until(topic + " has a leader for each partition", Duration.ofSeconds(30), () -> {
      try {
        return a.admin().describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic)
            .partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
      } catch (Exception e) {
        return false;
      }
    });
    return topic;
  }

  private static ExactlyOnceVerifier verifier(String topic) {
    return ExactlyOnceVerifier.readCommitted(b.bootstrapServers(), "A." + topic, PARTITIONS);
  }

  /** Records of the remote topic visible to read_uncommitted readers beyond the committed ones (aborted copies). */
  private static long abortedCopies(String topic, int produced) {
    try (ExactlyOnceVerifier all = new ExactlyOnceVerifier(b.bootstrapServers(), "A." + topic, PARTITIONS, false)) {
      all.catchUp(Duration.ofSeconds(30));
      return all.report(produced).duplicates();
    }
  }

  // ------------------------------------------------------------------------------------------ target broker

  @Test
  void targetGracefulRestartUnderLoad() throws Exception {
    underTargetFault("graceful", () -> {
      b.stop();
      Thread.sleep(3_000);
      b.start();
    });
  }

  @Test
  void targetSigkillAndRestartUnderLoad() throws Exception {
    underTargetFault("tkill", () -> {
      b.kill();
      Thread.sleep(3_000);
      b.start();
    });
  }

  /** A fault that returns once the broker is back. */
  private interface Fault {
    void run() throws Exception;
  }

  /**
   * Mirrors a new topic exactly once under load (mirror in this JVM); after {@link #BEFORE_FAULT} committed
   * records runs {@code fault}, lets the load run on for 3 s, stops it, and checks the target: every key once, in
   * order, and the flow RUNNING (recovered by itself).
   */
  private void underTargetFault(String name, Fault fault) throws Exception {
    String topic = topic(name);
    JsonObject config = exactlyOnceConfig(a.bootstrapServers(), b.bootstrapServers(), topic, TASKS);
    config.getJsonArray("mirrors").getJsonObject(0).getJsonObject("sourceConnector").getJsonObject("config")
        .put("admin.timeout.ms", 5_000);
    try (SteadyProducer producer = new SteadyProducer(a.bootstrapServers(), topic, PARTITIONS);
         ExactlyOnceVerifier v = verifier(topic);
         RunningMirror m = startMirror(config)) {
      awaitNewCommitted(v, BEFORE_FAULT, BEFORE_FAULT + " committed records before the fault", null);
      fault.run();
      Thread.sleep(3_000);
      int produced = producer.stop();
      Report r = v.awaitComplete(produced, RECOVERY, Duration.ofSeconds(3));
      System.out.printf("ExactlyOnceFaultIT %s: %s; aborted copies visible to read_uncommitted: %d%n", name, r,
          abortedCopies(topic, produced));
      assertTrue(r.exact(), r.toString());
      assertEquals("RUNNING", m.flow().getString("state"), m.flow().encodePrettily());
      assertEquals(0, m.flow().getInteger("failedPartitions"), m.flow().encodePrettily());
    }
  }

  // ------------------------------------------------------------------------------------------ zombie

  /**
   * Z mirrors, is frozen with a transaction open, N (same config: same transactional ids) starts and mirrors; Z
   * woken cannot commit: its log says it was fenced, and read_committed readers never see a record of it twice
   * (nothing it sent after N took over is visible). N is not fenced back and completes the copy.
   */
  @Test
  void zombieIsFencedAndNothingItSentIsVisible() throws Exception {
    String topic = topic("zombie");
    Path conf = write(dir, "zombie", exactlyOnceConfig(a.bootstrapServers(), b.bootstrapServers(), topic, TASKS));
    try (SteadyProducer producer = new SteadyProducer(a.bootstrapServers(), topic, PARTITIONS);
         ExactlyOnceVerifier v = verifier(topic);
         MirrorProcess z = MirrorProcess.launch("Z", conf, dir.resolve("zombie-Z.log"), null)) {
      awaitNewCommitted(v, BEFORE_FAULT, "Z commits records", z);
      Thread.sleep(COMMIT_INTERVAL_MS / 2); // mid-interval: Z's transactions hold records not committed yet
      z.signal("STOP");
      v.catchUp(Duration.ofSeconds(10));
      long atFreeze = v.read();
      try (MirrorProcess n = MirrorProcess.launch("N", conf, dir.resolve("zombie-N.log"), null)) {
        awaitNewCommitted(v, atFreeze + 2_000, "N fences Z and commits records while Z is frozen", n);
        z.signal("CONT");
        try {
          Await.until("Z logs that it was fenced", Duration.ofSeconds(60), () -> !fencedLines(z).isEmpty());
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n--- tail of " + z + ":\n" + z.tail(80), e);
        }
        System.out.println("ExactlyOnceFaultIT zombie: Z's log: " + fencedLines(z));
        // Z had several commit intervals to commit what it held at the freeze
        Thread.sleep(10 * COMMIT_INTERVAL_MS + 2_000);
        v.catchUp(Duration.ofSeconds(10));
        Report afterWake = v.report(producer.acked());
        assertEquals(0, afterWake.duplicates(), "a record committed twice after Z woke: " + afterWake);
        int produced = producer.stop();
        Report r = v.awaitComplete(produced, RECOVERY, Duration.ofSeconds(3));
        System.out.printf("ExactlyOnceFaultIT zombie: %s; aborted copies visible to read_uncommitted: %d%n", r,
            abortedCopies(topic, produced));
        assertTrue(r.exact(), r + "\n--- tail of " + n + ":\n" + n.tail(60));
        assertEquals(List.of(), fencedLines(n), "N, the newer owner, was fenced back by Z");
        assertEquals(0, n.stop(30), "N's exit code; tail:\n" + n.tail(60));
      }
      z.stop(30);
      v.catchUp(Duration.ofSeconds(10));
      Report end = v.report(producer.acked());
      assertTrue(end.exact(), "after both stopped: " + end);
    }
  }

  /** Log lines saying this process's producer was fenced (not the start-up line "earlier owners fenced"). */
  private static List<String> fencedLines(MirrorProcess p) {
    return p.logText().lines().filter(l -> l.contains("was fenced") || l.contains("ProducerFencedException"))
        .toList();
  }

  // ------------------------------------------------------------------------------------------ crash loop

  /**
   * Ten runs of the mirror as a child process under load, each SIGKILLed 1-3 s after its first committed records
   * (transactions open, records in flight). After each kill the committed records hold no duplicate and are in
   * order; a final clean run (SIGTERM, exit 0) completes the copy: 0 missing, 0 duplicates.
   */
  @Test
  void crashLoopOfTenSigkillsLosesNothingAndDuplicatesNothing() throws Exception {
    String topic = topic("loop");
    Path conf = write(dir, "loop", exactlyOnceConfig(a.bootstrapServers(), b.bootstrapServers(), topic, TASKS));
    Random random = new Random(16);
    try (SteadyProducer producer = new SteadyProducer(a.bootstrapServers(), topic, PARTITIONS);
         ExactlyOnceVerifier v = verifier(topic)) {
      for (int run = 0; run < 10; run++) {
        v.catchUp(Duration.ofSeconds(10));
        long before = v.read();
        MirrorProcess p = MirrorProcess.launch("run" + run, conf, dir.resolve("loop-" + run + ".log"), null);
        try {
          awaitNewCommitted(v, before, "run " + run + ": new committed records", p);
          Thread.sleep(1_000 + random.nextInt(2_000));
        } finally {
          p.kill();
        }
        v.catchUp(Duration.ofSeconds(10));
        Report r = v.report(producer.acked());
        System.out.printf("ExactlyOnceFaultIT crash loop run %d: %d committed records read, %d duplicates%n", run,
            v.read(), r.duplicates());
        assertEquals(0, r.duplicates(), "after SIGKILL " + run + ": " + r);
        assertEquals(0, r.orderViolations(), "after SIGKILL " + run + ": " + r);
      }
      int produced = producer.stop();
      try (MirrorProcess last = MirrorProcess.launch("final", conf, dir.resolve("loop-final.log"), null)) {
        Report r = v.awaitComplete(produced, RECOVERY, Duration.ofSeconds(3));
        System.out.printf("ExactlyOnceFaultIT crash loop: %s after 10 SIGKILLs; aborted copies visible to "
            + "read_uncommitted: %d%n", r, abortedCopies(topic, produced));
        assertTrue(r.exact(), r + "\n--- tail of " + last + ":\n" + last.tail(60));
        assertEquals(0, last.stop(30), "final run's exit code; tail:\n" + last.tail(60));
        assertFalse(last.logText().contains("has been blocked"), "blocked-thread warning in " + last);
      }
      v.catchUp(Duration.ofSeconds(10));
      assertTrue(v.report(produced).exact(), "after the final stop: " + v.report(produced));
    }
  }
}
