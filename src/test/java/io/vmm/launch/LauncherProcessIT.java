package io.vmm.launch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher as a real process, no Kafka needed: without JVM flags the mirror runs in a second JVM with
 * {@link JvmDefaults#FLAGS} (its own input arguments, printed with {@code VMM_PRINT_JVM=1}, and its command line in
 * /proc), exit code 2 of a configuration error passes through, any heap flag or {@code VMM_JVM_DEFAULTS=off} runs
 * it in the first JVM, and a SIGTERM to the launcher stops the mirror within seconds with the mirror's exit code.
 */
class LauncherProcessIT {

  /** SIGTERM to the launcher's exit: the mirror's prompt stop (PromptStopIT: about 1 s) plus two JVM exits. */
  private static final long EXIT_WITHIN_MS = 4_000;

  @TempDir
  Path dir;

  private Process launch(List<String> jvmFlags, Map<String, String> env, Path conf, Path log) throws Exception {
    String classpath = System.getProperty("vmm.classes") + File.pathSeparator
        + Files.readString(Path.of(System.getProperty("vmm.test.classpath"))).trim();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", classpath, Launcher.class.getName(), "-conf", conf.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "VMM_JVM_DEFAULTS"));
    pb.environment().put("VMM_PRINT_JVM", "1");
    pb.environment().putAll(env);
    return pb.start();
  }

  private Path badConfig() throws Exception {
    Path conf = dir.resolve("bad.yaml");
    Files.writeString(conf, "clusters:\n  - alias: A\n    bootstrapServers: 127.0.0.1:1\nmirrors:\n"
        + "  - sourceCluster: A\n    targetCluster: X\n");
    return conf;
  }

  /** Runs to its exit (config error) and returns the output; asserts exit code 2 and the problem's line. */
  private String runBadConfig(List<String> jvmFlags, Map<String, String> env) throws Exception {
    Path log = dir.resolve("bad.log");
    Process p = launch(jvmFlags, env, badConfig(), log);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits");
    String out = Files.readString(log);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("mirrors[0].targetCluster: unknown cluster alias \"X\"; clusters[] has A"), out);
    return out;
  }

  private static long launcherLines(String out) {
    return out.lines().filter(l -> l.startsWith("vmm launcher:")).count();
  }

  @Test
  void withoutFlagsTheMirrorRunsWithTheDefaultsAndExitCode2PassesThrough() throws Exception {
    String out = runBadConfig(List.of(), Map.of());
    assertTrue(out.contains("vmm launcher: starting a JVM with " + JvmDefaults.FLAGS + " (no heap, GC or JIT flag set)"), out);
    List<String> childArgs = new ArrayList<>(JvmDefaults.FLAGS);
    childArgs.add(JvmDefaults.MARKER);
    assertTrue(out.contains("vmm launcher: running in this JVM (started by the launcher); JVM arguments: " + childArgs), out);
    assertEquals(2, launcherLines(out), out);
  }

  @Test
  void aHeapFlagRunsTheMirrorInThisJvm() throws Exception {
    String out = runBadConfig(List.of("-Xmx256m"), Map.of());
    assertTrue(out.contains("vmm launcher: running in this JVM (-Xmx256m is set); JVM arguments: [-Xmx256m]"), out);
    assertEquals(1, launcherLines(out), out);
  }

  @Test
  void optOutByEnvironment() throws Exception {
    String out = runBadConfig(List.of(), Map.of("VMM_JVM_DEFAULTS", "off"));
    assertTrue(out.contains("vmm launcher: running in this JVM (VMM_JVM_DEFAULTS=off); JVM arguments: []"), out);
    assertEquals(1, launcherLines(out), out);
  }

  /** A port nothing listens on. */
  private static String closedAddress() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void sigtermToTheLauncherStopsTheMirrorWithItsExitCode() throws Exception {
    JsonObject flow = new JsonObject().put("sourceCluster", "A").put("targetCluster", "B").put("topicsPattern", "t.*")
        .put("sourceConnector", new JsonObject().put("config", new JsonObject().put("admin.timeout.ms", 60_000)));
    JsonObject config = new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", closedAddress()))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", closedAddress())))
        .put("mirrors", new JsonArray().add(flow))
        .put("http", new JsonObject().put("port", 0))
        .put("metrics", new JsonObject().put("port", 0));
    Path conf = dir.resolve("mirror.json");
    Files.writeString(conf, config.encodePrettily());
    Path log = dir.resolve("mirror.log");
    Process p = launch(List.of(), Map.of(), conf, log);
    try {
      Await.until("the mirror starts its flow", Duration.ofSeconds(60), () -> read(log).contains("starting 1 flow(s)"));
      Thread.sleep(1_000); // discovery's admin calls in flight, as in PromptStopIT
      List<ProcessHandle> children = p.toHandle().children().toList();
      assertEquals(1, children.size(), "one mirror JVM: " + children);
      ProcessHandle child = children.get(0);
      // what the kernel has as the child's command line (/proc/<pid>/cmdline)
      List<String> childCommand = List.of(Files.readString(Path.of("/proc", String.valueOf(child.pid()), "cmdline"))
          .split("\0"));
      assertTrue(childCommand.containsAll(JvmDefaults.FLAGS) && childCommand.contains(JvmDefaults.MARKER), childCommand.toString());
      long sent = System.nanoTime();
      p.destroy(); // SIGTERM to the launcher only
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits; log:\n" + read(log));
      long exitMs = (System.nanoTime() - sent) / 1_000_000;
      String out = read(log);
      assertEquals(0, p.exitValue(), "the mirror's clean-stop code, not 143:\n" + out);
      assertTrue(out.contains("stop requested"), "the mirror got the stop:\n" + out);
      assertFalse(child.isAlive(), "the mirror JVM exited");
      assertFalse(out.contains("\tat "), "no stack trace:\n" + out);
      assertTrue(exitMs < EXIT_WITHIN_MS, "exited " + exitMs + " ms after SIGTERM; log:\n" + out);
      System.out.println("launcher exited " + exitMs + " ms after SIGTERM");
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
