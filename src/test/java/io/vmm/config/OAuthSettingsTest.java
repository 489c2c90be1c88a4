package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.testkit.SecretsDir;
import io.vmm.testkit.TestCertificates;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code authentication.type: oauth} mapped onto Kafka's built-in OAUTHBEARER client settings. */
class OAuthSettingsTest {

  private static final String ENDPOINT = "https://sso.example.com/realms/kafka/protocol/openid-connect/token";

  @TempDir
  Path tmp;
  private SecretsDir secrets;
  private String allowedBefore;

  @BeforeEach
  void setUp() {
    secrets = SecretsDir.at(tmp);
    secrets.put("oauth", "secret", "s3cr\"et\n");
    secrets.put("ca", "ca.crt", TestCertificates.get().caPem());
    allowedBefore = System.getProperty(OAuthSettings.ALLOWED_URLS);
    System.clearProperty(OAuthSettings.ALLOWED_URLS);
  }

  @AfterEach
  void restore() {
    if (allowedBefore == null) {
      System.clearProperty(OAuthSettings.ALLOWED_URLS);
    } else {
      System.setProperty(OAuthSettings.ALLOWED_URLS, allowedBefore);
    }
  }

  private static JsonObject oauth() {
    return new JsonObject().put("type", "oauth").put("tokenEndpointUri", ENDPOINT).put("clientId", "mirror")
        .put("clientSecret", new JsonObject().put("secretName", "oauth").put("key", "secret"));
  }

  private JsonObject doc(JsonObject auth, boolean tls) {
    JsonObject doc = ConfigParserTest.valid();
    JsonObject a = doc.getJsonArray("clusters").getJsonObject(0).put("authentication", auth);
    if (tls) {
      a.put("tls", new JsonObject());
    }
    return doc;
  }

  private Environment env() {
    return new Environment(Map.of(Environment.SECRETS_DIR, secrets.root().toString()));
  }

  private ClusterSpec parse(JsonObject auth, boolean tls) {
    return ConfigParser.parse(doc(auth, tls), env()).clusters().get(0);
  }

  private List<String> problems(JsonObject auth) {
    return assertThrows(ConfigException.class, () -> ConfigParser.parse(doc(auth, true), env())).problems();
  }

