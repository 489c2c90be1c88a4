package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.ExactlyOnceSupport.MirrorProcess;
import io.vmm.ExactlyOnceSupport.SteadyProducer;
import io.vmm.testkit.ExactlyOnceVerifier;
import io.vmm.testkit.ExactlyOnceVerifier.Report;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.vmm.ExactlyOnceSupport.RECOVERY;
import static io.vmm.ExactlyOnceSupport.awaitEveryPartitionMoved;
import static io.vmm.ExactlyOnceSupport.awaitNewCommitted;
import static io.vmm.ExactlyOnceSupport.exactlyOnceConfig;
import static io.vmm.ExactlyOnceSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long exactly-once tests of issue 16 (tagged {@code long}, left out of the default run; run them with
 * {@code mvn test -Dgroups=long -DexcludedGroups= -Dtest=ExactlyOnceLongIT}), on two in-JVM clusters with
 * {@code exactly.once.source.support: enabled} on target B:
 * <ul>
 *   <li>Cluster mode: three replica processes start together under load; the one with the most source tasks
 *       SIGKILLed mid-stream, then the busiest survivor restarted (SIGTERM, start): the
 *       {@link ExactlyOnceVerifier} finds 0 missing, 0 duplicates, order intact.</li>
 *   <li>Cluster mode, hand-over to a joining member while a new deployment's first transactions are open: the
 *       new owner starts from the committed progress, nothing is copied again.</li>
 *   <li>Take-over by MM2: our exactly-once mirror SIGKILLed, run again and stopped cleanly; Apache Kafka's
 *       MirrorMaker 2 4.1.1 (dedicated mode, at-least-once) started on the same clusters continues from our
 *       committed progress: nothing missing, and nothing before our committed position copied again.</li>
 * </ul>
 */
@Tag("long")
@org.junit.jupiter.api.Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES) // scenarios of minutes
@ExtendWith(TwoClustersExtension.class)
class ExactlyOnceLongIT {

  private static final int PARTITIONS = 6;

  private final TwoClusters clusters;

  /** Child logs and configs, kept after the run: {@code target/eos-it/long-*}. */
  private final Path dir;

