package io.vmm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.mirror;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, prompt stops: a mirror process whose source or target cluster is unreachable (bootstrap on a closed
 * port) acts on SIGTERM within about a second, whether the signal comes during start-up and discovery (admin calls
 * bounded by {@code admin.timeout.ms} in flight) or during the flow-start retry backoff; it exits 0 (nothing was
 * started that needed storing) without a stack trace.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class PromptStopIT {

  /** SIGTERM to exit, allowing for the child JVM's own exit after the stop (the stop itself is about 1 s). */
  private static final long EXIT_WITHIN_MS = 3_000;

  private final TwoClusters clusters;

  @TempDir
  Path dir;

  PromptStopIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private Process launch(Path conf, Path log) throws Exception {
    String classpath = System.getProperty("vmm.classes") + File.pathSeparator
        + Files.readString(Path.of(System.getProperty("vmm.test.classpath"))).trim();
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, MirrorMain.class.getName(),
        "-conf", conf.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** A port nothing listens on: connections to it are refused. */
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Clusters A and B, one of them (by alias) replaced by a closed port; one flow A->B with a short admin timeout. */
  private JsonObject config(String unreachable, long adminTimeoutMs) throws Exception {
    String dead = "127.0.0.1:" + closedPort();
    JsonObject flow = mirror("A", "B", "prompt.*", 1);
    flow.getJsonObject("sourceConnector").getJsonObject("config").put("admin.timeout.ms", adminTimeoutMs);
    return new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A")
                .put("bootstrapServers", unreachable.equals("A") ? dead : clusters.a().bootstrapServers()))
            .add(new JsonObject().put("alias", "B")
                .put("bootstrapServers", unreachable.equals("B") ? dead : clusters.b().bootstrapServers())))
        .put("mirrors", new JsonArray(List.of(flow)))
        .put("http", new JsonObject().put("port", 0))
        .put("metrics", new JsonObject().put("port", 0));
  }

  /**
   * Launches the mirror, waits until its supervisor starts (signal handlers installed) and then until
   * {@code signalAfterMs} after launch and {@code logged} is in its log, sends SIGTERM and returns the ms to exit
   * (asserted below {@link #EXIT_WITHIN_MS}, exit code 0, no stack trace, no blocked thread).
   */
  private long sigtermAndTimeExit(JsonObject config, long signalAfterMs, String logged) throws Exception {
    return sigtermAndTimeExit(config, signalAfterMs, logged, 0);
  }

  /** As above, and at least {@code afterLoggedMs} after {@code logged} appeared. */
  private long sigtermAndTimeExit(JsonObject config, long signalAfterMs, String logged, long afterLoggedMs)
      throws Exception {
    Path conf = dir.resolve("mirror.json");
    Files.writeString(conf, config.encodePrettily());
    Path log = dir.resolve("mirror.log");
    long launched = System.nanoTime();
    Process p = launch(conf, log);
    try {
      Await.until("the mirror starts its flows", Duration.ofSeconds(60),
          () -> read(log).contains("starting 1 flow(s)"));
      Await.until("the mirror logs: " + logged, Duration.ofSeconds(60), () -> read(log).contains(logged));
      Thread.sleep(afterLoggedMs);
      long wait = signalAfterMs - (System.nanoTime() - launched) / 1_000_000;
      if (wait > 0) {
        Thread.sleep(wait);
      }
      assertTrue(p.isAlive(), "still running before SIGTERM:\n" + Files.readString(log));
      long sent = System.nanoTime();
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits; log:\n" + Files.readString(log));
      long exitMs = (System.nanoTime() - sent) / 1_000_000;
      String out = Files.readString(log);
      assertEquals(0, p.exitValue(), out);
      assertFalse(out.contains("\tat "), "no stack trace in the output:\n" + out);
      assertFalse(out.contains("has been blocked"), "blocked-thread warning in the mirror log:\n" + out);
      assertTrue(exitMs < EXIT_WITHIN_MS, "exited " + exitMs + " ms after SIGTERM; log:\n" + out);
      System.out.println("exited " + exitMs + " ms after SIGTERM; mirror log:\n" + out);
      return exitMs;
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void sigtermDuringStartUpWithTheSourceUnreachableExitsAtOnce() throws Exception {
    // 2 s after launch: the supervisor is starting (endpoints binding, discovery's admin clients being created)
    sigtermAndTimeExit(config("A", 60_000), 2_000, "starting 1 flow(s)");
  }

  @Test
  void sigtermDuringDiscoveryWithTheTargetUnreachableExitsAtOnce() throws Exception {
    clusters.a().createTopic("prompt.t", 1);
    // admin.timeout.ms 60 s (MM2's default): before prompt stops, the stop waited behind this discovery's calls
    sigtermAndTimeExit(config("B", 60_000), 0, "REST API, health and status page", 1_000);
  }

  @Test
  void sigtermInTheFlowStartBackoffExitsAtOnce() throws Exception {
    // admin calls fail after 2 s: two attempts fail, the second retry waits 10 s (RetryPolicy.FLOW_START)
    sigtermAndTimeExit(config("A", 2_000), 15_000, "will retry in 10 s", 1_000);
  }
}
