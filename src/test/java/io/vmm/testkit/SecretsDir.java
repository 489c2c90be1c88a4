package io.vmm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory of mounted Kubernetes Secrets as this service reads them ({@code VMM_SECRETS_DIR}):
 * {@code <root>/<secretName>/<key>}, one file per key. Pass {@link #root()} to the parser as
 * {@code new Environment(Map.of("VMM_SECRETS_DIR", dir.root().toString()))}. Not thread-safe.
 */
public final class SecretsDir {

  /** Secret of the CA certificate (Strimzi: {@code <cluster>-cluster-ca-cert}), key {@code ca.crt}. */
  public static final String CA_SECRET = "cluster-ca-cert";
  /** Secret of the mTLS client (a Strimzi KafkaUser with {@code tls} authentication): user.crt, user.key. */
  public static final String TLS_USER_SECRET = "tls-user";
  /** Secret of the SCRAM-SHA-512 user ({@link SecuredListeners#SCRAM_USER}), key {@code password}. */
  public static final String SCRAM_USER_SECRET = "scram-user";
  /** Secret of the PLAIN user ({@link SecuredListeners#PLAIN_USER}), key {@code password}. */
  public static final String PLAIN_USER_SECRET = "plain-user";

  /** Secret of the OAuth client ({@link TestOAuthServer#CLIENT_ID}), key {@code client-secret}. */
  public static final String OAUTH_CLIENT_SECRET = "oauth-client";

  private final Path root;

  private SecretsDir(Path root) {
    this.root = root;
  }

  /** A secrets directory at {@code root} (created if missing). */
  public static SecretsDir at(Path root) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SecretsDir(root.toAbsolutePath());
  }

  /**
   * A secrets directory at {@code root} holding the standard test Secrets: {@value #CA_SECRET}/{@code ca.crt}
   * (and {@code ca2.crt}, a copy, so a {@code *.crt} pattern matches two files), {@value #TLS_USER_SECRET}/
   * {@code user.crt}, {@code user.key}, {@code ca.crt}; {@value #SCRAM_USER_SECRET}/{@code password} and
   * {@value #PLAIN_USER_SECRET}/{@code password}, {@value #OAUTH_CLIENT_SECRET}/{@code client-secret}, each
   * password written with a trailing newline as {@code kubectl create secret --from-file} would.
   */
  public static SecretsDir standard(Path root) {
    TestCertificates pki = TestCertificates.get();
    SecretsDir dir = at(root);
    dir.put(CA_SECRET, "ca.crt", pki.caPem());
    dir.put(CA_SECRET, "ca2.crt", pki.caPem());
    dir.put(TLS_USER_SECRET, "user.crt", pki.userCertPem());
    dir.put(TLS_USER_SECRET, "user.key", pki.userKeyPem());
    dir.put(TLS_USER_SECRET, "ca.crt", pki.caPem());
    dir.put(SCRAM_USER_SECRET, "password", SecuredListeners.SCRAM_PASSWORD + "\n");
    dir.put(PLAIN_USER_SECRET, "password", SecuredListeners.PLAIN_PASSWORD + "\n");
    dir.put(OAUTH_CLIENT_SECRET, "client-secret", TestOAuthServer.CLIENT_SECRET + "\n");
    return dir;
  }

  /** The directory ({@code VMM_SECRETS_DIR}), absolute. */
  public Path root() {
    return root;
  }

  /** Writes {@code <root>/<secretName>/<key>} (UTF-8), replacing it; returns the file. */
  public Path put(String secretName, String key, String content) {
    try {
      Path file = Files.createDirectories(root.resolve(secretName)).resolve(key);
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes Secret {@code secretName} as the kubelet mounts and later updates a Secret volume (its "atomic writer"):
   * the keys go into a new hidden directory {@code ..<version>}, a symbolic link {@code ..data} is switched to it
   * in one step (a new link under a temporary name, renamed over the old one), and each key {@code <key>} is a
   * link to {@code ..data/<key>}. A reader therefore sees all old or all new files, never a mix (a certificate
   * with the other key). The previous version directory is deleted afterwards. Replaces the whole Secret;
   * {@code keys} must hold every key of it. Returns the Secret's directory.
   */
  public Path mount(String secretName, java.util.Map<String, String> keys) {
    try {
      Path dir = Files.createDirectories(root.resolve(secretName));
      Path data = dir.resolve("..data");
      Path previous = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
      Path version = Files.createTempDirectory(dir, "..version-");
      for (java.util.Map.Entry<String, String> e : keys.entrySet()) {
        Files.writeString(version.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
      }
      Path link = dir.resolve("..data_tmp");
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, version.getFileName());
      // rename(2): replaces the old ..data link atomically
      Files.move(link, data, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      for (String key : keys.keySet()) {
        Path file = dir.resolve(key);
        if (!Files.isSymbolicLink(file)) {
          Files.deleteIfExists(file);
          Files.createSymbolicLink(file, Path.of("..data", key));
        }
      }
      if (previous != null && !previous.equals(version)) {
        try (java.util.stream.Stream<Path> old = Files.walk(previous)) {
          for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file of a Secret key (it may not exist). */
  public Path file(String secretName, String key) {
    return root.resolve(secretName).resolve(key);
  }
}
