package io.vmm.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A single-node KRaft Kafka 4.1.1 cluster (combined broker + controller) in a <b>child JVM</b>, for fault tests
 * that kill, stop or freeze a broker (kafka-test-harness.md §5): {@link #kill()} is SIGKILL, {@link #stop()}
 * SIGTERM (a graceful shutdown), {@link #freeze()} / {@link #thaw()} SIGSTOP / SIGCONT, and {@link #start()} starts
 * it again on the same ports and data directory, so clients reconnect to the same address and nothing stored is
 * lost.
 * <p>
 * Settings: those of {@link EmbeddedKafkaCluster} (replication factors 1, 2 MiB dedupe buffer, no auto-created
 * topics) plus {@code broker.session.timeout.ms=3000} / {@code broker.heartbeat.interval.ms=500}, so a restart
 * after SIGKILL is ready in about 5 s instead of 12 s. Output goes to {@code <dir>/broker.log}; the class path is
 * the test class path ({@code vmm.test.classpath}). A JVM shutdown hook kills a child left running.
 * <p>
 * All methods block and are meant for test threads. Not thread-safe.
 */
public final class ChildBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChildBroker.class);
  private static final String HOST = "127.0.0.1";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(45);

  private final String name;
  private final Path dir;
  private final Path properties;
  private final Path log;
  private final int port;
  private Process process;
  private Admin admin;

  private ChildBroker(String name, Path dir, int port, int controllerPort, Map<String, String> extra)
      throws IOException {
    this.name = name;
    this.dir = dir;
    this.port = port;
    this.log = dir.resolve("broker.log");
    Map<String, String> props = new LinkedHashMap<>(EmbeddedKafkaCluster.singleNodeSettings());
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    props.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", dir.resolve("data").toString());
    props.put("broker.session.timeout.ms", "3000");
    props.put("broker.heartbeat.interval.ms", "500");
    props.putAll(extra);
    StringBuilder sb = new StringBuilder();
    props.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    this.properties = Files.writeString(dir.resolve("server.properties"), sb.toString());
  }

  /**
   * Formats a new data directory under {@code parent} and starts the broker; returns once it answers.
   *
   * @param extra broker properties over the defaults (e.g. {@code message.max.bytes})
   */
  public static ChildBroker start(String name, Path parent, Map<String, String> extra) throws Exception {
    Path dir = Files.createDirectories(parent.resolve(name));
    int[] ports = freePorts(2);
    ChildBroker b = new ChildBroker(name, dir, ports[0], ports[1], extra);
    Process format = new ProcessBuilder(java(), "-Xmx128m", "-XX:+UseSerialGC", "-cp", classpath(),
        "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", b.properties.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(b.log.toFile())).start();
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      throw new IllegalStateException("formatting " + name + " failed; see " + b.log);
    }
    b.start();
    return b;
  }

  /** Starts the broker process (again) on the same ports and data; returns once it answers metadata requests. */
  public void start() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is running");
    }
    long t0 = System.nanoTime();
    process = new ProcessBuilder(java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        classpath(), "kafka.Kafka", properties.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Process p = process;
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    Await.until(name + " ready at " + bootstrapServers() + " (log " + log + ")", READY_TIMEOUT, () -> {
      if (!p.isAlive()) {
        throw new IllegalStateException(name + " exited with " + p.exitValue() + "; see " + log);
      }
      return ready();
    });
    LOG.info("child broker {} ready at {} in {} ms (pid {})", name, bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), p.pid());
  }

  private boolean ready() {
    try {
      return !admin().describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  /** SIGTERM: a graceful shutdown (controlled, leaders moved, logs flushed); waits until the process ended. */
  public void stop() throws InterruptedException {
    end(false);
  }

  /** SIGKILL: the process dies at once (the page cache keeps what it had written). */
  public void kill() throws InterruptedException {
    end(true);
  }

  private void end(boolean force) throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    if (force) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    LOG.info("child broker {} {} (exit {})", name, force ? "killed" : "stopped", process.exitValue());
  }

  /** SIGSTOP: the process is frozen; connections stay open but nothing answers. */
  public void freeze() throws Exception {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() throws Exception {
    signal("CONT");
  }

  private void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
    }
    LOG.info("child broker {} SIG{}", name, signal);
  }

  /** {@code 127.0.0.1:<port>}: stays the same across restarts. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** A cached admin client of this broker (short timeouts); it reconnects by itself after a restart. */
  public Admin admin() {
    if (admin == null) {
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000));
    }
    return admin;
  }

  /** The broker's output so far (last {@code lines} lines), for assertion messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    if (admin != null) {
      admin.close(Duration.ofSeconds(1));
      admin = null;
    }
    kill();
  }

  @Override
  public String toString() {
    return name + "@" + bootstrapServers();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String classpath() throws IOException {
    return Files.readString(Path.of(System.getProperty("vmm.test.classpath"))).trim();
  }

  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
