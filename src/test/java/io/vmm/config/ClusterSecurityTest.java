package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.testkit.SecretsDir;
import io.vmm.testkit.TestCertificates;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.security.auth.login.AppConfigurationEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strimzi's {@code clusters[].tls} and {@code clusters[].authentication} with secrets read from mounted files, and
 * Kafka config providers in {@code clusters[].config}: each mapping to client settings, and each bad or missing
 * secret as a config problem naming the JSON path and the file.
 */
class ClusterSecurityTest {

  @TempDir
  Path tmp;
  private SecretsDir secrets;
  private TestCertificates pki;

  @BeforeEach
  void writeSecrets() {
    pki = TestCertificates.get();
    secrets = SecretsDir.standard(tmp.resolve("secrets"));
  }

  // ------------------------------------------------------------------------------------------ helpers

  private Environment env() {
    return new Environment(Map.of(Environment.SECRETS_DIR, secrets.root().toString()));
  }

  /** A valid document whose cluster A gets {@code fields} (tls, authentication, config). */
  private static JsonObject doc(JsonObject fields) {
    JsonObject doc = ConfigParserTest.valid();
    doc.getJsonArray("clusters").getJsonObject(0).mergeIn(fields);
    return doc;
  }

  private ClusterSpec clusterA(JsonObject fields) {
    return ConfigParser.parse(doc(fields), env()).clusters().get(0);
  }

  private List<String> problems(JsonObject fields) {
    return assertThrows(ConfigException.class, () -> ConfigParser.parse(doc(fields), env())).problems();
  }

  private static JsonObject tlsByPattern() {
    return new JsonObject().put("trustedCertificates", new JsonArray().add(new JsonObject()
        .put("secretName", SecretsDir.CA_SECRET).put("pattern", "*.crt")));
  }

  private static JsonObject tlsByName() {
    return new JsonObject().put("trustedCertificates", new JsonArray().add(new JsonObject()
        .put("secretName", SecretsDir.CA_SECRET).put("certificate", "ca.crt")));
  }

  private static JsonObject mtls() {
    return new JsonObject().put("type", "tls").put("certificateAndKey", new JsonObject()
        .put("secretName", SecretsDir.TLS_USER_SECRET).put("certificate", "user.crt").put("key", "user.key"));
  }

  private static JsonObject sasl(String type, String user, String secretName) {
    return new JsonObject().put("type", type).put("username", user)
        .put("passwordSecret", new JsonObject().put("secretName", secretName).put("password", "password"));
  }

