package io.vmm.launch;

import io.vmm.config.Environment;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's decision (JVM arguments + environment + program arguments) and the command it starts. */
class JvmDefaultsTest {

  private static final Environment NONE = new Environment(Map.of());
  private static final String[] CONF = {"-conf", "mirror.json"};

  private static JvmDefaults.Decision decide(List<String> jvm, Map<String, String> env, String... args) {
    return JvmDefaults.decide(jvm, new Environment(env), args.length == 0 ? CONF : args);
  }

  @Test
  void noFlagsReexecutes() {
    JvmDefaults.Decision d = decide(List.of(), Map.of());
    assertTrue(d.reexec(), d.reason());
    // flags that are neither heap, GC nor JIT ones change nothing
    assertTrue(decide(List.of("-Dfoo=bar", "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Xss1m",
        "-XX:+UseGCOverheadLimit", "-XX:+HeapDumpOnOutOfMemoryError"), Map.of()).reexec());
  }

  @Test
  void anyHeapGcOrJitFlagRunsInThisJvm() {
    for (String flag : List.of("-Xmx256m", "-Xms64m", "-Xmn32m", "-XX:MaxHeapSize=1g", "-XX:InitialHeapSize=64m",
        "-XX:MaxRAMPercentage=50.0", "-XX:InitialRAMPercentage=5", "-XX:MinRAMPercentage=10", "-XX:MaxRAM=2g",
        "-XX:+UseSerialGC", "-XX:+UseG1GC", "-XX:+UseZGC", "-XX:+UseParallelGC", "-XX:-UseG1GC",
        "-XX:+UseShenandoahGC", "-XX:TieredStopAtLevel=1", "-XX:-TieredCompilation", "-Xint", "-Xcomp",
        "-XX:Flags=.hotspotrc", "-XX:VMOptionsFile=vm.options")) {
      JvmDefaults.Decision d = decide(List.of("-Dx=y", flag), Map.of());
      assertFalse(d.reexec(), flag);
      assertEquals(flag + " is set", d.reason());
    }
  }

  @Test
  void environmentOptsOut() {
    assertEquals(new JvmDefaults.Decision(false, "VMM_JVM_DEFAULTS=off"), decide(List.of(), Map.of("VMM_JVM_DEFAULTS", "off")));
    assertFalse(decide(List.of(), Map.of("VMM_JVM_DEFAULTS", " OFF ")).reexec());
    assertTrue(decide(List.of(), Map.of("VMM_JVM_DEFAULTS", "on")).reexec());
    assertEquals(new JvmDefaults.Decision(false, "JAVA_TOOL_OPTIONS is set"),
        decide(List.of(), Map.of("JAVA_TOOL_OPTIONS", "-Dfile.encoding=UTF-8")));
    assertEquals(new JvmDefaults.Decision(false, "JDK_JAVA_OPTIONS is set"),
        decide(List.of(), Map.of("JDK_JAVA_OPTIONS", "-Xmx1g")));
    assertTrue(decide(List.of(), Map.of("JAVA_TOOL_OPTIONS", " ")).reexec(), "blank counts as unset");
  }

  @Test
  void theLaunchedJvmNeverLaunchesAnother() {
    List<String> child = JvmDefaults.command("java", List.of(), "cp", "io.vmm.launch.Launcher", "M", CONF)
        .subList(1, 1 + JvmDefaults.FLAGS.size() + 1);
    assertEquals(new JvmDefaults.Decision(false, "started by the launcher"), decide(child, Map.of()));
    assertFalse(decide(List.of(JvmDefaults.MARKER), Map.of()).reexec(), "the marker alone suffices");
  }

  @Test
  void agentsAndCommandsWithoutAMirrorRunInThisJvm() {
    assertEquals("an agent is attached", decide(List.of("-agentlib:jdwp=transport=dt_socket,server=y,address=5005"),
        Map.of()).reason());
    assertFalse(decide(List.of("-javaagent:otel.jar"), Map.of()).reexec());
    for (String arg : List.of("--help", "--validate", "--print-config")) {
      assertEquals(arg + " runs no mirror", decide(List.of(), Map.of(), "-conf", "m.json", arg).reason());
    }
  }

  @Test
  void commandKeepsTheJvmArgumentsAndTheJarOrClassPath() {
    String[] args = {"-conf", "my mirror.json"};
    assertEquals(List.of("/j/bin/java", "-Dlogback.configurationFile=l.xml", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", JvmDefaults.MARKER, "-jar", "target/vertx-mirror-maker.jar", "-conf",
            "my mirror.json"),
        JvmDefaults.command("/j/bin/java", List.of("-Dlogback.configurationFile=l.xml"), "target/vertx-mirror-maker.jar",
            "target/vertx-mirror-maker.jar -conf my mirror.json", "io.vmm.launch.Launcher", args));
    String cp = "a.jar" + File.pathSeparator + "classes";
    assertEquals(List.of("java", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", JvmDefaults.MARKER,
            "-cp", cp, "io.vmm.launch.Launcher", "-conf", "my mirror.json"),
        JvmDefaults.command("java", List.of(), cp, "io.vmm.launch.Launcher -conf my mirror.json", "io.vmm.launch.Launcher", args));
    // a one-jar class path started with -cp (not -jar) runs the main class with -cp
    assertEquals(List.of("-cp", "x.jar", "io.vmm.launch.Launcher"),
        JvmDefaults.command("java", List.of(), "x.jar", "io.vmm.launch.Launcher", "io.vmm.launch.Launcher", new String[0])
            .subList(JvmDefaults.FLAGS.size() + 2, JvmDefaults.FLAGS.size() + 5));
  }

  @Test
  void theReadmeStatesTheseFlags() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertTrue(readme.contains(String.join(" ", JvmDefaults.FLAGS)), "README names " + JvmDefaults.FLAGS);
  }
}