  private static Map<String, ?> jaasOptions(String jaas) {
    return JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(jaas))).configurationEntries()
        .get(0).getOptions();
  }

  @Test
  void clientCredentialsMapToKafkaSettings() {
    ClusterSpec a = parse(oauth().put("scope", "kafka mirror").put("connectTimeoutSeconds", 5)
        .put("readTimeoutSeconds", 7).put("httpRetryPauseMs", 250).put("accessTokenIsJwt", true), true);
    Map<String, String> s = a.security();
    assertEquals("SASL_SSL", s.get("security.protocol"));
    assertEquals("OAUTHBEARER", s.get("sasl.mechanism"));
    assertEquals(OAuthSettings.CALLBACK_HANDLER, s.get("sasl.login.callback.handler.class"));
    assertEquals(OAuthSettings.LOGIN_MODULE + " required;", s.get("sasl.jaas.config"));
    assertEquals(ENDPOINT, s.get("sasl.oauthbearer.token.endpoint.url"));
    assertEquals("mirror", s.get("sasl.oauthbearer.client.credentials.client.id"));
    assertEquals("s3cr\"et", s.get("sasl.oauthbearer.client.credentials.client.secret"), "one newline stripped");
    assertEquals("kafka mirror", s.get("sasl.oauthbearer.scope"));
    assertEquals("5000", s.get("sasl.login.connect.timeout.ms"));
    assertEquals("7000", s.get("sasl.login.read.timeout.ms"));
    assertEquals("250", s.get("sasl.login.retry.backoff.ms"));
    assertEquals(ENDPOINT, System.getProperty(OAuthSettings.ALLOWED_URLS), "Kafka 4 must be allowed to call it");
    assertEquals(List.of(secrets.file("oauth", "secret")), a.secretFiles());
    assertFalse(a.toString().contains("s3cr"), a.toString());
    assertEquals("SASL_PLAINTEXT", parse(oauth(), false).security().get("security.protocol"));
    // a second endpoint is added to what this class wrote
    String other = "http://127.0.0.1:8080/token";
    parse(oauth().put("tokenEndpointUri", other), true);
    assertEquals(ENDPOINT + "," + other, System.getProperty(OAuthSettings.ALLOWED_URLS));
  }

  @Test
  void tokenEndpointTlsGoesIntoTheJaasOptions() {
    ClusterSpec a = parse(oauth().put("tlsTrustedCertificates", new JsonArray().add(new JsonObject()
            .put("secretName", "ca").put("pattern", "*.crt"))).put("disableTlsHostnameVerification", true)
        .put("saslExtensions", new JsonObject().put("traceId", "abc")), true);
    Map<String, ?> options = jaasOptions(a.security().get("sasl.jaas.config"));
    assertEquals(Map.of("ssl.truststore.type", "PEM", "ssl.truststore.certificates", TestCertificates.get().caPem(),
        "ssl.endpoint.identification.algorithm", "", "extension_traceId", "abc"), options);
  }

  @Test
  void unsupportedFieldsAndBadValuesAreProblems() {
    List<String> p = problems(oauth().put("maxTokenExpirySeconds", 60).put("accessTokenIsJwt", false)
        .put("tokenEndpointUri", "ftp://x/token").put("saslExtensions", new JsonObject().put("auth", "x")));
    assertEquals(List.of(
        "clusters[0].authentication.maxTokenExpirySeconds: not supported by Kafka's built-in OAUTHBEARER client (client "
            + "credentials: tokenEndpointUri, clientId, clientSecret, scope; or a static accessToken)",
        "clusters[0].authentication.accessTokenIsJwt: Kafka's OAUTHBEARER client only accepts JWT access tokens",
        "clusters[0].authentication.tokenEndpointUri: \"ftp://x/token\" is not an http or https URL",
        "clusters[0].authentication.saslExtensions.auth: a SASL extension name is letters only and not \"auth\" "
            + "(RFC 7628)"), p);
    JsonObject noSecret = oauth();
    noSecret.remove("clientSecret");
    assertEquals(List.of("clusters[0].authentication.clientSecret: required field is missing"), problems(noSecret));
    JsonObject missingFile = oauth();
    missingFile.getJsonObject("clientSecret").put("key", "nope");
    assertEquals(List.of("clusters[0].authentication.clientSecret: file " + secrets.file("oauth", "nope")
        + " not found"), problems(missingFile));
  }

  @Test
  void audienceAndRefreshTokenGoThroughOurRetriever() {
    secrets.put("refresh", "token", "r3fresh\n");
    JsonObject auth = oauth().put("audience", "brokers")
        .put("refreshToken", new JsonObject().put("secretName", "refresh").put("key", "token"));
    auth.remove("clientSecret");
    ClusterSpec a = parse(auth, true);
    assertEquals(OAuthSettings.TOKEN_RETRIEVER, a.security().get("sasl.oauthbearer.jwt.retriever.class"));
    assertEquals(io.vmm.kafka.OAuthTokenRetriever.class.getName(), OAuthSettings.TOKEN_RETRIEVER);
    Map<String, ?> options = jaasOptions(a.security().get("sasl.jaas.config"));
    assertEquals("brokers", options.get("audience"));
    assertEquals("r3fresh", options.get("refreshToken"), "one newline stripped");
    assertFalse(a.security().containsKey("sasl.oauthbearer.client.credentials.client.secret"));
    assertFalse(a.toString().contains("r3fresh"), a.toString());
    assertEquals(null, parse(oauth(), true).security().get("sasl.oauthbearer.jwt.retriever.class"),
        "client credentials without audience stay on Kafka's own retriever");
  }

  @Test
  void aStaticAccessTokenIsAFileTokenEndpoint() {
    secrets.put("token", "access-token", "header.payload.signature\n");
    JsonObject auth = new JsonObject().put("type", "oauth")
        .put("accessToken", new JsonObject().put("secretName", "token").put("key", "access-token"));
    ClusterSpec a = parse(auth, true);
    String url = secrets.file("token", "access-token").toAbsolutePath().toUri().toString();
    assertEquals(url, a.security().get("sasl.oauthbearer.token.endpoint.url"));
    assertFalse(a.security().containsKey("sasl.oauthbearer.client.credentials.client.id"));
    assertEquals(url, System.getProperty(OAuthSettings.ALLOWED_URLS), "Kafka 4 must be allowed to read it");
    assertEquals(List.of(secrets.file("token", "access-token")), a.secretFiles());
    assertFalse(a.toString().contains("header.payload"), a.toString());
    assertEquals(List.of("clusters[0].authentication.clientId: set either accessToken or tokenEndpointUri, clientId "
        + "and clientSecret"), problems(auth.copy().put("clientId", "x")));
    JsonObject missing = auth.copy();
    missing.getJsonObject("accessToken").put("key", "nope");
    assertEquals(List.of("clusters[0].authentication.accessToken: file " + secrets.file("token", "nope")
        + " not found"), problems(missing));
  }

  @Test
  void anOperatorsAllowListIsRespected() {
    System.setProperty(OAuthSettings.ALLOWED_URLS, "https://other/token");
    assertEquals(List.of("clusters[0].authentication.tokenEndpointUri: " + ENDPOINT + " is not listed in the system "
        + "property org.apache.kafka.sasl.oauthbearer.allowed.urls (https://other/token); add it there, Kafka "
        + "refuses OAuth endpoints it does not list"), problems(oauth()));
    System.setProperty(OAuthSettings.ALLOWED_URLS, "https://other/token, " + ENDPOINT);
    assertTrue(parse(oauth(), true).security().containsKey("sasl.oauthbearer.token.endpoint.url"));
    assertEquals("https://other/token, " + ENDPOINT, System.getProperty(OAuthSettings.ALLOWED_URLS));
  }
}
