package io.vmm.launch;

import io.vmm.config.Environment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The class-data archive (AppCDS, the JDK's dynamic archive) of the mirror's JVM that the launcher starts: the
 * classes a run loaded, stored once and mapped by later runs, so the first record comes 0.5–0.9 s sooner (bench:
 * 1.2–1.5 s instead of 2.0–2.2 s).
 * <ul>
 *   <li>One archive per jar and JDK: {@code vmm-<key>.jsa} in {@code $VMM_CDS_DIR}, else
 *       {@code <java.io.tmpdir>/vmm-cds}, where the key hashes the jar's path, size and modification time and the
 *       JDK's home and version (a new jar or JDK starts a new archive).</li>
 *   <li>While there is none, the run is a training run: its JVM writes the archive when it exits
 *       ({@code -XX:ArchiveClassesAtExit}) to a file of its own, which {@link Plan#finish} moves into place
 *       (atomically) only after an exit with code 0 (a clean stop after a run; a configuration error's few classes
 *       would make a poor archive). Concurrent training runs each write their own file; the last move wins.</li>
 *   <li>Off ({@link #none}) with {@code VMM_CDS=off}, when the user passed a CDS flag of their own
 *       ({@code -Xshare...}, {@code -XX:SharedArchiveFile}, {@code -XX:ArchiveClassesAtExit}), when the class path
 *       is not a single jar (the JDK archives only jar class paths), or when the directory cannot be made.</li>
 *   <li>Training files older than an hour (their launcher was killed) are deleted by the next plan.</li>
 *   <li>The JVM's own CDS messages are silenced ({@code -Xlog:cds*=off}): an archive that no longer matches is
 *       ignored by the JVM without a word, and the run goes on without it.</li>
 * </ul>
 * A pure decision ({@link #plan}) plus the move after the run; not thread-safe (the launcher's main thread).
 */
final class ClassDataArchive {

  /** Silences the JVM's CDS warnings (an archive that does not match is then ignored without a word). */
  static final String QUIET = "-Xlog:cds*=off";
  /** Age after which a training file whose launcher is gone is deleted, ms. */
  static final long STALE_MS = 3_600_000;

  /**
   * The flags for the mirror's JVM, and for a training run the file it writes and where that goes.
   *
   * @param flags    JVM flags to add (empty: no archive)
   * @param written  the file the training run's JVM writes at exit, or null (no training run)
   * @param archive  the archive file, or null when off
   */
  record Plan(List<String> flags, Path written, Path archive) {

    /**
     * After the mirror's JVM exited with {@code exitCode}: a training run's archive is moved into place after
     * code 0, else deleted. Never throws (an archive is an optimisation).
     */
    void finish(int exitCode) {
      if (written == null) {
        return;
      }
      try {
        if (exitCode == 0 && Files.isRegularFile(written) && Files.size(written) > 0) {
          Files.move(written, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
          Files.deleteIfExists(written);
        }
      } catch (IOException | RuntimeException e) {
        try {
          Files.deleteIfExists(written);
        } catch (IOException ignored) {
          // an archive is an optimisation: nothing more to do
        }
      }
    }
  }

  private ClassDataArchive() {
  }

  /** No archive. */
  static Plan none() {
    return new Plan(List.of(), null, null);
  }

  /**
   * The plan for a mirror JVM started with {@code jvmArguments} and class path {@code classPath}.
   *
   * @param tmpDir    {@code java.io.tmpdir}
   * @param javaHome  {@code java.home}; {@code vmVersion}: {@code java.vm.version}
   * @param pid       this (launcher) process's id, which names a training run's file
   */
  static Plan plan(Environment env, List<String> jvmArguments, String classPath, String tmpDir, String javaHome,
                   String vmVersion, long pid) {
    if (env.cdsOff() || jvmArguments.stream().anyMatch(a -> a.startsWith("-Xshare")
        || a.startsWith("-XX:SharedArchiveFile") || a.startsWith("-XX:ArchiveClassesAtExit"))) {
      return none();
    }
    Path jar = Path.of(classPath).toAbsolutePath();
    if (!JvmDefaults.singleJar(classPath) || !Files.isRegularFile(jar)) {
      return none();
    }
    try {
      Path dir = Path.of(env.cdsDir() != null ? env.cdsDir() : Path.of(tmpDir, "vmm-cds").toString());
      Files.createDirectories(dir);
      dropStale(dir);
      String key = key(jar + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis() + "|"
          + javaHome + "|" + vmVersion);
      Path archive = dir.resolve("vmm-" + key + ".jsa");
      if (Files.isRegularFile(archive) && Files.size(archive) > 0) {
        return new Plan(List.of("-XX:SharedArchiveFile=" + archive, QUIET), null, archive);
      }
      Path written = dir.resolve("vmm-" + key + ".jsa." + pid + ".tmp");
      return new Plan(List.of("-XX:ArchiveClassesAtExit=" + written, QUIET), written, archive);
    } catch (IOException | RuntimeException e) {
      return none();
    }
  }

  /**
   * Deletes training files ({@code *.tmp}) older than an hour: left by a launcher that was killed (SIGKILL) while
   * its mirror ran. Never throws.
   */
  static void dropStale(Path dir) {
    long before = System.currentTimeMillis() - STALE_MS;
    try (var files = Files.newDirectoryStream(dir, "vmm-*.jsa.*.tmp")) {
      for (Path f : files) {
        try {
          if (Files.getLastModifiedTime(f).toMillis() < before) {
            Files.deleteIfExists(f);
          }
        } catch (IOException ignored) {
          // another launcher's file, or gone already
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // an archive is an optimisation
    }
  }

  private static String key(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
