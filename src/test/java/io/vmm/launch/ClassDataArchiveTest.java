package io.vmm.launch;

import io.vmm.config.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ClassDataArchive: when the launcher keeps an archive, a training run's file moved into place only after exit
 * code 0, one archive per jar and JDK, and (real JVMs) the flags it gives make this JDK write an archive that a
 * later JVM maps, with {@code -Xshare:on} (which refuses to start without it), printing nothing of its own.
 */
class ClassDataArchiveTest {

  private static final String JAVA_HOME = System.getProperty("java.home");
  private static final String VM = System.getProperty("java.vm.version");

  @TempDir
  Path dir;

  private Environment env() {
    return new Environment(Map.of("VMM_CDS_DIR", dir.resolve("cds").toString()));
  }

  /** A jar holding {@link CdsProbeMain}. */
  private Path probeJar() throws Exception {
    Path jar = dir.resolve("probe.jar");
    String entry = CdsProbeMain.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
         var in = CdsProbeMain.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    return jar;
  }

  @Test
  void offWhenAskedOrWhenTheUserHasCdsFlagsOrTheClassPathIsNotOneJar() throws Exception {
    String jar = probeJar().toString();
    assertEquals(List.of(), ClassDataArchive.plan(new Environment(Map.of("VMM_CDS", "OFF")), List.of(), jar,
        dir.toString(), JAVA_HOME, VM, 1).flags());
    for (String flag : List.of("-Xshare:off", "-XX:SharedArchiveFile=/x.jsa", "-XX:ArchiveClassesAtExit=/x.jsa")) {
      assertEquals(List.of(), ClassDataArchive.plan(env(), List.of(flag), jar, dir.toString(), JAVA_HOME, VM, 1)
          .flags(), flag);
    }
    assertEquals(List.of(), ClassDataArchive.plan(env(), List.of(), "classes" + File.pathSeparator + jar,
        dir.toString(), JAVA_HOME, VM, 1).flags(), "several entries");
    assertEquals(List.of(), ClassDataArchive.plan(env(), List.of(), dir.resolve("missing.jar").toString(),
        dir.toString(), JAVA_HOME, VM, 1).flags(), "no such jar");
  }

  @Test
  void trainingRunWritesItsOwnFileThatExitCodeZeroMovesIntoPlace() throws Exception {
    String jar = probeJar().toString();
    ClassDataArchive.Plan training = ClassDataArchive.plan(env(), List.of(), jar, dir.toString(), JAVA_HOME, VM, 42);
    assertEquals(List.of("-XX:ArchiveClassesAtExit=" + training.written(), ClassDataArchive.QUIET), training.flags());
    assertTrue(training.written().getFileName().toString().endsWith(".jsa.42.tmp"), training.written().toString());
    assertEquals(dir.resolve("cds"), training.archive().getParent());

    Files.writeString(training.written(), "archive");
    training.finish(2);
    assertFalse(Files.exists(training.written()), "a failed run's archive is dropped");
    assertFalse(Files.exists(training.archive()));

    Files.writeString(training.written(), "archive");
    training.finish(0);
    assertFalse(Files.exists(training.written()));
    assertEquals("archive", Files.readString(training.archive()));

    ClassDataArchive.Plan using = ClassDataArchive.plan(env(), List.of(), jar, dir.toString(), JAVA_HOME, VM, 43);
    assertEquals(List.of("-XX:SharedArchiveFile=" + training.archive(), ClassDataArchive.QUIET), using.flags());
    assertNull(using.written());
    using.finish(0); // nothing to move
    assertTrue(Files.exists(training.archive()));
  }

  @Test
  void staleTrainingFilesAreDeletedAndFreshOnesKept() throws Exception {
    Path cds = Files.createDirectories(dir.resolve("cds"));
    Path stale = Files.writeString(cds.resolve("vmm-abc.jsa.1.tmp"), "x");
    Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - ClassDataArchive.STALE_MS - 1_000));
    Path fresh = Files.writeString(cds.resolve("vmm-abc.jsa.2.tmp"), "x");
    Path archive = Files.writeString(cds.resolve("vmm-abc.jsa"), "x");
    Files.setLastModifiedTime(archive, FileTime.fromMillis(0));
    ClassDataArchive.plan(env(), List.of(), probeJar().toString(), dir.toString(), JAVA_HOME, VM, 1);
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(fresh));
    assertTrue(Files.exists(archive), "archives are kept");
  }

  @Test
  void aChangedJarOrAnotherJdkGetsAnotherArchive() throws Exception {
    Path jar = probeJar();
    Path first = ClassDataArchive.plan(env(), List.of(), jar.toString(), dir.toString(), JAVA_HOME, VM, 1).archive();
    assertNotEquals(first, ClassDataArchive.plan(env(), List.of(), jar.toString(), dir.toString(), JAVA_HOME,
        VM + "-other", 1).archive());
    Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
    assertNotEquals(first, ClassDataArchive.plan(env(), List.of(), jar.toString(), dir.toString(), JAVA_HOME, VM, 1)
        .archive());
  }

  @Test
  void withoutVmmCdsDirTheArchiveLivesUnderTmp() throws Exception {
    ClassDataArchive.Plan p = ClassDataArchive.plan(new Environment(Map.of()), List.of(), probeJar().toString(),
        dir.toString(), JAVA_HOME, VM, 1);
    assertEquals(dir.resolve("vmm-cds"), p.archive().getParent());
  }

  @Test
  void thisJdkWritesTheArchiveAndALaterJvmMapsIt() throws Exception {
    String jar = probeJar().toString();
    ClassDataArchive.Plan training = ClassDataArchive.plan(env(), List.of(), jar, dir.toString(), JAVA_HOME, VM, 7);
    assertEquals("probe {a=1}", run(training.flags(), jar, 0));
    training.finish(0);
    assertTrue(Files.size(training.archive()) > 0, "archive written");

    ClassDataArchive.Plan using = ClassDataArchive.plan(env(), List.of(), jar, dir.toString(), JAVA_HOME, VM, 8);
    List<String> strict = new ArrayList<>(using.flags());
    strict.add("-Xshare:on"); // fails to start unless the archive maps
    assertEquals("probe {a=1}", run(strict, jar, 0), "nothing but the program's output");
  }

  private static String run(List<String> flags, String jar, int expectedExit) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(JAVA_HOME, "bin", "java").toString(), "-Xmx64m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(flags);
    command.addAll(List.of("-cp", jar, CdsProbeMain.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try (var in = p.getInputStream()) {
      out = new String(in.readAllBytes()).trim();
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(expectedExit, p.exitValue(), out);
    return out;
  }
}
