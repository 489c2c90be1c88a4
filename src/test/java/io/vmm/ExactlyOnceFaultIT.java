package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.ExactlyOnceSupport.MirrorProcess;
import io.vmm.ExactlyOnceSupport.SteadyProducer;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.Await;
import io.vmm.testkit.ChildBroker;
import io.vmm.testkit.ChildBrokerPair;
import io.vmm.testkit.ExactlyOnceVerifier;
import io.vmm.testkit.ExactlyOnceVerifier.Report;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.target.TransactionErrors;
import io.vmm.target.TransactionErrors.Kind;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.vmm.ExactlyOnceSupport.COMMIT_INTERVAL_MS;
import static io.vmm.ExactlyOnceSupport.RECOVERY;
import static io.vmm.ExactlyOnceSupport.awaitNewCommitted;
import static io.vmm.ExactlyOnceSupport.exactlyOnceConfig;
import static io.vmm.ExactlyOnceSupport.write;
import static io.vmm.MirrorTestSupport.startMirror;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 *   <li>Transaction timeout: mirror process M (producer override {@code transaction.timeout.ms} 3 s) frozen with a
 *       transaction open for 5 s; B's coordinator aborts it and bumps the epoch ("Completed rollback of ongoing
 *       transaction ... due to timeout" in B's log); woken, M aborts, rewinds to its last committed positions and
 *       mirrors on by itself (WARN "transaction ABORTED", no ERROR, no FAILED, no task restart), then stops with
 *       exit code 0.</li>
 *   <li>The producer errors that recovery is built on, from a plain transactional producer on B (Kafka 4.1.1,
 *       transaction version 2): a send after the coordinator's timeout abort fails with
 *       {@code InvalidProducerEpochException} (abortable); a commit after it with {@code InvalidTxnStateException},
 *       which leaves the client unusable (a new producer with the id goes on); a commit after a newer producer's
 *       {@code initTransactions} with {@code ProducerFencedException} (fatal).</li>
 *   <li>Crash loop: the mirror as a child process SIGKILLed 10 times, 1-3 s after each start's
 *       first committed records, under load; after each kill the committed records hold no duplicate; a final
 *       clean run completes the copy exactly once.</li>
 * </ul>
 * Brokers are started once for the class; each test has its own topic; every test uses the same number of tasks
 * (so the same transactional ids, and a later run fences what an earlier one left open). B aborts timed-out
 * transactions every {@link #TXN_TIMEOUT_SCAN_MS} instead of Kafka's 10 s; only the transaction-timeout cases'
 * transactions live long enough to notice. Child mirror logs are under {@code target/eos-it/}. About 3 minutes on
 * 2 cores (the crash loop 75 s of it, the transaction-timeout cases 30 s).
 */
@ExtendWith(NoBlockedThreads.class)
class ExactlyOnceFaultIT {

  private static final int PARTITIONS = 3;
  private static final int TASKS = 2;
  /** Committed records on the target before a fault is injected. */
  private static final int BEFORE_FAULT = 3_000;
  /** The transaction-timeout case's producer override {@code transaction.timeout.ms}, ms. */
  private static final int TXN_TIMEOUT_MS = 3_000;
  /**
   * B's {@code transaction.abort.timed.out.transaction.cleanup.interval.ms} (Kafka: 10 s), ms: the coordinator
   * aborts a timed-out transaction within this much after its timeout. The other cases' transactions use the
   * derived timeout (at least 60 s) and never last that long, so only the timeout case notices.
   */
  static final int TXN_TIMEOUT_SCAN_MS = 500;

  private static ChildBrokerPair brokers;
  private static Path dir;
  private static ChildBroker a;
  static ChildBroker b;

  @BeforeAll
  static void brokers() throws Exception {
    brokers = ChildBrokerPair.start("eos-it", "fault-",
        Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", Integer.toString(TXN_TIMEOUT_SCAN_MS)));
    dir = brokers.dir();
    a = brokers.a();
    b = brokers.b();
  }

  @AfterAll
  static void close() throws Exception {
    if (brokers != null) {
      brokers.close();
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

  /** The source connector's {@code vmm.data.path} of every mirror case ({@code record}; the batch subclass: batch). */
  String dataPath() {
    return "record";
  }

  /** {@link ExactlyOnceSupport#exactlyOnceConfig} of {@code topic} with {@link #TASKS} tasks and {@link #dataPath()}. */
  JsonObject config(String topic) {
    JsonObject config = exactlyOnceConfig(a.bootstrapServers(), b.bootstrapServers(), topic, TASKS);
    config.getJsonArray("mirrors").getJsonObject(0).getJsonObject("sourceConnector").getJsonObject("config")
        .put("vmm.data.path", dataPath());
    return config;
  }

  static String topic(String name) throws Exception {
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
  @Tag("long") // the SIGKILL restart below runs in every build
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
    JsonObject config = config(topic);
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
    Path conf = write(dir, "zombie", config(topic));
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

  // ------------------------------------------------------------------------------------------ transaction timeout

  /**
   * One mirror process M (producer override {@code transaction.timeout.ms} = {@link #TXN_TIMEOUT_MS}) frozen with
   * a transaction open for {@link #TXN_TIMEOUT_MS} + 2 s: B's transaction coordinator aborts the transaction and
   * bumps the producer epoch (B scans for timed-out transactions every {@link #TXN_TIMEOUT_SCAN_MS}). Woken, M
   * cannot commit it: it logs the abort, rewinds to its last committed positions and mirrors on by itself (no
   * task restart, no FAILED partition, no ERROR); the copy is exact and M is still running, then stops cleanly.
   */
  @Test
  void transactionTimedOutWhileFrozenIsAbortedAndTheMirrorGoesOn() throws Exception {
    String topic = topic("txn-timeout");
    JsonObject config = config(topic);
    config.getJsonArray("mirrors").getJsonObject(0).getJsonObject("sourceConnector").getJsonObject("config")
        .put("producer.override.transaction.timeout.ms", TXN_TIMEOUT_MS);
    Path conf = write(dir, "txn-timeout", config);
    try (SteadyProducer producer = new SteadyProducer(a.bootstrapServers(), topic, PARTITIONS);
         ExactlyOnceVerifier v = verifier(topic);
         MirrorProcess m = MirrorProcess.launch("M", conf, dir.resolve("txn-timeout-M.log"), null)) {
      awaitNewCommitted(v, BEFORE_FAULT, "M commits records", m);
      Thread.sleep(COMMIT_INTERVAL_MS / 2); // mid-interval: M's transactions hold records not committed yet
      long frozen = System.nanoTime();
      m.signal("STOP");
      Thread.sleep(TXN_TIMEOUT_MS + 2_000);
      m.signal("CONT");
      v.catchUp(Duration.ofSeconds(10));
      long atWake = v.read();
      try {
        Await.until("M logs an aborted transaction", Duration.ofSeconds(30),
            () -> !m.linesContaining("transaction ABORTED").isEmpty());
        long[] atAbort = v.readPerPartition();
        ExactlyOnceSupport.awaitEveryPartitionMoved(v, atAbort, 500, "M mirrors every partition on after the abort");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n--- tail of " + m + ":\n" + m.tail(80), e);
      }
      System.out.printf("ExactlyOnceFaultIT txn-timeout: every partition moving again %d ms after the freeze "
          + "(%d committed at the wake); M's log:%n  %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozen),
          atWake, String.join("\n  ", m.linesContaining("abort")));
      assertEquals(List.of(), failedLines(m), "M failed or restarted a task instead of recovering by itself");
      List<String> rollbacks = coordinatorRollbacks();
      System.out.println("ExactlyOnceFaultIT txn-timeout: B's coordinator: " + rollbacks);
      assertFalse(rollbacks.isEmpty(), "B's coordinator did not abort a timed-out transaction of M");
      int produced = producer.stop();
      Report r = v.awaitComplete(produced, RECOVERY, Duration.ofSeconds(3));
      System.out.printf("ExactlyOnceFaultIT txn-timeout: %s; aborted copies visible to read_uncommitted: %d%n", r,
          abortedCopies(topic, produced));
      assertTrue(r.exact(), r + "\n--- tail of " + m + ":\n" + m.tail(60));
      assertTrue(m.process.isAlive(), "M exited; tail:\n" + m.tail(60));
      assertEquals(List.of(), failedLines(m), "M failed or restarted a task instead of recovering by itself");
      assertEquals(0, m.stop(30), "M's exit code; tail:\n" + m.tail(60));
    }
  }

  /** B's log lines saying its coordinator aborted a mirror task's transaction because it timed out. */
  private static List<String> coordinatorRollbacks() throws IOException {
    try (Stream<String> lines = Files.lines(dir.resolve("B").resolve("broker.log"))) {
      return lines.filter(l -> l.contains("Completed rollback of ongoing transaction")
          && l.contains("MirrorSourceConnector") && l.contains("due to timeout")).toList();
    }
  }

  /**
   * What Kafka 4.1.1's producer reports when B's coordinator (transaction version 2) aborted its transaction after
   * {@code transaction.timeout.ms} and bumped the epoch, and when a newer producer fenced it; the errors the
   * exactly-once producer's recovery ({@link TransactionErrors}) is built on: a send after the abort fails with
   * {@link InvalidProducerEpochException} and the producer can abort and go on ({@code ABORTABLE}); a commit
   * after the abort fails with {@link InvalidTxnStateException} and leaves the client unusable, its abort failing
   * too ({@code RENEW}: a new producer with the same id goes on); a commit after a newer producer's
   * {@code initTransactions} fails with {@link ProducerFencedException} ({@code FATAL}).
   */
  @Test
  void producerErrorsAfterACoordinatorTimeoutAndAfterFencing() throws Exception {
    String topic = "eos-probe";
    b.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    long timeoutMs = 500;
    long outlive = timeoutMs + 3L * TXN_TIMEOUT_SCAN_MS; // B aborts it within one scan interval after the timeout
    try (KafkaProducer<byte[], byte[]> p = probe("probe-1", timeoutMs)) {
      p.initTransactions();
      p.beginTransaction();
      p.send(record(topic)).get(10, TimeUnit.SECONDS);
      Thread.sleep(outlive);
      ExecutionException send = assertThrows(ExecutionException.class,
          () -> p.send(record(topic)).get(10, TimeUnit.SECONDS));
      System.out.println("ExactlyOnceFaultIT probe: send after the coordinator's timeout abort: " + send.getCause());
      assertInstanceOf(InvalidProducerEpochException.class, send.getCause());
      assertEquals(Kind.ABORTABLE, TransactionErrors.kind(send.getCause(), outlive, timeoutMs));
      p.abortTransaction(); // EndTxn(ABORT) of the epoch just below the coordinator's: answered as a retry
      p.beginTransaction();
      p.send(record(topic)).get(10, TimeUnit.SECONDS);
      Thread.sleep(outlive);
      RuntimeException commit = assertThrows(RuntimeException.class, p::commitTransaction);
      RuntimeException abort = assertThrows(RuntimeException.class, p::abortTransaction);
      System.out.println("ExactlyOnceFaultIT probe: commit after the coordinator's timeout abort: " + commit
          + "; the abort after it: " + abort + " caused by " + abort.getCause());
      assertInstanceOf(InvalidTxnStateException.class, commit);
      assertEquals(Kind.RENEW, TransactionErrors.kind(commit, outlive, timeoutMs));
      assertEquals(Kind.RENEW, TransactionErrors.kind(abort, outlive, timeoutMs));
    }
    try (KafkaProducer<byte[], byte[]> renewed = probe("probe-1", timeoutMs)) {
      renewed.initTransactions();
      renewed.beginTransaction();
      renewed.send(record(topic)).get(10, TimeUnit.SECONDS);
      renewed.commitTransaction(); // the id goes on with a new producer
      try (KafkaProducer<byte[], byte[]> newer = probe("probe-1", timeoutMs)) {
        renewed.beginTransaction();
        renewed.send(record(topic)).get(10, TimeUnit.SECONDS);
        newer.initTransactions();
        RuntimeException fenced = assertThrows(RuntimeException.class, renewed::commitTransaction);
        System.out.println("ExactlyOnceFaultIT probe: commit after a newer producer's initTransactions: " + fenced);
        assertInstanceOf(ProducerFencedException.class, fenced);
        assertEquals(Kind.FATAL, TransactionErrors.kind(fenced, outlive, timeoutMs));
      }
    }
  }

  private static KafkaProducer<byte[], byte[]> probe(String transactionalId, long timeoutMs) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) timeoutMs,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
  }

  private static ProducerRecord<byte[], byte[]> record(String topic) {
    return new ProducerRecord<>(topic, 0, null, "probe".getBytes(StandardCharsets.UTF_8));
  }

  /** ERROR lines, FAILED partitions or tasks, restarts. */
  private static List<String> failedLines(MirrorProcess p) {
    return p.logText().lines().filter(l -> l.contains(" ERROR ") || l.contains("FAILED") || l.contains("restart"))
        .toList();
  }

  // ------------------------------------------------------------------------------------------ crash loop

  /**
   * Ten runs of the mirror as a child process under load, each SIGKILLed 1-3 s after its first committed records
   * (transactions open, records in flight). After each kill the committed records hold no duplicate and are in
   * order; a final clean run (SIGTERM, exit 0) completes the copy: 0 missing, 0 duplicates.
   */
  @Test
  @Tag("long") // the batch path's (the default) runs in every build: ExactlyOnceFaultBatchIT
  void crashLoopOfTenSigkillsLosesNothingAndDuplicatesNothing() throws Exception {
    String topic = topic("loop");
    Path conf = write(dir, "loop", config(topic));
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
