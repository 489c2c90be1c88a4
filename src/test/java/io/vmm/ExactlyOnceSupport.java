package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.testkit.Await;
import io.vmm.testkit.ExactlyOnceVerifier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;

/**
 * Shared parts of the exactly-once fault tests (issue 16): the config with the switch on, the mirror as a child
 * process with signals, and a steady idempotent producer whose keys the {@link ExactlyOnceVerifier} checks.
 */
final class ExactlyOnceSupport {

  /** The commit interval of the tests' mirrors ({@code transaction.boundary.interval.ms}), ms. */
  static final long COMMIT_INTERVAL_MS = 500;
  /** Wait for a mirror to catch up after a fault. */
  static final Duration RECOVERY = Duration.ofSeconds(120);

  private ExactlyOnceSupport() {
  }

  /**
   * Clusters A and B at the given bootstrap servers, one flow A->B of {@code topic} with {@code tasks} source tasks,
   * and {@code exactly.once.source.support: enabled} in B's config (the switch), commits every
   * {@link #COMMIT_INTERVAL_MS}.
   */
  static JsonObject exactlyOnceConfig(String a, String b, String topic, int tasks) {
    JsonObject mirror = mirror("A", "B", topic, tasks);
    mirror.getJsonObject("sourceConnector").getJsonObject("config")
        .put("transaction.boundary.interval.ms", COMMIT_INTERVAL_MS);
    JsonObject config = config(a, b, mirror);
    config.getJsonArray("clusters").getJsonObject(1)
        .put("config", new JsonObject().put("exactly.once.source.support", "enabled"));
    return config;
  }

  /** Writes {@code config} to {@code dir/name.json}. */
  static Path write(Path dir, String name, JsonObject config) throws IOException {
    return Files.writeString(dir.resolve(name + ".json"), config.encodePrettily());
  }

  // ------------------------------------------------------------------------------------------------ processes

  /** The mirror ({@link MirrorMain}) as a child JVM; output to one log file (appended). */
  static final class MirrorProcess implements AutoCloseable {
    final String name;
    final Path log;
    final Process process;

    private MirrorProcess(String name, Path log, Process process) {
      this.name = name;
      this.log = log;
      this.process = process;
    }

    /**
     * Starts {@code java ... MirrorMain -conf <conf>}; {@code member} non-null sets {@code VMM_MEMBER_NAME} (cluster
     * mode). A JVM shutdown hook kills it if the test leaves it running.
     */
    static MirrorProcess launch(String name, Path conf, Path log, String member) throws IOException {
      String classpath = System.getProperty("vmm.classes") + File.pathSeparator
          + Files.readString(Path.of(System.getProperty("vmm.test.classpath"))).trim();
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, MirrorMain.class.getName(),
          "-conf", conf.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      if (member != null) {
        pb.environment().put("VMM_MEMBER_NAME", member);
      }
      Process p = pb.start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
      return new MirrorProcess(name, log, p);
    }

    long pid() {
      return process.pid();
    }

    /** {@code kill -<signal> <pid>}, e.g. STOP, CONT. */
    void signal(String signal) throws Exception {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
      }
    }

    /** SIGKILL; waits until it is gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM and up to {@code seconds} for the drain; returns the exit code (SIGKILL and -1 after that). */
    int stop(int seconds) throws InterruptedException {
      if (!process.isAlive()) {
        return process.exitValue();
      }
      process.destroy();
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        kill();
        return -1;
      }
      return process.exitValue();
    }

    String logText() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        return "(no log " + log + ": " + e + ")";
      }
    }

    /** Lines of the log containing {@code text}, case-insensitive. */
    List<String> linesContaining(String text) {
      String t = text.toLowerCase(java.util.Locale.ROOT);
      return logText().lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains(t)).toList();
    }

    /** The last {@code n} lines of the log. */
    String tail(int n) {
      List<String> lines = logText().lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    @Override
    public void close() throws Exception {
      try {
        signal("CONT"); // a frozen process cannot handle SIGTERM
      } catch (Exception ignored) {
        // not running
      }
      stop(20);
    }

    @Override
    public String toString() {
      return name + " (pid " + process.pid() + ", log " + log + ")";
    }
  }

  /** Waits until the verifier has read more than {@code before} committed records (the verifier catches up). */
  static void awaitNewCommitted(ExactlyOnceVerifier v, long before, String what, MirrorProcess m) {
    try {
      Await.until(what, RECOVERY, () -> {
        v.catchUp(Duration.ofSeconds(5));
        return v.read() > before;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + (m == null ? "" : "\n--- tail of " + m + ":\n" + m.tail(80)), e);
    }
  }

  /**
   * Waits until every partition holds at least {@code more} committed records beyond {@code before} (a
   * {@link ExactlyOnceVerifier#readPerPartition()} snapshot): every task mirrors, wherever it runs now.
   */
  static void awaitEveryPartitionMoved(ExactlyOnceVerifier v, long[] before, long more, String what) {
    Await.until(what, RECOVERY, () -> {
      v.catchUp(Duration.ofSeconds(5));
      long[] now = v.readPerPartition();
      for (int p = 0; p < before.length; p++) {
        if (now[p] < before[p] + more) {
          return false;
        }
      }
      return true;
    });
  }

  // ------------------------------------------------------------------------------------------------ load

  /**
   * Writes keys {@code k0, k1, ...} (key {@code k<i>} to partition {@code i % partitions}) until stopped, about
   * 2,500 records/s, with an idempotent producer ({@code acks=all}, one request in flight, retries through a broker
   * outage up to 120 s),
   * so the source holds every key once and in order; counts acknowledged and failed sends.
   */
  static final class SteadyProducer implements AutoCloseable {
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicInteger acked = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger sent = new AtomicInteger();
    private final Thread thread;

    SteadyProducer(String bootstrapServers, String topic, int partitions) {
      thread = new Thread(() -> {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // one request in flight: a retried first batch of a new partition (NOT_LEADER_OR_FOLLOWER right after the
        // topic was created) cannot be overtaken by the next one (endless OUT_OF_ORDER_SEQUENCE_NUMBER retries)
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(c)) {
          for (int i = 0; producing.get(); i++) {
            p.send(new ProducerRecord<>(topic, i % partitions, ("k" + i).getBytes(StandardCharsets.UTF_8),
                ("v" + i).getBytes(StandardCharsets.UTF_8)), (md, e) -> (e == null ? acked : failed).incrementAndGet());
            sent.incrementAndGet();
            if (i % 100 == 99) {
              Thread.sleep(40);
            }
          }
          p.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, topic + "-producer");
      thread.setDaemon(true);
      thread.start();
    }

    int acked() {
      return acked.get();
    }

    /** Stops producing, flushes, and returns the number of keys produced ({@code k0..k<n-1>}); all acknowledged. */
    int stop() throws InterruptedException {
      producing.set(false);
      thread.join(150_000);
      if (failed.get() != 0 || acked.get() != sent.get()) {
        throw new AssertionError("test data: " + sent.get() + " sent, " + acked.get() + " acknowledged, "
            + failed.get() + " failed");
      }
      return acked.get();
    }

    @Override
    public void close() throws InterruptedException {
      producing.set(false);
      thread.join(150_000);
    }
  }
}
