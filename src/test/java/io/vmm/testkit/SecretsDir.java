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

  /** The file of a Secret key (it may not exist). */
  public Path file(String secretName, String key) {
    return root.resolve(secretName).resolve(key);
  }
}
