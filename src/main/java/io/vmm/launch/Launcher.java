package io.vmm.launch;

import io.vmm.MirrorMain;
import io.vmm.async.Budgets;
import io.vmm.config.Environment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The jar's entry point: runs {@link MirrorMain} in this JVM, or, when the user chose no JVM settings
 * ({@link JvmDefaults#decide}), in a new JVM with the recommended {@link JvmDefaults#FLAGS}: the same
 * {@code java} binary, this JVM's arguments, the same class path (or jar) and main class (this one, which there
 * runs the mirror in its JVM: {@link JvmDefaults#MARKER}) and program arguments, standard streams inherited.
 * With a class-data archive ({@link ClassDataArchive}) when one can be kept.
 * This process then waits for it and exits with its exit code (0-3 as {@link MirrorMain} documents). A
 * SIGTERM, SIGINT or SIGHUP to this process is passed on as a SIGTERM (a shutdown hook), waits at most
 * {@link Budgets#LAUNCHER_CHILD_STOP_MS} for the mirror's clean stop and exits with its exit code; a mirror still
 * running then is killed (exit 1). A SIGKILL to this process leaves the
 * mirror running. After Elasticsearch's launcher.
 * <p>
 * With {@code VMM_PRINT_JVM=1} each JVM prints one line to stderr: its decision, its reason and its input
 * arguments (a diagnostic). The in-process path costs one {@code RuntimeMXBean} call, which the JVM metrics
 * make later anyway.
 */
public final class Launcher {

  /** Exit code when the mirror's JVM did not exit within the stop budget and was killed (MirrorMain's failure). */
  static final int EXIT_KILLED = 1;

  private Launcher() {
  }

  public static void main(String[] args) {
    List<String> jvmArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
    Environment env = Environment.system();
    JvmDefaults.Decision decision = JvmDefaults.decide(jvmArguments, env, args);
    if (env.printJvm()) {
      System.err.println("vmm launcher: " + (decision.reexec() ? "starting a JVM with " + JvmDefaults.FLAGS
          : "running in this JVM") + " (" + decision.reason() + "); JVM arguments: " + jvmArguments);
    }
    if (decision.reexec()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String classPath = System.getProperty("java.class.path");
      ClassDataArchive.Plan archive = ClassDataArchive.plan(env, jvmArguments, classPath,
          System.getProperty("java.io.tmpdir"), System.getProperty("java.home"), System.getProperty("java.vm.version"),
          ProcessHandle.current().pid());
      List<String> command = JvmDefaults.command(java, jvmArguments, archive.flags(), classPath,
          System.getProperty("sun.java.command"), Launcher.class.getName(), args);
      Process child;
      try {
        child = new ProcessBuilder(command).inheritIO().start();
      } catch (IOException e) {
        System.err.println("vmm launcher: cannot start " + java + " (" + e.getMessage()
            + "); running in this JVM without the JVM defaults");
        MirrorMain.main(args);
        return;
      }
      int code = waitFor(child, archive);
      archive.finish(code);
      System.exit(code);
    }
    MirrorMain.main(args);
  }

  /**
   * Waits for {@code child} on the main thread and returns its exit code. A shutdown hook (this process being
   * stopped by a signal) passes the stop on to it ({@link #stop}) and then settles its class-data archive.
   */
  static int waitFor(Process child, ClassDataArchive.Plan archive) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(child, archive), "vmm-launcher-stop"));
    while (true) {
      try {
        return child.waitFor();
      } catch (InterruptedException e) {
        // not interrupted by anything of ours: keep waiting, the shutdown hook bounds the stop
      }
    }
  }

  /**
   * Shutdown hook: nothing when the child already exited (this process exits with its code); else SIGTERM to
   * it, wait up to {@link Budgets#LAUNCHER_CHILD_STOP_MS}, and halt with its exit code, or kill it and halt
   * with {@link #EXIT_KILLED}. Halting replaces the exit status of the signal (143) by the child's.
   */
  private static void stop(Process child, ClassDataArchive.Plan archive) {
    if (!child.isAlive()) {
      return;
    }
    child.destroy();
    try {
      if (child.waitFor(Budgets.LAUNCHER_CHILD_STOP_MS, TimeUnit.MILLISECONDS)) {
        archive.finish(child.exitValue());
        Runtime.getRuntime().halt(child.exitValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.err.println("vmm launcher: the mirror did not stop within " + Budgets.LAUNCHER_CHILD_STOP_MS
        + " ms of SIGTERM; killing it");
    child.destroyForcibly();
    archive.finish(EXIT_KILLED);
    Runtime.getRuntime().halt(EXIT_KILLED);
  }
}
