package io.vmm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium for browser tests of the status page: one short-lived browser process per call.
 *
 * <p>The binary is {@code $CHROMIUM} when that environment variable names an executable file, else
 * Debian's {@code /usr/bin/chromium} (package {@code chromium}). Every call starts it with {@link #FLAGS}:
 * <ul>
 *   <li>{@code --headless}: no display;</li>
 *   <li>{@code --no-sandbox}: tests may run as root or in containers without user namespaces;</li>
 *   <li>{@code --disable-gpu}: no GPU in CI/containers;</li>
 *   <li>{@code --disable-quic --no-first-run --disable-background-networking --disable-component-update
 *       --disable-sync}: on a closed network (no internet) Chromium otherwise tries to reach Google services
 *       (component updates, sync, variations, QUIC probes) and can hang until those time out;</li>
 *   <li>{@code --user-data-dir=<fresh temp dir>}: a new empty profile per call (no state shared between
 *       runs, no lock on the user's profile); the directory is deleted afterwards.</li>
 * </ul>
 * A call that has not finished within {@link #DEADLINE_SECONDS} is killed (with its child processes) and
 * fails with an {@link IllegalStateException} that includes the tail of Chromium's stderr.
 *
 * <p>{@code --virtual-time-budget=N} makes Chromium run the page on virtual time: timers fire as fast as
 * possible, and time only advances while no network request is pending, until N ms of virtual time have
 * passed. Only then is the DOM dumped or the screenshot taken.
 */
public final class Chromium {

  /** Debian's wrapper script (it execs {@code /usr/lib/chromium/chromium}). */
  public static final Path DEFAULT_BINARY = Path.of("/usr/bin/chromium");

  /** Flags passed on every call, besides the per-call {@code --user-data-dir}; see the class comment. */
  public static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

  /** Wall-clock limit of one call, in seconds. */
  public static final int DEADLINE_SECONDS = 60;

  private static final int STDERR_TAIL_LINES = 25;

  private Chromium() {
  }

  /**
   * Whether a Chromium binary is available.
   *
   * @return true when {@code $CHROMIUM} or {@code /usr/bin/chromium} is an executable file
   */
  public static boolean available() {
    return binary() != null;
  }

  /**
   * Loads {@code url}, runs it for {@code virtualTimeBudgetMs} of virtual time and returns the serialized DOM
   * ({@code --dump-dom}).
   *
   * @param url                 page to load
   * @param virtualTimeBudgetMs virtual time the page runs before the DOM is dumped
   * @return the DOM as HTML (Chromium's stdout)
   * @throws IllegalStateException when Chromium is missing, fails, or exceeds the deadline
   */
  public static String dumpDom(String url, int virtualTimeBudgetMs) {
    return run(List.of("--virtual-time-budget=" + virtualTimeBudgetMs, "--dump-dom", url));
  }

  /**
   * Loads {@code url}, runs it for {@code virtualTimeBudgetMs} of virtual time and writes a PNG screenshot
   * of a {@code width} x {@code height} window ({@code --screenshot --window-size --hide-scrollbars}).
   *
   * @param url                 page to load
   * @param png                 where to write the PNG (parent directories are created)
   * @param width               window width in CSS pixels
   * @param height              window height in CSS pixels
   * @param virtualTimeBudgetMs virtual time the page runs before the screenshot
   * @return {@code png}
   * @throws IllegalStateException when Chromium is missing, fails, exceeds the deadline or writes no file
   */
  public static Path screenshot(String url, Path png, int width, int height, int virtualTimeBudgetMs) {
    Path target = png.toAbsolutePath();
    try {
      Files.createDirectories(target.getParent());
      Files.deleteIfExists(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run(List.of("--virtual-time-budget=" + virtualTimeBudgetMs, "--hide-scrollbars",
        "--window-size=" + width + "," + height, "--screenshot=" + target, url));
    if (!Files.isRegularFile(target)) {
      throw new IllegalStateException("chromium wrote no screenshot to " + target);
    }
    return png;
  }

  private static Path binary() {
    String env = System.getenv("CHROMIUM");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return Files.isRegularFile(DEFAULT_BINARY) && Files.isExecutable(DEFAULT_BINARY) ? DEFAULT_BINARY : null;
  }

  /** Runs Chromium with {@link #FLAGS}, a fresh profile and {@code args}; returns stdout. */
  private static String run(List<String> args) {
    Path bin = binary();
    if (bin == null) {
      throw new IllegalStateException("no chromium: install Debian's chromium package or set CHROMIUM");
    }
    Path work = null;
    Process process = null;
    try {
      work = Files.createTempDirectory("vmm-chromium-");
      Path profile = Files.createDirectory(work.resolve("profile"));
      Path out = work.resolve("stdout.txt");
      Path err = work.resolve("stderr.txt");
      List<String> cmd = new ArrayList<>();
      cmd.add(bin.toString());
      cmd.addAll(FLAGS);
      cmd.add("--user-data-dir=" + profile);
      cmd.addAll(args);
      // Output goes to files: no pipes to drain, nothing blocks when Chromium is chatty on stderr.
      process = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
        kill(process);
        throw new IllegalStateException("chromium did not finish within " + DEADLINE_SECONDS + " s: " + cmd
            + stderrTail(err));
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("chromium exited with " + process.exitValue() + ": " + cmd + stderrTail(err));
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for chromium", e);
    } finally {
      if (process != null && process.isAlive()) {
        kill(process);
      }
      if (work != null) {
        deleteQuietly(work);
      }
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String stderrTail(Path err) {
    try {
      // lenient decoding: a stray non-UTF-8 byte must not hide the message
      List<String> lines = new String(Files.readAllBytes(err), StandardCharsets.UTF_8).lines().toList();
      List<String> tail = lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size());
      return "\n--- chromium stderr (last " + tail.size() + " of " + lines.size() + " lines) ---\n"
          + String.join("\n", tail);
    } catch (IOException | UncheckedIOException e) {
      return "\n(no chromium stderr: " + e + ")";
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover temp dir is harmless
    }
  }
}
