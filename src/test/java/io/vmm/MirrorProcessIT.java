package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.source.ProgressSchedule;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.count;
import static io.vmm.MirrorTestSupport.mirror;
import static io.vmm.MirrorTestSupport.startMirror;
import static io.vmm.MirrorTestSupport.storedProgress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mirror as a real process: exit code 2 on a config error, clean SIGTERM stop with exit 0 within 10 s, exit 1
 * with one line per flow when the final progress could not be stored, bounded re-copy after an early SIGKILL.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class MirrorProcessIT {

  private final TwoClusters clusters;

  @TempDir
  Path dir;

  MirrorProcessIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private Process launch(Path conf, Path log) throws Exception {
    String classpath = System.getProperty("vmm.classes") + File.pathSeparator
        + Files.readString(Path.of(System.getProperty("vmm.test.classpath"))).trim();
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, MirrorMain.class.getName(), "-conf", conf.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Writes a steady stream (about 10,000 records/s at most) to a topic until stopped; counts acknowledged sends. */
  private final class SteadyProducer {
    final AtomicBoolean producing = new AtomicBoolean(true);
    final AtomicInteger acked = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final Thread thread;

    SteadyProducer(String topic, int partitions) {
      thread = new Thread(() -> {
        // one request in flight, no idempotence: see MirrorIT.produce
        try (KafkaProducer<byte[], byte[]> p = clusters.a().newProducer(Map.of("enable.idempotence", false,
            "max.in.flight.requests.per.connection", 1))) {
          for (int i = 0; producing.get(); i++) {
            p.send(new ProducerRecord<>(topic, i % partitions, ("k" + i).getBytes(StandardCharsets.UTF_8),
                ("v" + i).getBytes(StandardCharsets.UTF_8)), (md, e) -> (e == null ? acked : failed).incrementAndGet());
            if (i % 200 == 0) {
              Thread.sleep(20);
            }
          }
          p.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, topic + "-producer");
      thread.start();
    }

    void stop() throws InterruptedException {
      producing.set(false);
      thread.join();
    }
  }

  @Test
  void configErrorExitsWithCode2BeforeAnyClient() throws Exception {
    Path conf = dir.resolve("bad.yaml");
    Files.writeString(conf, "clusters:\n  - alias: A\n    bootstrapServers: 127.0.0.1:1\nmirrors:\n"
        + "  - sourceCluster: A\n    targetCluster: X\n");
    Path log = dir.resolve("bad.log");
    Process p = launch(conf, log);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits");
    String out = Files.readString(log);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("mirrors[0].targetCluster: unknown cluster alias \"X\"; clusters[] has A"), out);
  }

  @Test
  void sigtermDrainsStoresProgressAndExitsZero() throws Exception {
    clusters.a().createTopic("term", 4);
    SteadyProducer producer = new SteadyProducer("term", 4);
    JsonObject config = config(clusters, mirror("A", "B", "term", 2));
    Path conf = dir.resolve("mirror.json");
    Files.writeString(conf, config.encodePrettily());
    Path log = dir.resolve("mirror.log");
    Process p = launch(conf, log);
    try {
      Await.until("records mirrored by the process", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), "A.term") > 3000);
      long sent = System.nanoTime();
      p.destroy(); // SIGTERM while records are streaming
      assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stopped within 10 s of SIGTERM; log:\n" + Files.readString(log));
      long stopMs = (System.nanoTime() - sent) / 1_000_000;
      assertEquals(0, p.exitValue(), Files.readString(log));
      assertTrue(!Files.readString(log).contains("has been blocked"), "blocked-thread warning in the mirror log");
      assertTrue(stopMs < 10_000, "stop took " + stopMs + " ms");
    } finally {
      p.destroyForcibly();
      producer.stop();
    }
    assertEquals(0, producer.failed.get(), "test data sends failed");
    // progress was stored at stop for exactly what is in the target: nothing marked done is missing
    Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
    Map<TopicPartition, Long> ends = clusters.b().endOffsets("A.term");
    for (int i = 0; i < 4; i++) {
      // a partition not mirrored yet at SIGTERM (its task's first fetches can be its heartbeats partition) has
      // no stored progress and no record in the target: -1 + 1 == 0
      assertEquals(ends.get(new TopicPartition("A.term", i)), stored.getOrDefault(new TopicPartition("term", i), -1L)
          + 1, "partition " + i + ": stored progress + 1 == records in target");
    }
    // a restart mirrors the rest: every produced record exactly once
    try (RunningMirror m = startMirror(config)) {
      List<ConsumerRecord<byte[], byte[]>> all = awaitRecords(clusters.b(), "A.term", producer.acked.get());
      Set<String> keys = new HashSet<>();
      List<String> duplicates = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : all) {
        String k = new String(r.key(), StandardCharsets.UTF_8);
        if (!keys.add(k)) {
          duplicates.add(k);
        }
      }
      assertEquals(List.of(), duplicates);
      assertEquals(producer.acked.get(), keys.size());
    }
  }

  @Test
  void sigkillLosesNothing() throws Exception {
    clusters.a().createTopic("crash", 3);
    SteadyProducer producer = new SteadyProducer("crash", 3);
    JsonObject config = config(clusters, mirror("A", "B", "crash", 2));
    Path conf = dir.resolve("crash.json");
    Files.writeString(conf, config.encodePrettily());
    Process p = launch(conf, dir.resolve("crash.log"));
    try {
      Await.until("records mirrored by the process", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), "A.crash") > 3000);
      p.destroyForcibly(); // SIGKILL: no drain, no final progress store
      assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
      producer.stop();
    }
    assertEquals(0, producer.failed.get(), "test data sends failed");
    // at-least-once: after a restart every produced record is in the target (records since the last store twice)
    try (RunningMirror m = startMirror(config)) {
      Set<String> missing = new HashSet<>();
      for (int i = 0; i < producer.acked.get(); i++) {
        missing.add("k" + i);
      }
      Await.until("every produced record in the target", MirrorTestSupport.TIMEOUT, () -> {
        if (count(clusters.b(), "A.crash") < producer.acked.get()) {
          return false;
        }
        for (ConsumerRecord<byte[], byte[]> r : clusters.b().readAllNow("A.crash")) {
          missing.remove(new String(r.key(), StandardCharsets.UTF_8));
        }
        return missing.isEmpty();
      });
    }
  }

  /**
   * Killed about 2.5 s after its first records landed, with the default 5 s flush interval: progress is stored
   * already (soon after each partition's first acknowledged records, and at the record threshold), so a restart
   * re-copies at most the documented bound, not everything.
   */
  @Test
  void earlySigkillHasStoredProgressAndRecopiesAtMostTheBound() throws Exception {
    int partitions = 3;
    int tasks = 2;
    int prefilled = 60_000;
    clusters.a().createTopic("early", partitions);
    try (KafkaProducer<byte[], byte[]> fast = clusters.a().newProducer()) {
      for (int i = 0; i < prefilled; i++) {
        fast.send(new ProducerRecord<>("early", i % partitions, ("p" + i).getBytes(StandardCharsets.UTF_8),
            ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
      fast.flush();
    }
    JsonObject mirror = mirror("A", "B", "early", tasks);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("offset.flush.interval.ms", 5_000);
    JsonObject config = config(clusters, mirror);
    Path conf = dir.resolve("early.json");
    Files.writeString(conf, config.encodePrettily());
    Process p = launch(conf, dir.resolve("early.log"));
    long inTarget;
    try {
      Await.until("first records in the target", MirrorTestSupport.TIMEOUT, () -> count(clusters.b(), "A.early") > 0);
      Thread.sleep(2_500);
      p.destroyForcibly(); // SIGKILL before the first 5 s flush interval has passed
      assertTrue(p.waitFor(10, TimeUnit.SECONDS));
      inTarget = count(clusters.b(), "A.early");
    } finally {
      p.destroyForcibly();
    }
    Map<TopicPartition, Long> stored = storedProgress(clusters.b(), "A");
    Map<TopicPartition, Long> ends = clusters.b().endOffsets("A.early");
    long recopy = 0;
    for (int i = 0; i < partitions; i++) {
      long end = ends.get(new TopicPartition("A.early", i));
      long next = stored.getOrDefault(new TopicPartition("early", i), -1L) + 1;
      if (end > 0) {
        assertTrue(next > 0, "partition " + i + " moved (" + end + " records in the target) but has no stored progress");
      }
      assertTrue(next <= end, "partition " + i + ": stored progress beyond the target's records");
      recopy += end - next;
    }
    // the documented bound: per task the record threshold, plus what flow control lets be in flight per partition
    long bound = tasks * ProgressSchedule.MAX_UNSTORED_RECORDS + partitions * 5_000L;
    assertTrue(recopy <= bound, "would re-copy " + recopy + " of " + inTarget + " records; bound " + bound);
    try (RunningMirror m = startMirror(config)) {
      List<ConsumerRecord<byte[], byte[]>> all = awaitRecords(clusters.b(), "A.early", prefilled);
      Await.until("every record in the target", MirrorTestSupport.TIMEOUT, () -> {
        Set<String> keys = new HashSet<>();
        clusters.b().readAllNow("A.early").forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        return keys.size() == prefilled;
      });
      long duplicates = count(clusters.b(), "A.early") - prefilled;
      assertTrue(duplicates <= recopy, "re-copied " + duplicates + " records, more than the " + recopy
          + " beyond the stored progress (" + all.size() + " read)");
    }
  }

  /** Sum over the partitions of topic "loop" of the stored progress (next offset to read). */
  private long storedLoop() {
    return storedProgress(clusters.b(), "A").entrySet().stream()
        .filter(e -> e.getKey().topic().equals("loop")).mapToLong(e -> e.getValue() + 1).sum();
  }

  /**
   * A crash loop (issue 15 item 7): ten short runs under load, each SIGKILLed 1-3 s after its first records landed,
   * with the production flush interval (5 s); up to 5 s later when a run has not stored yet (a starved machine).
   * Every run stores progress (the stored position moves forward each time), so the re-copies stay within the
   * documented bound per run instead of growing with every restart; at the end every produced record is on the
   * target.
   */
  @Test
  void sigkillLoopStoresProgressEveryRunAndRecopiesWithinTheBound() throws Exception {
    int partitions = 3;
    int tasks = 2;
    int runs = 10;
    clusters.a().createTopic("loop", partitions);
    SteadyProducer producer = new SteadyProducer("loop", partitions);
    JsonObject mirror = mirror("A", "B", "loop", tasks);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("offset.flush.interval.ms", 5_000);
    JsonObject config = config(clusters, mirror);
    Path conf = dir.resolve("loop.json");
    Files.writeString(conf, config.encodePrettily());
    java.util.Random random = new java.util.Random(15);
    long storedBefore = 0;
    try {
      for (int run = 0; run < runs; run++) {
        long before = count(clusters.b(), "A.loop");
        Process p = launch(conf, dir.resolve("loop-" + run + ".log"));
        try {
          Await.until("run " + run + ": new records in the target", MirrorTestSupport.TIMEOUT,
              () -> count(clusters.b(), "A.loop") > before);
          Thread.sleep(1_000 + random.nextInt(2_000));
          // a run on a starved machine may not have stored yet (first store 200 ms after its first records, plus
          // the store's own round trip): give it up to 5 s more, so the kill still comes right after a store
          long floor = storedBefore;
          try {
            Await.until("run " + run + ": progress stored", Duration.ofSeconds(5), () -> storedLoop() > floor);
          } catch (AssertionError notYet) {
            // the assertion below reports it, with the run's log
          }
          p.destroyForcibly();
          assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        } finally {
          p.destroyForcibly();
        }
        long stored = storedLoop();
        assertTrue(stored > storedBefore, "run " + run + " stored no progress (" + stored + " <= " + storedBefore
            + "); log:\n" + Files.readString(dir.resolve("loop-" + run + ".log")));
        storedBefore = stored;
      }
    } finally {
      producer.stop();
    }
    assertEquals(0, producer.failed.get(), "test data sends failed");
    int produced = producer.acked.get();
    try (RunningMirror m = startMirror(config)) {
      Await.until("every produced record in the target", MirrorTestSupport.TIMEOUT, () -> {
        Set<String> keys = new HashSet<>();
        clusters.b().readAllNow("A.loop").forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        return keys.size() == produced;
      });
    }
    long duplicates = count(clusters.b(), "A.loop") - produced;
    long bound = runs * (tasks * ProgressSchedule.MAX_UNSTORED_RECORDS + partitions * 5_000L);
    System.out.printf("MirrorProcessIT crash loop: %d produced, %d duplicates after %d SIGKILLs (bound %d)%n",
        produced, duplicates, runs, bound);
    assertTrue(duplicates <= bound, duplicates + " duplicates after " + runs + " SIGKILLs; bound " + bound);
  }

  /**
   * SIGTERM while the target cluster is down: the final progress store cannot succeed, so the exit code is 1 and
   * one line names the flow, what was not stored and what will be mirrored again; no shutdown-race stack trace.
   */
  @Test
  void sigtermWithTheTargetDownExitsNonZeroWithOneLinePerFlow() throws Exception {
    clusters.a().createTopic("down", 2);
    EmbeddedKafkaCluster c = EmbeddedKafkaCluster.start("C");
    SteadyProducer producer = new SteadyProducer("down", 2);
    Path log = dir.resolve("down.log");
    Process p = null;
    try {
      JsonObject config = config(clusters, mirror("A", "C", "down", 1));
      config.getJsonArray("clusters").add(new JsonObject().put("alias", "C").put("bootstrapServers",
          c.bootstrapServers()));
      Path conf = dir.resolve("down.json");
      Files.writeString(conf, config.encodePrettily());
      p = launch(conf, log);
      Await.until("records mirrored to C", MirrorTestSupport.TIMEOUT, () -> count(c, "A.down") > 1000);
      c.close(); // the target goes away while records stream
      Thread.sleep(1_000);
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped; log:\n" + Files.readString(log));
      String out = Files.readString(log);
      assertEquals(1, p.exitValue(), out);
      List<String> lines = out.lines().filter(l -> l.startsWith("A->C: ")).toList();
      assertEquals(1, lines.size(), out);
      assertTrue(lines.get(0).contains("will be mirrored again at the next start"), lines.get(0));
      assertFalse(out.contains("Already undeployed"), out);
    } finally {
      if (p != null) {
        p.destroyForcibly();
      }
      producer.stop();
      c.close();
    }
  }
}
