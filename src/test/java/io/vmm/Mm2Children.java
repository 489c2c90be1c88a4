package io.vmm;

import io.vmm.testkit.Await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Apache Kafka's own MirrorMaker 2 and Kafka Connect as child JVMs for reference tests: the test class path
 * ({@code vmm.test.classpath}, which holds {@code connect-mirror} and {@code connect-runtime}), -Xmx384m, serial GC,
 * C1 only, and a logback configuration of its own (MM2's INFO lines, everything else WARN: a few kB per run), with
 * stdout and stderr in one log file per child under {@link #LOGS}. {@link #close()} stops every child still
 * running. Used from the test thread only.
 */
final class Mm2Children implements AutoCloseable {

  /** Where the children's logs (and the test's properties files) go. */
  static final Path LOGS = Path.of("target", "mm2-reference").toAbsolutePath();
  /** MM2 and Connect start slowly (herders, group joins, rebalances): every wait on a child's work. */
  static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String LOGBACK = """
      <configuration>
        <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
        <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n</pattern></encoder>
        </appender>
        <logger name="org.apache.kafka.connect.mirror" level="INFO"/>
        <logger name="org.apache.kafka.connect.mirror.Scheduler" level="WARN"/>
        <logger name="org.apache.kafka.connect.cli" level="INFO"/>
        <root level="WARN"><appender-ref ref="CONSOLE"/></root>
      </configuration>
      """;

  private final List<Process> children = new ArrayList<>();

  /**
   * One MM2 dedicated-mode properties file (also read by us) for flow A->B of {@code topic} between two single-broker
   * clusters: replication factors 1 for every topic MM2 and its herders create, progress flushed every second,
   * topics refreshed every second, no ACL sync, plugins found without scanning; {@code extra} lines appended.
   */
  static String dedicated(String a, String b, String topic, String extra) {
    return """
        clusters = A, B
        A.bootstrap.servers = %s
        B.bootstrap.servers = %s
        A->B.enabled = true
        A->B.topics = %s
        replication.factor = 1
        offset-syncs.topic.replication.factor = 1
        checkpoints.topic.replication.factor = 1
        heartbeats.topic.replication.factor = 1
        offset.storage.replication.factor = 1
        config.storage.replication.factor = 1
        status.storage.replication.factor = 1
        A.offset.storage.replication.factor = 1
        A.config.storage.replication.factor = 1
        A.status.storage.replication.factor = 1
        B.offset.storage.replication.factor = 1
        B.config.storage.replication.factor = 1
        B.status.storage.replication.factor = 1
        B.offset.flush.interval.ms = 1000
        refresh.topics.interval.seconds = 1
        sync.topic.acls.enabled = false
        # MM2 (its driver, then each herder's worker) finds plugins without scanning the class path: faster start.
        # Ours reports each as ignored (no plugins here).
        plugin.discovery = service_load
        A.plugin.discovery = service_load
        B.plugin.discovery = service_load
        """.formatted(a, b, topic) + extra;
  }

  /** Starts {@code mainClass} with {@code args}; output (stdout and stderr) to {@code log}. */
  Process start(String mainClass, Path log, String... args) throws IOException {
    Files.createDirectories(LOGS);
    Path logback = Files.writeString(LOGS.resolve("logback-child.xml"), LOGBACK);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=" + logback,
        "-cp", Files.readString(Path.of(System.getProperty("vmm.test.classpath"))).trim(), mainClass));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(p);
    return p;
  }

  /** SIGTERM, up to 20 s for a clean stop (MM2 and Connect commit their source offsets), then SIGKILL. */
  static void stop(Process p) throws InterruptedException {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The last 60 lines of a child's log, for assertion messages. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log " + log + ": " + e + ")";
    }
  }

  /**
   * {@link Await#until} for a child's work ({@link #TIMEOUT}); a failure carries the tail of the child's log.
   * {@code log} null: a phase of our in-JVM mirror instead ({@code MirrorTestSupport.TIMEOUT}; its log is the test
   * JVM's output).
   */
  static void await(String what, Path log, BooleanSupplier condition) {
    if (log == null) {
      Await.until(what, MirrorTestSupport.TIMEOUT, condition);
      return;
    }
    try {
      Await.until(what, TIMEOUT, condition);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n--- tail of " + log + ":\n" + tail(log), e);
    }
  }

  /** Stops every child still running, one after the other. */
  @Override
  public void close() throws InterruptedException {
    for (Process p : children) {
      stop(p);
    }
    children.clear();
  }
}