  private static Map<String, Object> jaasOptions(String jaasConfig) {
    JaasContext ctx = JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(jaasConfig)));
    AppConfigurationEntry entry = ctx.configurationEntries().get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> options = (Map<String, Object>) entry.getOptions();
    return Map.of("module", entry.getLoginModuleName(), "username", options.get("username"),
        "password", options.get("password"));
  }

  private static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  /** Kafka's own SSL engine factory accepts the settings (keystore key and chain, PEM truststore). */
  private static void assertKafkaAcceptsSsl(ClusterSpec spec) {
    Map<String, ?> typed = new ConsumerConfig(spec.consumerConfig("t")).values();
    DefaultSslEngineFactory factory = new DefaultSslEngineFactory();
    factory.configure(typed);
    assertTrue(factory.sslContext() != null);
  }

  // ------------------------------------------------------------------------------------------ mappings

  @Test
  void trustedCertificatesByPatternBecomeAPemTruststore() {
    ClusterSpec a = clusterA(new JsonObject().put("tls", tlsByPattern()));
    assertEquals("SSL", a.security().get("security.protocol"));
    assertEquals("PEM", a.security().get("ssl.truststore.type"));
    String certs = a.security().get("ssl.truststore.certificates");
    assertEquals(2, count(certs, "-----BEGIN CERTIFICATE-----"), "ca.crt and ca2.crt");
    assertEquals(pki.caPem() + pki.caPem(), certs, "re-encoded PEM equals keytool's");
    assertFalse(a.security().containsKey("ssl.endpoint.identification.algorithm"), "Kafka's default (https) stays");
    for (Map<String, Object> client : List.of(a.consumerConfig("c"), a.producerConfig("p"), a.adminConfig("a"))) {
      assertEquals("SSL", client.get("security.protocol"));
      assertEquals(certs, client.get("ssl.truststore.certificates"));
    }
    assertEquals(List.of(secrets.file(SecretsDir.CA_SECRET, "ca.crt"), secrets.file(SecretsDir.CA_SECRET, "ca2.crt")),
        a.secretFiles());
    assertKafkaAcceptsSsl(a);
    // Kubernetes' own entries of a mounted Secret never match
    secrets.put(SecretsDir.CA_SECRET, "..2024_01_01.crt", "not a certificate");
    assertEquals(certs, clusterA(new JsonObject().put("tls", tlsByPattern())).security()
        .get("ssl.truststore.certificates"));
  }

  @Test
  void trustedCertificateByNameAndEmptyTls() {
    ClusterSpec a = clusterA(new JsonObject().put("tls", tlsByName()));
    assertEquals(pki.caPem(), a.security().get("ssl.truststore.certificates"));
    ClusterSpec defaults = clusterA(new JsonObject().put("tls", new JsonObject()));
    assertEquals(Map.of("security.protocol", "SSL"), defaults.security(), "the JVM's default truststore");
    assertEquals(List.of(), defaults.secretFiles());
  }

  @Test
  void tlsAuthenticationBecomesAPemKeystore() {
    ClusterSpec a = clusterA(new JsonObject().put("tls", tlsByPattern()).put("authentication", mtls()));
    assertEquals("SSL", a.security().get("security.protocol"));
    assertEquals("PEM", a.security().get("ssl.keystore.type"));
    assertEquals(pki.userCertPem(), a.security().get("ssl.keystore.certificate.chain"));
    assertEquals(pki.userKeyPem(), a.security().get("ssl.keystore.key"));
    assertFalse(a.security().containsKey("sasl.mechanism"));
    assertTrue(a.secretFiles().containsAll(List.of(secrets.file(SecretsDir.TLS_USER_SECRET, "user.crt"),
        secrets.file(SecretsDir.TLS_USER_SECRET, "user.key"))), a.secretFiles().toString());
    assertKafkaAcceptsSsl(a);
  }

  @Test
  void scramAndPlainBecomeJaasSettings() {
    ClusterSpec scram = clusterA(new JsonObject().put("tls", tlsByName())
        .put("authentication", sasl("scram-sha-512", "scram-user", SecretsDir.SCRAM_USER_SECRET)));
    assertEquals("SASL_SSL", scram.security().get("security.protocol"));
    assertEquals("SCRAM-SHA-512", scram.security().get("sasl.mechanism"));
    assertEquals(Map.of("module", ClusterSecurity.SCRAM_MODULE, "username", "scram-user",
        "password", io.vmm.testkit.SecuredListeners.SCRAM_PASSWORD), jaasOptions(scram.security()
        .get("sasl.jaas.config")), "one trailing newline stripped; quote, backslash and ';' survive");
    assertEquals(List.of(secrets.file(SecretsDir.CA_SECRET, "ca.crt"),
        secrets.file(SecretsDir.SCRAM_USER_SECRET, "password")), scram.secretFiles());

    ClusterSpec sha256 = clusterA(new JsonObject()
        .put("authentication", sasl("scram-sha-256", "u", SecretsDir.SCRAM_USER_SECRET)));
    assertEquals("SASL_PLAINTEXT", sha256.security().get("security.protocol"), "no tls block");
    assertEquals("SCRAM-SHA-256", sha256.security().get("sasl.mechanism"));

    ClusterSpec plain = clusterA(new JsonObject().put("tls", new JsonObject())
        .put("authentication", sasl("plain", "plain-user", SecretsDir.PLAIN_USER_SECRET)));
    assertEquals("SASL_SSL", plain.security().get("security.protocol"));
    assertEquals("PLAIN", plain.security().get("sasl.mechanism"));
    assertEquals(ClusterSecurity.PLAIN_MODULE, jaasOptions(plain.security().get("sasl.jaas.config")).get("module"));
    assertEquals("SASL_SSL", plain.producerConfig("p").get("security.protocol"));
  }

  @Test
  void jaasValuesAreQuotedAndEscaped() {
    for (String password : List.of("simple", "with \"quotes\"", "back\\slash\\", "semi;colon=x } {", "multi\nline\r\n",
        "tab\tand unicode \u00e9\u4e2d", "'single'", "// not a comment /* either */")) {
      secrets.put("odd", "password", password + "\n");
      ClusterSpec a = clusterA(new JsonObject().put("authentication", sasl("plain", "u\"ser\\", "odd")));
      Map<String, Object> options = jaasOptions(a.security().get("sasl.jaas.config"));
      assertEquals(password, options.get("password"), password);
      assertEquals("u\"ser\\", options.get("username"));
    }
  }

  @Test
  void onlyOneTrailingNewlineIsStripped() {
    secrets.put("pw", "password", "secret\n\n");
    assertEquals("secret\n", jaasOptions(clusterA(new JsonObject().put("authentication", sasl("plain", "u", "pw")))
        .security().get("sasl.jaas.config")).get("password"));
    secrets.put("pw", "password", "  secret \r\n");
    assertEquals("  secret ", jaasOptions(clusterA(new JsonObject().put("authentication", sasl("plain", "u", "pw")))
        .security().get("sasl.jaas.config")).get("password"));
  }

  // ------------------------------------------------------------------------------------------ bad or missing secrets

  @Test
  void missingSecretsNameTheJsonPathAndTheFile() {
    Path dir = secrets.root().resolve("nobody");
    assertEquals(List.of("clusters[0].authentication.passwordSecret: file " + dir.resolve("password")
        + " not found: no directory " + dir + " (is Secret nobody mounted under " + secrets.root() + "? set "
        + "VMM_SECRETS_DIR to change that directory)"),
        problems(new JsonObject().put("authentication", sasl("scram-sha-512", "u", "nobody"))));
    JsonObject auth = sasl("scram-sha-512", "u", SecretsDir.SCRAM_USER_SECRET);
    auth.getJsonObject("passwordSecret").put("password", "pass");
    assertEquals(List.of("clusters[0].authentication.passwordSecret: file "
        + secrets.file(SecretsDir.SCRAM_USER_SECRET, "pass") + " not found"),
        problems(new JsonObject().put("authentication", auth)));
    JsonObject tls = tlsByName();
    tls.getJsonArray("trustedCertificates").getJsonObject(0).put("certificate", "missing.crt");
    assertEquals(List.of("clusters[0].tls.trustedCertificates[0]: file "
        + secrets.file(SecretsDir.CA_SECRET, "missing.crt") + " not found"),
        problems(new JsonObject().put("tls", tls)));
    JsonObject pattern = tlsByPattern();
    pattern.getJsonArray("trustedCertificates").getJsonObject(0).put("pattern", "*.pem");
    assertEquals(List.of("clusters[0].tls.trustedCertificates[0]: pattern \"*.pem\" matches no file in "
        + secrets.root().resolve(SecretsDir.CA_SECRET)), problems(new JsonObject().put("tls", pattern)));
    secrets.put("empty", "password", "\n");
    assertEquals(List.of("clusters[0].authentication.passwordSecret: file " + secrets.file("empty", "password")
        + " is empty"), problems(new JsonObject().put("authentication", sasl("plain", "u", "empty"))));
    Path asDir = secrets.root().resolve("dir").resolve("password");
    assertTrue(asDir.toFile().mkdirs());
    assertEquals(List.of("clusters[0].authentication.passwordSecret: file " + asDir + " is a directory"),
        problems(new JsonObject().put("authentication", sasl("plain", "u", "dir"))));
    assertEquals(List.of("clusters[0].authentication.passwordSecret: secretName \"../x\" is not a Secret name "
        + "(letters, digits, '.', '_', '-')"), problems(new JsonObject().put("authentication", sasl("plain", "u",
        "../x"))));
  }

  @Test
  void badCertificatesAndKeysNameTheFileNeverTheContent() {
    String secretBody = "U0VDUkVUS0VZQllURVNTSE9VTEROT1RMRUFL";
    secrets.put("bad", "garbage.crt", "-----BEGIN CERTIFICATE-----\nAAAA" + secretBody
        + "\n-----END CERTIFICATE-----\n");
    secrets.put("bad", "der.crt", "not pem at all");
    secrets.put("bad", "pkcs1.key", "-----BEGIN RSA PRIVATE KEY-----\n" + secretBody
        + "\n-----END RSA PRIVATE KEY-----\n");
    secrets.put("bad", "enc.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + secretBody
        + "\n-----END ENCRYPTED PRIVATE KEY-----\n");
    secrets.put("bad", "junk.key", "-----BEGIN PRIVATE KEY-----\n" + secretBody + "\n-----END PRIVATE KEY-----\n");
    secrets.put("bad", "cert-as.key", pki.caPem());
    Path bad = secrets.root().resolve("bad");
    String certPath = "clusters[0].tls.trustedCertificates[0]: file ";
    String keyPath = "clusters[0].authentication.certificateAndKey: file ";

    List<String> p = problems(new JsonObject().put("tls", new JsonObject().put("trustedCertificates",
        new JsonArray().add(new JsonObject().put("secretName", "bad").put("certificate", "garbage.crt")))));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith(certPath + bad.resolve("garbage.crt") + " holds a certificate that does not "
        + "parse: "), p.toString());
    assertEquals(List.of(certPath + bad.resolve("der.crt") + " holds no PEM certificate (expected -----BEGIN "
        + "CERTIFICATE-----)"), problems(new JsonObject().put("tls", new JsonObject().put("trustedCertificates",
        new JsonArray().add(new JsonObject().put("secretName", "bad").put("certificate", "der.crt"))))));

    for (String[] c : new String[][] {
        {"pkcs1.key", " holds a \"RSA PRIVATE KEY\"; expected an unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----): "
            + "convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)"},
        {"enc.key", " holds a \"ENCRYPTED PRIVATE KEY\"; expected an unencrypted PKCS#8 key (-----BEGIN PRIVATE "
            + "KEY-----): encrypted keys are not supported; decrypt it (openssl pkcs8 -topk8 -nocrypt)"},
        {"junk.key", " is not a valid PKCS#8 private key (RSA, EC, Ed25519, Ed448, DSA)"},
        {"cert-as.key", " holds no PEM private key (expected -----BEGIN PRIVATE KEY-----)"}}) {
      secrets.put("bad", "user.crt", pki.userCertPem());
      JsonObject auth = new JsonObject().put("type", "tls").put("certificateAndKey", new JsonObject()
          .put("secretName", "bad").put("certificate", "user.crt").put("key", c[0]));
      assertEquals(List.of(keyPath + bad.resolve(c[0]) + c[1]),
          problems(new JsonObject().put("tls", new JsonObject()).put("authentication", auth)));
    }
    // no message carries the content of a secret file
    for (String key : List.of("pkcs1.key", "enc.key", "junk.key")) {
      JsonObject auth = new JsonObject().put("type", "tls").put("certificateAndKey", new JsonObject()
          .put("secretName", "bad").put("certificate", "garbage.crt").put("key", key));
      String text = String.join("\n", problems(new JsonObject().put("tls", new JsonObject()).put("authentication",
          auth)));
      assertFalse(text.contains(secretBody), text);
    }
  }

  @Test
  void blockErrorsAndConflicts() {
    JsonObject both = tlsByName();
    both.getJsonArray("trustedCertificates").getJsonObject(0).put("pattern", "*.crt");
    assertEquals(List.of("clusters[0].tls.trustedCertificates[0]: set either certificate or pattern, not both"),
        problems(new JsonObject().put("tls", both)));
    assertEquals(List.of("clusters[0].tls.trustedCertificates[0]: set certificate (a key of the Secret) or pattern "
        + "(e.g. \"*.crt\")"), problems(new JsonObject().put("tls", new JsonObject().put("trustedCertificates",
        new JsonArray().add(new JsonObject().put("secretName", "x"))))));
    assertEquals(List.of("clusters[0].authentication.type: tls authentication needs an encrypted connection: set "
        + "clusters[0].tls too ({} uses the JVM's default truststore)"),
        problems(new JsonObject().put("authentication", mtls())));
    assertEquals(List.of("clusters[0].authentication.type: expected tls, scram-sha-256, scram-sha-512, plain or "
        + "oauth, got \"gssapi\""), problems(new JsonObject().put("authentication", new JsonObject()
        .put("type", "gssapi"))));
    List<String> p = problems(new JsonObject().put("authentication", new JsonObject().put("type", "plain")
        .put("certificateAndKey", new JsonObject())));
    assertTrue(p.contains("clusters[0].authentication.username: required field is missing"), p.toString());
    assertTrue(p.contains("clusters[0].authentication.passwordSecret: required field is missing"), p.toString());
    assertTrue(p.stream().anyMatch(m -> m.startsWith("clusters[0].authentication.certificateAndKey: unknown field")),
        p.toString());

    p = problems(new JsonObject().put("tls", tlsByName())
        .put("authentication", sasl("scram-sha-512", "u", SecretsDir.SCRAM_USER_SECRET))
        .put("config", new JsonObject().put("security.protocol", "SSL").put("producer.sasl.jaas.config", "x")
            .put("ssl.truststore.location", "/x").put("ssl.endpoint.identification.algorithm", "")));
    assertEquals(List.of(
        "clusters[0].config.producer.sasl.jaas.config: is set from clusters[0].tls and clusters[0].authentication; "
            + "remove it from config",
        "clusters[0].config.security.protocol: is set from clusters[0].tls and clusters[0].authentication; remove "
            + "it from config",
        "clusters[0].config.ssl.truststore.location: conflicts with ssl.truststore.certificates, set from "
            + "clusters[0].tls and clusters[0].authentication; remove it from config"), p);
    // turning host name verification off stays possible, as in Strimzi
    assertEquals("", clusterA(new JsonObject().put("tls", tlsByName()).put("config", new JsonObject()
        .put("ssl.endpoint.identification.algorithm", ""))).consumerConfig("c")
        .get("ssl.endpoint.identification.algorithm"));
  }

  // ------------------------------------------------------------------------------------------ config providers

  @Test
  void configProvidersResolveBeforeValidation() throws Exception {
    Path props = tmp.resolve("kafka.properties");
    Files.writeString(props, "timeout=15000\npw=prop\\\"pw\n");
    JsonObject config = new JsonObject()
        .put("config.providers", "file,directory,env")
        .put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider")
        .put("config.providers.directory.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider")
        .put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider")
        .put("request.timeout.ms", "${file:" + props + ":timeout}")
        .put("security.protocol", "SASL_PLAINTEXT").put("sasl.mechanism", "PLAIN")
        .put("sasl.jaas.config", ClusterSecurity.PLAIN_MODULE + " required username=\"u\" password=\"${directory:"
            + secrets.root().resolve(SecretsDir.PLAIN_USER_SECRET) + ":password}\";")
        .put("client.id", "vmm-${env:PATH}");
    ClusterSpec a = clusterA(new JsonObject().put("config", config));
    assertEquals("15000", a.config().get("request.timeout.ms"));
    assertTrue(a.config().get("sasl.jaas.config").contains(io.vmm.testkit.SecuredListeners.PLAIN_PASSWORD),
        "DirectoryConfigProvider gives the file as it is (no newline stripped): Kafka's behaviour");
    assertEquals("vmm-" + System.getenv("PATH"), a.consumerConfig("x").get("client.id"));
    for (Map<String, Object> client : List.of(a.consumerConfig("c"), a.producerConfig("p"), a.adminConfig("a"))) {
      assertEquals("15000", client.get("request.timeout.ms"));
      assertEquals("file,directory,env", client.get("config.providers"));
    }
    // the providers reach the clients: Kafka's own client config resolves a variable added later (an override)
    Map<String, Object> consumer = a.consumerConfig("c");
    consumer.put("client.id", "${file:" + props + ":timeout}");
    assertEquals("15000", new ConsumerConfig(consumer).getString("client.id"));
    assertEquals(List.of(props.toAbsolutePath(), secrets.file(SecretsDir.PLAIN_USER_SECRET, "password")),
        a.secretFiles());
    assertFalse(a.toString().contains(io.vmm.testkit.SecuredListeners.PLAIN_PASSWORD), a.toString());
  }

  @Test
  void configProviderFailuresAreProblemsWithTheKeyPath() {
    Path missing = tmp.resolve("missing.properties");
    JsonObject config = new JsonObject()
        .put("config.providers", "file,directory,vault")
        .put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider")
        .put("config.providers.directory.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider")
        .put("ssl.key.password", "${file:" + missing + ":pw}")
        .put("ssl.truststore.password", "${directory:" + secrets.root().resolve(SecretsDir.PLAIN_USER_SECRET)
            + ":nope}")
        .put("ssl.keystore.password", "literal-secret ${directory:" + tmp.resolve("nodir") + ":pw}");
    List<String> p = problems(new JsonObject().put("config", config));
    assertEquals(4, p.size(), p.toString());
    assertEquals("clusters[0].config.config.providers: provider \"vault\" needs clusters[0].config."
        + "config.providers.vault.class (e.g. org.apache.kafka.common.config.provider.FileConfigProvider)", p.get(0));
    assertTrue(p.get(1).startsWith("clusters[0].config.ssl.key.password: ${file:" + missing + ":pw} does not "
        + "resolve: "), p.get(1));
    assertTrue(p.get(1).contains(missing.toString()), p.get(1));
    assertEquals("clusters[0].config.ssl.keystore.password: ${directory:" + tmp.resolve("nodir") + ":pw} does not "
        + "resolve: no file pw in directory " + tmp.resolve("nodir"), p.get(2));
    assertEquals("clusters[0].config.ssl.truststore.password: ${directory:"
        + secrets.root().resolve(SecretsDir.PLAIN_USER_SECRET) + ":nope} does not resolve: no file nope in "
        + "directory " + secrets.root().resolve(SecretsDir.PLAIN_USER_SECRET), p.get(3));
    assertFalse(String.join("\n", p).contains("literal-secret"), p.toString());

    assertEquals(List.of("clusters[0].config.config.providers.x.class: class com.example.Nope not found"),
        problems(new JsonObject().put("config", new JsonObject().put("config.providers", "x")
            .put("config.providers.x.class", "com.example.Nope"))));
  }

  @Test
  void allowedProvidersFollowKafkasSystemProperty() {
    String before = System.getProperty(ConfigProviders.ALLOWED_PROPERTY);
    System.setProperty(ConfigProviders.ALLOWED_PROPERTY,
        "org.apache.kafka.common.config.provider.FileConfigProvider");
    try {
      assertEquals(List.of("clusters[0].config.config.providers.env.class: org.apache.kafka.common.config.provider."
          + "EnvVarConfigProvider is not allowed by the system property org.apache.kafka.automatic.config.providers "
          + "(org.apache.kafka.common.config.provider.FileConfigProvider)"),
          problems(new JsonObject().put("config", new JsonObject().put("config.providers", "env")
              .put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider")
              .put("client.id", "${env:PATH}"))));
    } finally {
      if (before == null) {
        System.clearProperty(ConfigProviders.ALLOWED_PROPERTY);
      } else {
        System.setProperty(ConfigProviders.ALLOWED_PROPERTY, before);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ redaction

  @Test
  void noSecretIsPrinted() {
    ClusterSpec a = clusterA(new JsonObject().put("tls", tlsByPattern()).put("authentication", mtls()));
    ClusterSpec s = clusterA(new JsonObject().put("tls", tlsByName())
        .put("authentication", sasl("scram-sha-512", "scram-user", SecretsDir.SCRAM_USER_SECRET)));
    for (ClusterSpec spec : List.of(a, s)) {
      String text = spec.toString();
      assertFalse(text.contains(pki.userKeyBody().substring(0, 40)), text);
      assertFalse(text.contains(io.vmm.testkit.SecuredListeners.SCRAM_PASSWORD), text);
      assertFalse(text.contains("BEGIN"), "PEM printed as [PEM]: " + text);
      assertFalse(Secrets.redacted(spec.consumerConfig("c")).toString().contains(
          io.vmm.testkit.SecuredListeners.SCRAM_PASSWORD));
    }
    assertTrue(a.toString().contains("ssl.keystore.key=[hidden]"), a.toString());
    assertTrue(s.toString().contains("sasl.jaas.config=[hidden]"), s.toString());
    assertTrue(Secrets.isSecret("sasl.oauthbearer.assertion.private.key.passphrase"));
    assertTrue(Secrets.isSecret("ssl.keystore.key"));
    assertFalse(Secrets.isSecret("ssl.keystore.certificate.chain"));
    assertFalse(Secrets.isSecret("ssl.truststore.certificates"));
  }
}
