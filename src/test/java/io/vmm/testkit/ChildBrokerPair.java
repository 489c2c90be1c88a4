package io.vmm.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Clusters A and B as child-process brokers ({@link ChildBroker}) for a fault test class, under a new directory
 * {@code target/<itDir>/<prefix>*}; started once per class and closed together.
 *
 * @param dir the class's directory (broker data and logs; child mirrors may write there too)
 * @param a   cluster A
 * @param b   cluster B
 */
public record ChildBrokerPair(Path dir, ChildBroker a, ChildBroker b) implements AutoCloseable {

  /**
   * Starts A, then B with {@code bExtra} broker settings; when B does not start, A is closed again.
   *
   * @param itDir  directory under {@code target/} for the test class's runs
   * @param prefix prefix of this run's new directory in it
   */
  public static ChildBrokerPair start(String itDir, String prefix, Map<String, String> bExtra) throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", itDir)).toAbsolutePath(), prefix);
    ChildBroker a = ChildBroker.start("A", dir, Map.of());
    try {
      return new ChildBrokerPair(dir, a, ChildBroker.start("B", dir, bExtra));
    } catch (Exception | Error e) {
      a.close();
      throw e;
    }
  }

  /** Closes both brokers (SIGKILL, admin clients closed); B is closed even when A fails to. */
  @Override
  public void close() throws Exception {
    try {
      a.close();
    } finally {
      b.close();
    }
  }
}
