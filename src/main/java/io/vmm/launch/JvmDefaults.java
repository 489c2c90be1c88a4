package io.vmm.launch;

import io.vmm.config.Environment;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The recommended JVM flags ({@link #FLAGS}, the README's "JVM settings") and the launcher's decision whether to
 * start a JVM with them: a pure function of the JVM's input arguments, the environment and the program arguments.
 * After Elasticsearch's launcher: a user who chose any heap, GC or JIT flag keeps exactly the JVM they started.
 * Stateless and thread-safe.
 */
public final class JvmDefaults {

  /**
   * The recommended flags: a 128 MB heap, the serial GC, C1 only, and exit (code 3) on the first
   * OutOfMemoryError, so a replica out of memory restarts instead of stalling with a dead Kafka client thread
   * (README: "JVM settings").
   */
  public static final List<String> FLAGS = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-XX:+ExitOnOutOfMemoryError");
  /** Set on the JVM the launcher starts: it runs the mirror in itself, never starts another. */
  public static final String MARKER = "-Dvmm.jvm.defaults=applied";

  /** Heap (-Xmx, -Xms, -Xmn, *HeapSize, *RAM*), GC (-XX:±Use...GC), JIT and options-file flags. */
  private static final Pattern CHOSEN = Pattern.compile("-Xm[xsn].*"
      + "|-XX:\\w*(HeapSize|RAM|RAMPercentage|RAMFraction)=.*|-XX:[+-]Use\\w*GC|-XX:TieredStopAtLevel=.*"
      + "|-XX:[+-]TieredCompilation|-Xint|-Xcomp|-XX:(Flags|VMOptionsFile)=.*");
  private static final Pattern AGENT = Pattern.compile("-agentlib:.*|-agentpath:.*|-javaagent:.*");
  private static final List<String> NO_MIRROR = List.of("--help", "-h", "-help", "--validate", "--print-config");

  private JvmDefaults() {
  }

  /**
   * Whether to start a new JVM with {@link #FLAGS} ({@code reexec}) or run the mirror in this one, and why (one
   * phrase, e.g. {@code "-Xmx256m is set"}).
   */
  public record Decision(boolean reexec, String reason) {
  }

  /**
   * The decision, first rule that applies: already started by the launcher ({@link #MARKER}); opted out by
   * {@code VMM_JVM_DEFAULTS=off}; {@code JAVA_TOOL_OPTIONS} or {@code JDK_JAVA_OPTIONS} set; a heap, GC or JIT
   * flag among {@code jvmArguments}; a debug or Java agent attached (it would attach twice); {@code --help},
   * {@code --validate} or {@code --print-config} (no mirror runs); otherwise re-execute.
   *
   * @param jvmArguments the JVM's input arguments ({@code RuntimeMXBean#getInputArguments})
   * @param args         the program's arguments
   */
  public static Decision decide(List<String> jvmArguments, Environment env, String[] args) {
    if (jvmArguments.contains(MARKER)) {
      return new Decision(false, "started by the launcher");
    }
    if (env.jvmDefaultsOff()) {
      return new Decision(false, Environment.JVM_DEFAULTS + "=off");
    }
    if (env.javaOptionsVariable() != null) {
      return new Decision(false, env.javaOptionsVariable() + " is set");
    }
    for (String a : jvmArguments) {
      if (CHOSEN.matcher(a).matches()) {
        return new Decision(false, a + " is set");
      }
      if (AGENT.matcher(a).matches()) {
        return new Decision(false, "an agent is attached");
      }
    }
    for (String a : args) {
      if (NO_MIRROR.contains(a)) {
        return new Decision(false, a + " runs no mirror");
      }
    }
    return new Decision(true, "no heap, GC or JIT flag set");
  }

  /**
   * The command of the JVM to start: {@code java}, this JVM's arguments, {@link #FLAGS}, {@link #MARKER}, then
   * {@code -jar <jar>} when this JVM was started with {@code -jar} (so the jar manifest's {@code Add-Opens} apply
   * again), else {@code -cp <classPath> mainClass}; then {@code args}.
   *
   * @param javaCommand the {@code sun.java.command} property: the main class or the jar, then the arguments
   */
  public static List<String> command(String java, List<String> jvmArguments, String classPath, String javaCommand,
                                     String mainClass, String[] args) {
    return command(java, jvmArguments, List.of(), classPath, javaCommand, mainClass, args);
  }

  /** As above, with {@code archiveFlags} (the class-data archive's, {@link ClassDataArchive}) after {@link #FLAGS}. */
  public static List<String> command(String java, List<String> jvmArguments, List<String> archiveFlags,
                                     String classPath, String javaCommand, String mainClass, String[] args) {
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmArguments);
    command.addAll(FLAGS);
    command.addAll(archiveFlags);
    command.add(MARKER);
    boolean jar = singleJar(classPath) && javaCommand != null
        && (javaCommand.equals(classPath) || javaCommand.startsWith(classPath + " "));
    command.addAll(jar ? List.of("-jar", classPath) : List.of("-cp", classPath, mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** Whether {@code classPath} is one jar file's path (no other entries). */
  static boolean singleJar(String classPath) {
    return classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator);
  }
}
