package io.vmm.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster's {@code tls} and {@code authentication} blocks, as Strimzi's {@code KafkaMirrorMaker2} defines them
 * ({@code KafkaMirrorMaker2ClusterSpec}), turned into Kafka client settings, with every secret read from its
 * mounted file ({@link SecretFiles}):
 * <pre>
 * tls: {trustedCertificates: [{secretName, certificate} | {secretName, pattern}]}
 *   -&gt; security.protocol=SSL, ssl.truststore.type=PEM, ssl.truststore.certificates=&lt;every certificate, PEM&gt;
 *   (tls: {} or no certificates: TLS with the JVM's default truststore). Host names are verified: Kafka's default
 *   ssl.endpoint.identification.algorithm=https is kept; set it to "" in config to turn the check off.
 * authentication: {type: tls, certificateAndKey: {secretName, certificate, key}}          (needs tls)
 *   -&gt; ssl.keystore.type=PEM, ssl.keystore.certificate.chain, ssl.keystore.key (unencrypted PKCS#8)
 * authentication: {type: scram-sha-256 | scram-sha-512 | plain, username, passwordSecret: {secretName, password}}
 *   -&gt; security.protocol=SASL_SSL (with tls) or SASL_PLAINTEXT, sasl.mechanism=SCRAM-SHA-256 | SCRAM-SHA-512 |
 *      PLAIN, sasl.jaas.config=ScramLoginModule | PlainLoginModule required username="..." password="...";
 * authentication: {type: oauth, ...}  -&gt; see {@link OAuthSettings}
 * </pre>
 * The settings these blocks produce may not also be set in the cluster's {@code config} (with or without a
 * {@code consumer.}/{@code producer.}/{@code admin.} prefix): that is reported as a conflict, as Strimzi forbids
 * them there. Problems are reported with their JSON path; secret values never appear in a message.
 */
final class ClusterSecurity {

  static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
  static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";

  private static final Set<String> TLS_FIELDS = JsonNode.set("trustedCertificates");
  private static final Set<String> CERT_SOURCE_FIELDS = JsonNode.set("secretName", "certificate", "pattern");
  private static final Set<String> CERT_AND_KEY_FIELDS = JsonNode.set("secretName", "certificate", "key");
  private static final Map<String, String> SASL_TYPES = Map.of("scram-sha-256", "SCRAM-SHA-256",
      "scram-sha-512", "SCRAM-SHA-512", "plain", "PLAIN");
  /** Settings that are derived from (or clash with) the blocks: a user may not set them alongside. */
  private static final Map<String, List<String>> CLASHES = Map.of(
      "ssl.truststore.certificates", List.of("ssl.truststore.location", "ssl.truststore.password"),
      "ssl.keystore.key", List.of("ssl.keystore.location", "ssl.keystore.password", "ssl.key.password"));

  private ClusterSecurity() {
  }

  /**
   * Parses {@code cluster}'s {@code tls} and {@code authentication} blocks.
   *
   * @param cluster    the {@code clusters[i]} node
   * @param secrets    reads the mounted secrets (and remembers the files)
   * @param userConfig the cluster's {@code config} as written, to report conflicting keys
   * @param problems   where problems go
   * @return the client settings (string values; empty when neither block is set); partial when problems were
   *         reported
   */
  static Map<String, String> parse(JsonNode cluster, SecretFiles secrets, Map<String, String> userConfig,
                                   Problems problems) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode tls = cluster.has("tls") ? cluster.object("tls") : null;
    JsonNode auth = cluster.has("authentication") ? cluster.object("authentication") : null;
    if (tls != null) {
      out.put("security.protocol", "SSL");
      tls(tls, secrets, out, problems);
    }
    if (auth != null) {
      authentication(auth, tls != null, secrets, out, problems);
    }
    checkConflicts(cluster, out, userConfig, problems);
    return out;
  }

  private static void tls(JsonNode tls, SecretFiles secrets, Map<String, String> out, Problems problems) {
    tls.checkFields(TLS_FIELDS, Set.of());
    StringBuilder pem = new StringBuilder();
    List<JsonNode> sources = tls.objects("trustedCertificates", false);
    for (JsonNode source : sources) {
      String certs = certificates(source, secrets, problems);
      if (certs != null) {
        pem.append(certs);
      }
    }
    if (!sources.isEmpty()) {
      out.put("ssl.truststore.type", "PEM");
      out.put("ssl.truststore.certificates", pem.toString());
    }
  }

  /**
   * The PEM certificates of one Strimzi {@code CertSecretSource} ({@code {secretName, certificate}} or
   * {@code {secretName, pattern}}), or null (reported). Also used for OAuth's {@code tlsTrustedCertificates}.
   */
  static String certificates(JsonNode source, SecretFiles secrets, Problems problems) {
    source.checkFields(CERT_SOURCE_FIELDS, Set.of());
    String secretName = source.string("secretName", true);
    String certificate = source.string("certificate", false);
    String pattern = source.string("pattern", false);
    if (certificate != null && pattern != null) {
      problems.add(source.path(), "set either certificate or pattern, not both");
      return null;
    }
    if (certificate == null && pattern == null) {
      problems.add(source.path(), "set certificate (a key of the Secret) or pattern (e.g. \"*.crt\")");
      return null;
    }
    if (secretName == null) {
      return null;
    }
    return certificate != null ? secrets.certificates(source.path(), secretName, certificate)
        : secrets.certificatesMatching(source.path(), secretName, pattern);
  }

  private static void authentication(JsonNode auth, boolean tls, SecretFiles secrets, Map<String, String> out,
                                     Problems problems) {
    String type = auth.string("type", true);
    if (type == null) {
      return;
    }
    if (type.equals("tls")) {
      auth.checkFields(JsonNode.set("type", "certificateAndKey"), Set.of());
      if (!tls) {
        problems.add(auth.pathOf("type"), "tls authentication needs an encrypted connection: set "
            + auth.path().replaceFirst("authentication$", "tls") + " too ({} uses the JVM's default truststore)");
      }
      JsonNode source = auth.object("certificateAndKey");
      if (source == null) {
        if (!auth.has("certificateAndKey")) {
          problems.add(auth.pathOf("certificateAndKey"), "required field is missing");
        }
        return;
      }
      source.checkFields(CERT_AND_KEY_FIELDS, Set.of());
      String secretName = source.string("secretName", true);
      String certificate = source.string("certificate", true);
      String key = source.string("key", true);
      if (secretName == null || certificate == null || key == null) {
        return;
      }
      String chain = secrets.certificates(source.path(), secretName, certificate);
      String privateKey = secrets.privateKey(source.path(), secretName, key);
      out.put("ssl.keystore.type", "PEM");
      out.put("ssl.keystore.certificate.chain", chain == null ? "" : chain);
      out.put("ssl.keystore.key", privateKey == null ? "" : privateKey);
    } else if (SASL_TYPES.containsKey(type)) {
      auth.checkFields(JsonNode.set("type", "username", "passwordSecret"), Set.of());
      String username = auth.string("username", true);
      JsonNode source = auth.object("passwordSecret");
      String password = null;
      if (source == null) {
        if (!auth.has("passwordSecret")) {
          problems.add(auth.pathOf("passwordSecret"), "required field is missing");
        }
      } else {
        password = secrets.value(source, "password");
      }
      String mechanism = SASL_TYPES.get(type);
      out.put("security.protocol", tls ? "SASL_SSL" : "SASL_PLAINTEXT");
      out.put("sasl.mechanism", mechanism);
      out.put("sasl.jaas.config", jaas(mechanism.equals("PLAIN") ? PLAIN_MODULE : SCRAM_MODULE,
          username == null ? "" : username, password == null ? "" : password));
    } else if (type.equals("oauth")) {
      OAuthSettings.parse(auth, tls, secrets, out, problems);
    } else {
      problems.add(auth.pathOf("type"), "expected tls, scram-sha-256, scram-sha-512, plain or oauth, got \""
          + type + "\"");
    }
  }

  /** {@code <module> required username="<username>" password="<password>";} with both values quoted. */
  static String jaas(String module, String username, String password) {
    return module + " required username=" + quote(username) + " password=" + quote(password) + ";";
  }

  /**
   * A JAAS option value in double quotes, escaped for Kafka's JAAS parser ({@link java.io.StreamTokenizer}
   * quoting): backslash, double quote, line feed, carriage return and tab are written as {@code \\ \" \n \r \t}.
   */
  static String quote(String value) {
    StringBuilder b = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static void checkConflicts(JsonNode cluster, Map<String, String> generated, Map<String, String> userConfig,
                                     Problems problems) {
    if (generated.isEmpty()) {
      return;
    }
    Map<String, String> blocked = new LinkedHashMap<>();
    generated.keySet().forEach(k -> blocked.put(k, k));
    CLASHES.forEach((k, clashing) -> {
      if (generated.containsKey(k)) {
        clashing.forEach(c -> blocked.put(c, k));
      }
    });
    String from = cluster.has("tls") && cluster.has("authentication")
        ? cluster.pathOf("tls") + " and " + cluster.pathOf("authentication")
        : cluster.pathOf(cluster.has("tls") ? "tls" : "authentication");
    for (String key : new java.util.TreeSet<>(userConfig.keySet())) {
      String bare = ClusterSpec.hasClientPrefix(key) ? key.substring(key.indexOf('.') + 1) : key;
      String setting = blocked.get(bare);
      if (setting != null) {
        problems.add(cluster.pathOf("config." + key), (setting.equals(bare) ? "is set from " + from
            : "conflicts with " + setting + ", set from " + from) + "; remove it from config");
      }
    }
  }
}
