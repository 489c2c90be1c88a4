package io.vmm.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads mounted Kubernetes Secrets: a Secret {@code secretName} is the directory {@code <secretsDir>/<secretName>/}
 * holding one file per key, as a Secret volume is mounted (the files may be symbolic links into {@code ..data/}).
 * <p>
 * Every read checks what it reads: a certificate file must hold PEM X.509 certificates (parsed with
 * {@link CertificateFactory}), a key file one unencrypted PKCS#8 PEM private key ({@code BEGIN PRIVATE KEY};
 * RSA, EC, Ed25519 or Ed448). A problem (missing directory or file, unreadable file, bad content) is reported to
 * {@link Problems} as {@code <json path>: <what> <file path>} and the read returns null. Messages carry paths only,
 * never file contents. Every file read (found or not) is remembered as an absolute path ({@link #files()}).
 * <p>
 * Blocking file I/O: used while the config is parsed, before any Vert.x context or Kafka client exists.
 * Not thread-safe; one per parse.
 */
final class SecretFiles {

  private static final Pattern PEM_BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "DSA");

  private final Path secretsDir;
  private final Problems problems;
  private final Set<Path> files = new LinkedHashSet<>();

  /**
   * @param secretsDir the directory of mounted Secrets ({@link Environment#secretsDir()})
   * @param problems   where problems go
   */
  SecretFiles(Path secretsDir, Problems problems) {
    this.secretsDir = secretsDir.toAbsolutePath().normalize();
    this.problems = problems;
  }

  /** Absolute paths of every secret file read or looked for, in the order of first use. */
  List<Path> files() {
    return List.copyOf(files);
  }

  /**
   * The value a Secret reference points to: {@code ref} is {@code {secretName, <keyField>}} (Strimzi's
   * {@code passwordSecret: {secretName, password}}, {@code clientSecret: {secretName, key}}, ...), read as
   * {@link #password}. Null, with the problems reported, when a field is missing or the file cannot be read.
   */
  String value(JsonNode ref, String keyField) {
    ref.checkFields(JsonNode.set("secretName", keyField), java.util.Set.of());
    String secretName = ref.string("secretName", true);
    String key = ref.string(keyField, true);
    return secretName == null || key == null ? null : password(ref.path(), secretName, key);
  }

  /**
   * A password: the file's text (UTF-8) without ONE trailing line break ({@code \n} or {@code \r\n}), since a
   * Secret created from a file ({@code kubectl create secret generic --from-file}) often ends with one. Other
   * white space is kept. Null (reported) when missing, unreadable or empty.
   */
  String password(String jsonPath, String secretName, String key) {
    String text = text(jsonPath, secretName, key);
    if (text == null) {
      return null;
    }
    if (text.endsWith("\r\n")) {
      text = text.substring(0, text.length() - 2);
    } else if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.isEmpty()) {
      problems.add(jsonPath, "file " + file(secretName, key) + " is empty");
      return null;
    }
    return text;
  }

  /**
   * The X.509 certificates of one file, re-encoded as PEM ({@code BEGIN CERTIFICATE} blocks, in file order).
   * Null (reported) when missing, unreadable, not PEM or holding no certificate.
   */
  String certificates(String jsonPath, String secretName, String key) {
    String text = text(jsonPath, secretName, key);
    return text == null ? null : certificatesOf(jsonPath, file(secretName, key), text);
  }

  /**
   * The certificates of every file of the Secret whose name matches the glob {@code pattern} (as
   * {@link java.nio.file.FileSystem#getPathMatcher} {@code glob:}, e.g. {@code *.crt}), files in name order,
   * as one PEM text. Kubernetes' own entries ({@code ..data}, names starting with {@code ..}) and directories
   * never match. Null (reported) when the directory is missing, nothing matches or a matching file is bad.
   */
  String certificatesMatching(String jsonPath, String secretName, String pattern) {
    Path dir = directory(jsonPath, secretName);
    if (dir == null) {
      return null;
    }
    PathMatcher matcher;
    try {
      matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    } catch (IllegalArgumentException e) {
      problems.add(jsonPath, "pattern \"" + pattern + "\" is not a valid glob: " + e.getMessage());
      return null;
    }
    if (!Files.isDirectory(dir)) {
      problems.add(jsonPath, "directory " + dir + " not found (is Secret " + secretName + " mounted under "
          + secretsDir + "? set " + Environment.SECRETS_DIR + " to change that directory)");
      return null;
    }
    List<Path> matches = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!name.startsWith("..") && matcher.matches(p.getFileName()) && Files.isRegularFile(p)) {
          matches.add(p);
        }
      }
    } catch (IOException e) {
      problems.add(jsonPath, "directory " + dir + " cannot be read: " + e.getClass().getSimpleName());
      return null;
    }
    if (matches.isEmpty()) {
      problems.add(jsonPath, "pattern \"" + pattern + "\" matches no file in " + dir);
      return null;
    }
    matches.sort(null);
    StringBuilder pem = new StringBuilder();
    boolean ok = true;
    for (Path p : matches) {
      files.add(p);
      String text = read(jsonPath, p);
      String certs = text == null ? null : certificatesOf(jsonPath, p, text);
      if (certs == null) {
        ok = false;
      } else {
        pem.append(certs);
      }
    }
    return ok ? pem.toString() : null;
  }

  /**
   * An unencrypted PKCS#8 private key, re-encoded as one {@code BEGIN PRIVATE KEY} PEM block. Null (reported) when
   * missing, unreadable, encrypted, PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}),
   * or not a key of a known algorithm. The message names the file and the fix, never the content.
   */
  String privateKey(String jsonPath, String secretName, String key) {
    String text = text(jsonPath, secretName, key);
    if (text == null) {
      return null;
    }
    Path file = file(secretName, key);
    List<String[]> blocks = blocks(text);
    List<String[]> keys = blocks.stream().filter(b -> b[0].endsWith("PRIVATE KEY")).toList();
    if (keys.isEmpty()) {
      problems.add(jsonPath, "file " + file + " holds no PEM private key (expected -----BEGIN PRIVATE KEY-----)");
      return null;
    }
    if (keys.size() > 1) {
      problems.add(jsonPath, "file " + file + " holds " + keys.size() + " private keys; expected one");
      return null;
    }
    String type = keys.get(0)[0];
    if (!type.equals("PRIVATE KEY")) {
      String fix = type.equals("ENCRYPTED PRIVATE KEY")
          ? "encrypted keys are not supported; decrypt it (openssl pkcs8 -topk8 -nocrypt)"
          : "convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)";
      problems.add(jsonPath, "file " + file + " holds a \"" + type + "\"; expected an unencrypted PKCS#8 key "
          + "(-----BEGIN PRIVATE KEY-----): " + fix);
      return null;
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(keys.get(0)[1]);
    } catch (IllegalArgumentException e) {
      der = null;
    }
    if (der == null || der.length == 0 || !isKey(der)) {
      problems.add(jsonPath, "file " + file + " is not a valid PKCS#8 private key (" + String.join(", ",
          KEY_ALGORITHMS) + ")");
      return null;
    }
    return pem("PRIVATE KEY", der);
  }

  /** The file of a Secret key, absolute; remembered in {@link #files()}. Names are checked by the callers. */
  Path file(String secretName, String key) {
    Path p = secretsDir.resolve(secretName).resolve(key);
    files.add(p);
    return p;
  }

  /** True when {@code name} can be a Secret name or key (no path separators, not {@code .} or {@code ..}). */
  static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
  }

  private Path directory(String jsonPath, String secretName) {
    if (!validName(secretName)) {
      problems.add(jsonPath, "secretName \"" + secretName + "\" is not a Secret name (letters, digits, '.', '_', '-')");
      return null;
    }
    return secretsDir.resolve(secretName);
  }

  private String text(String jsonPath, String secretName, String key) {
    Path dir = directory(jsonPath, secretName);
    if (dir == null) {
      return null;
    }
    if (!validName(key)) {
      problems.add(jsonPath, "\"" + key + "\" is not a Secret key (letters, digits, '.', '_', '-')");
      return null;
    }
    Path file = file(secretName, key);
    if (!Files.isDirectory(dir)) {
      problems.add(jsonPath, "file " + file + " not found: no directory " + dir + " (is Secret " + secretName
          + " mounted under " + secretsDir + "? set " + Environment.SECRETS_DIR + " to change that directory)");
      return null;
    }
    return read(jsonPath, file);
  }

  private String read(String jsonPath, Path file) {
    if (Files.isDirectory(file)) {
      problems.add(jsonPath, "file " + file + " is a directory");
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      problems.add(jsonPath, "file " + file + " not found");
    } catch (java.nio.charset.CharacterCodingException e) {
      problems.add(jsonPath, "file " + file + " is not UTF-8 text");
    } catch (IOException | SecurityException e) {
      problems.add(jsonPath, "file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    return null;
  }

  private String certificatesOf(String jsonPath, Path file, String text) {
    List<String[]> certs = blocks(text).stream().filter(b -> b[0].equals("CERTIFICATE")).toList();
    if (certs.isEmpty()) {
      problems.add(jsonPath, "file " + file + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
      return null;
    }
    StringBuilder pem = new StringBuilder();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (String[] block : certs) {
        byte[] der = Base64.getMimeDecoder().decode(block[1]);
        Collection<? extends Certificate> parsed = factory.generateCertificates(new ByteArrayInputStream(der));
        if (parsed.size() != 1) {
          throw new CertificateException("expected one certificate per PEM block");
        }
        pem.append(pem("CERTIFICATE", parsed.iterator().next().getEncoded()));
      }
    } catch (CertificateException | IllegalArgumentException e) {
      problems.add(jsonPath, "file " + file + " holds a certificate that does not parse: " + e.getMessage());
      return null;
    }
    return pem.toString();
  }

  /** The PEM blocks of a text as {type, base64 body}. */
  private static List<String[]> blocks(String text) {
    List<String[]> out = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(text);
    while (m.find()) {
      out.add(new String[] {m.group(1), m.group(2)});
    }
    return out;
  }

  private static boolean isKey(byte[] der) {
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        return true;
      } catch (InvalidKeySpecException | NoSuchAlgorithmException | RuntimeException e) {
        // try the next algorithm
      }
    }
    return false;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