  ExactlyOnceLongIT(TwoClusters clusters) throws java.io.IOException {
    this.clusters = clusters;
    this.dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "eos-it").toAbsolutePath()),
        "long-");
  }

  private ExactlyOnceVerifier verifier(String topic, int partitions) {
    return ExactlyOnceVerifier.readCommitted(clusters.b().bootstrapServers(), "A." + topic, partitions);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // ------------------------------------------------------------------------------------------ cluster mode

  /**
   * Three replicas (Hazelcast on loopback, as in {@link ClusterIT}) start together as a new deployment (a progress
   * topic of their own, empty) and share {@value #PARTITIONS} source tasks: units the first member started move to
   * the others as they join, and each new owner must start from what the previous one committed. Then the member
   * running the most source tasks is SIGKILLed mid-stream (its units move; the new owners' producers fence its
   * transactional ids), the member running the most of them afterwards is restarted (SIGTERM: its transactions end
   * cleanly, its units move to the last one), and both start again under load.
   */
  @Test
  void clusterModeReplicaKilledAndAnotherRestarted() throws Exception {
    String topic = "eos-cluster";
    // long transactions: members joining after the first one started its tasks find no committed progress yet
    Path conf = write(dir, "cluster", clusterModeConfig(topic, "C",
        new JsonObject().put("transaction.boundary.interval.ms", 10_000)));
    Map<String, MirrorProcess> members = new TreeMap<>();
    try (SteadyProducer producer = new SteadyProducer(clusters.a().bootstrapServers(), topic, PARTITIONS);
         ExactlyOnceVerifier v = ExactlyOnceVerifier.readCommitted(clusters.b().bootstrapServers(), "C." + topic,
             PARTITIONS)) {
      for (String m : List.of("m1", "m2", "m3")) {
        members.put(m, MirrorProcess.launch(m, conf, dir.resolve(m + ".log"), m));
      }
      awaitEveryPartitionMoved(v, new long[PARTITIONS], 200, "every partition mirrored before the faults");
      Map<String, Integer> owners = sourceTasksPerMember(members.values());
      String victim = busiest(owners);
      System.out.println("ExactlyOnceLongIT cluster mode: source tasks per member " + owners + "; SIGKILL " + victim);
      members.get(victim).kill();
      v.catchUp(Duration.ofSeconds(10));
      awaitEveryPartitionMoved(v, v.readPerPartition(), 1_000, "every partition, " + victim + "'s too, mirrored "
          + "after its SIGKILL");
      List<MirrorProcess> alive = members.values().stream().filter(p -> p.process.isAlive()).toList();
      owners = sourceTasksPerMember(alive);
      String restarted = busiest(owners);
      System.out.println("ExactlyOnceLongIT cluster mode: source tasks per member " + owners + "; restart "
          + restarted);
      assertEquals(0, members.get(restarted).stop(30), restarted + "'s exit code; tail:\n"
          + members.get(restarted).tail(60));
      v.catchUp(Duration.ofSeconds(10));
      awaitEveryPartitionMoved(v, v.readPerPartition(), 1_000, "every partition mirrored by the last member");
      for (String m : List.of(restarted, victim)) {
        members.put(m, MirrorProcess.launch(m, conf, dir.resolve(m + ".log"), m));
      }
      v.catchUp(Duration.ofSeconds(10));
      awaitEveryPartitionMoved(v, v.readPerPartition(), 1_000, "every partition mirrored after " + restarted
          + "'s restart and " + victim + "'s return");
      System.out.println("ExactlyOnceLongIT cluster mode: source tasks per member at the end "
          + sourceTasksPerMember(members.values()));
      int produced = producer.stop();
      Report r = v.awaitComplete(produced, RECOVERY, Duration.ofSeconds(5));
      System.out.println("ExactlyOnceLongIT cluster mode: " + r);
      StringBuilder tails = new StringBuilder();
      members.forEach((name, p) -> tails.append("\n--- tail of ").append(p).append(":\n").append(p.tail(30)));
      assertTrue(r.exact(), r + tails.toString());
    } finally {
      for (MirrorProcess p : members.values()) {
        p.close();
      }
    }
  }

  /**
   * A new cluster-mode deployment (a progress topic of its own, empty) whose first transactions are still open
   * (30 s commit interval, in-flight marks far away): m1 runs every task, m2 joins and takes some over. m1 hands
   * them over with a final commit (the first progress records of the deployment); m2 must start them from that
   * committed progress. Both stop cleanly; the committed records hold no duplicate (records produced after the
   * stops are not mirrored: missing ones are not checked here).
   */
  @Test
  void clusterModeUnitsHandedToAJoiningMemberAreNotCopiedAgain() throws Exception {
    String topic = "eos-join";
    Path conf = write(dir, "join", clusterModeConfig(topic, "D", new JsonObject()
        .put("transaction.boundary.interval.ms", 30_000).put("vmm.inflight.partition.max.records", 100_000)));
    Map<String, MirrorProcess> members = new TreeMap<>();
    try (SteadyProducer producer = new SteadyProducer(clusters.a().bootstrapServers(), topic, PARTITIONS);
         ExactlyOnceVerifier v = ExactlyOnceVerifier.readCommitted(clusters.b().bootstrapServers(), "D." + topic,
             PARTITIONS)) {
      members.put("m1", MirrorProcess.launch("m1", conf, dir.resolve("join-m1.log"), "m1"));
      io.vmm.testkit.Await.until("m1 runs every source task", RECOVERY, () -> members.get("m1")
          .linesContaining("source connector RUNNING with " + PARTITIONS + " tasks").size() > 0);
      v.catchUp(Duration.ofSeconds(5));
      long committedAtJoin = v.read();
      members.put("m2", MirrorProcess.launch("m2", conf, dir.resolve("join-m2.log"), "m2"));
      io.vmm.testkit.Await.until("m2 runs source tasks", RECOVERY, () -> sourceTasksPerMember(members.values(), "D")
          .getOrDefault("m2", 0) > 0);
      Thread.sleep(3_000);
      System.out.println("ExactlyOnceLongIT join: " + committedAtJoin + " records committed when m2 joined; m2 "
          + "started " + members.get("m2").linesContaining("started:"));
      assertEquals(0, members.get("m2").stop(30), "m2's exit code; tail:\n" + members.get("m2").tail(60));
      assertEquals(0, members.get("m1").stop(30), "m1's exit code; tail:\n" + members.get("m1").tail(60));
      v.catchUp(Duration.ofSeconds(20));
      Report r = v.report(producer.acked());
      System.out.println("ExactlyOnceLongIT join: " + r);
      assertEquals(0, r.duplicates(), "records copied again after the hand-over to m2: " + r + "\nm2: "
          + members.get("m2").linesContaining("started:"));
      assertEquals(0, r.orderViolations(), r.toString());
    } finally {
      for (MirrorProcess p : members.values()) {
        p.close();
      }
    }
  }

  /** The member running the most source tasks. */
  private static String busiest(Map<String, Integer> owners) {
    return owners.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /**
   * Source tasks per member (worker_id) from the REST status of one of {@code members} (the port it logged), once
   * all {@value #PARTITIONS} run.
   */
  private static Map<String, Integer> sourceTasksPerMember(java.util.Collection<MirrorProcess> members) {
    return sourceTasksPerMember(members, "C");
  }

  /** {@link #sourceTasksPerMember(java.util.Collection)} of flow {@code <source>->B}. */
  private static Map<String, Integer> sourceTasksPerMember(java.util.Collection<MirrorProcess> members,
                                                           String source) {
    java.util.regex.Pattern port = java.util.regex.Pattern.compile("status page on port (\\d+)");
    Map<String, Integer> result = new TreeMap<>();
    io.vmm.testkit.Await.until("all source tasks RUNNING in the REST status", RECOVERY, () -> {
      for (MirrorProcess p : members) {
        java.util.regex.Matcher m = port.matcher(p.logText());
        int last = -1;
        while (m.find()) {
          last = Integer.parseInt(m.group(1));
        }
        if (last < 0 || !p.process.isAlive()) {
          continue;
        }
        try {
          JsonObject status = new JsonObject(io.vmm.testkit.Http.get(
              "http://127.0.0.1:" + last + "/connectors/" + source + "-%3EB.MirrorSourceConnector/status").body());
          Map<String, Integer> count = new TreeMap<>();
          int running = 0;
          for (Object t : status.getJsonArray("tasks")) {
            JsonObject task = (JsonObject) t;
            if ("RUNNING".equals(task.getString("state"))) {
              running++;
              count.merge(task.getString("worker_id"), 1, Integer::sum);
            }
          }
          if (running == PARTITIONS) {
            result.putAll(count);
            return true;
          }
        } catch (Exception | AssertionError e) {
          // not answering yet: the next member, or the next poll
        }
      }
      return false;
    });
    return result;
  }

  /**
   * Creates {@code topic} on A and returns an exactly-once cluster-mode config for it (six Hazelcast ports from a
   * free one): cluster A under the alias {@code alias}, so its progress topic ({@code mm2-offsets.<alias>.internal})
   * is new whatever ran before, as when a new deployment starts; {@code sourceSettings} added to the source
   * connector's config.
   */
  private JsonObject clusterModeConfig(String topic, String alias, JsonObject sourceSettings) throws Exception {
    clusters.a().createTopic(topic, PARTITIONS);
    int hzPort = freePort();
    List<String> hzMembers = new ArrayList<>();
    for (int p = hzPort; p < hzPort + 6; p++) {
      hzMembers.add("127.0.0.1:" + p);
    }
    JsonObject config = exactlyOnceConfig(clusters.a().bootstrapServers(), clusters.b().bootstrapServers(), topic,
        PARTITIONS);
    config.getJsonArray("clusters").getJsonObject(0).put("alias", alias);
    config.getJsonArray("mirrors").getJsonObject(0).put("sourceCluster", alias);
    config.getJsonArray("mirrors").getJsonObject(0).getJsonObject("sourceConnector").getJsonObject("config")
        .mergeIn(sourceSettings);
    return config.put("cluster", new JsonObject().put("enabled", true).put("name", "vmm-eos-" + hzPort)
        .put("host", "127.0.0.1").put("port", hzPort).put("members", new JsonArray(hzMembers)));
  }

  // ------------------------------------------------------------------------------------------ MM2 take-over

  /**
   * One MM2 properties file: ours reads it with {@code B.exactly.once.source.support = enabled} added (MM2's
   * scoping), MM2 without it (at-least-once, no internal REST server needed). Ours runs as a child process and is
   * SIGKILLed (a transaction, progress records included, left open), runs again (its producers abort that
   * transaction) and stops cleanly; then MM2 continues while the load goes on. MM2 reads the progress topic
   * read_uncommitted: the aborted progress records come before the committed ones, so the last value per
   * partition it reads is our committed position.
   */
  @Test
  void mm2TakesOverFromTheCommittedProgress() throws Exception {
    String topic = "eos-mm2";
    int partitions = 3;
    clusters.a().createTopic(topic, partitions);
    String mm2Properties = Mm2Children.dedicated(clusters.a().bootstrapServers(), clusters.b().bootstrapServers(),
        topic, "");
    Path mm2File = Files.writeString(dir.resolve("mm2.properties"), mm2Properties);
    Path oursFile = Files.writeString(dir.resolve("ours.properties"), mm2Properties
        + "B.exactly.once.source.support = enabled\n");
    JsonObject ours = MirrorMain.load(oursFile.toString());
    ours.put("http", new JsonObject().put("port", 0)).put("metrics", new JsonObject().put("port", 0));
    Path oursConf = write(dir, "ours", ours);
    try (SteadyProducer producer = new SteadyProducer(clusters.a().bootstrapServers(), topic, partitions);
         ExactlyOnceVerifier v = verifier(topic, partitions);
         Mm2Children children = new Mm2Children()) {
      try (MirrorProcess killed = MirrorProcess.launch("ours-1", oursConf, dir.resolve("ours-1.log"), null)) {
        awaitNewCommitted(v, 2_000, "ours commits records", killed);
        Thread.sleep(1_500);
        killed.kill();
      }
      try (MirrorProcess clean = MirrorProcess.launch("ours-2", oursConf, dir.resolve("ours-2.log"), null)) {
        v.catchUp(Duration.ofSeconds(10));
        awaitNewCommitted(v, v.read() + 3_000, "ours, run again, commits records", clean);
        assertEquals(0, clean.stop(30), "our clean stop's exit code; tail:\n" + clean.tail(60));
      }
      v.catchUp(Duration.ofSeconds(10));
      Report byOurs = v.report(producer.acked());
      assertEquals(0, byOurs.duplicates(), "ours: " + byOurs);
      long oursCopied = v.read();
      Path log = dir.resolve("mm2.log");
      Process mm2 = children.start("org.apache.kafka.connect.mirror.MirrorMaker", log, mm2File.toString());
      Mm2Children.await("MM2 copies records after ours", log, () -> {
        v.catchUp(Duration.ofSeconds(5));
        return v.read() > oursCopied + 3_000;
      });
      int produced = producer.stop();
      Report r = v.awaitComplete(produced, Mm2Children.TIMEOUT, Duration.ofSeconds(5));
      Mm2Children.stop(mm2);
      System.out.println("ExactlyOnceLongIT MM2 take-over: ours committed " + oursCopied + " records; " + r);
      assertEquals(0, r.missing(), "MM2 skipped records after our committed position: " + r + "\n--- tail of "
          + log + ":\n" + Mm2Children.tail(log));
      assertEquals(0, r.duplicates(), "MM2 copied again records before our committed position: " + r);
      assertTrue(r.exact(), r.toString());
    }
  }
}
