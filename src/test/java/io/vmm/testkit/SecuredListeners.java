package io.vmm.testkit;

import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The secured client listeners a test broker gets, besides its {@code PLAINTEXT} listener (which tests keep using
 * for set-up and checks), all with the broker certificate of {@link TestCertificates} (PEM keystore):
 * <ul>
 *   <li>{@value #SSL}: TLS with client authentication required ({@code ssl.client.auth=required}), trusting the
 *       test CA: mutual TLS with {@link TestCertificates#userCertPem()};</li>
 *   <li>{@value #SASL_SSL}: TLS plus SASL with {@code SCRAM-SHA-512} (user {@link #SCRAM_USER}, created by
 *       {@link #createUsers}) and {@code PLAIN} (user {@link #PLAIN_USER}, in the listener's JAAS config);</li>
 *   <li>{@value #OAUTH}: TLS plus SASL OAUTHBEARER, validated by Kafka's built-in JWT validator against the JWKS
 *       of {@link TestOAuthServer} (started on first use; its client is {@link TestOAuthServer#CLIENT_ID}).</li>
 * </ul>
 * The passwords are random per JVM and contain a double quote, a backslash and a semicolon, so the JAAS quoting of
 * the client settings is exercised. No authorizer: every authenticated principal may do everything.
 */
public final class SecuredListeners {

  /** Listener name (and security protocol) of the mutual-TLS listener. */
  public static final String SSL = "SSL";
  /** Listener name (and security protocol) of the SCRAM-SHA-512 / PLAIN listener. */
  public static final String SASL_SSL = "SASL_SSL";
  /** Listener name of the SASL_SSL listener with OAUTHBEARER (JWTs of {@link TestOAuthServer}). */
  public static final String OAUTH = "OAUTH";
  public static final String SCRAM_USER = "scram-user";
  public static final String SCRAM_PASSWORD = "scram\"pw\\" + UUID.randomUUID().toString().substring(0, 8) + ";x";
  public static final String PLAIN_USER = "plain-user";
  public static final String PLAIN_PASSWORD = "plain\"pw\\" + UUID.randomUUID().toString().substring(0, 8) + ";y";

  private SecuredListeners() {
  }

  /** The three listeners, for {@link EmbeddedKafkaCluster#start(String, Map, List)}. */
  public static List<EmbeddedKafkaCluster.Listener> listeners() {
    TestCertificates pki = TestCertificates.get();
    Map<String, String> tls = new LinkedHashMap<>();
    tls.put("ssl.keystore.type", "PEM");
    tls.put("ssl.keystore.certificate.chain", pki.brokerChainPem());
    tls.put("ssl.keystore.key", pki.brokerKeyPem());
    tls.put("ssl.truststore.type", "PEM");
    tls.put("ssl.truststore.certificates", pki.caPem());

    Map<String, String> ssl = new LinkedHashMap<>(tls);
    ssl.put("ssl.client.auth", "required");

    Map<String, String> sasl = new LinkedHashMap<>(tls);
    sasl.put("sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
    sasl.put("scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    sasl.put("plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "user_" + PLAIN_USER + "=" + quote(PLAIN_PASSWORD) + ";");
    Map<String, String> oauth = new LinkedHashMap<>(tls);
    oauth.put("sasl.enabled.mechanisms", "OAUTHBEARER");
    oauth.put("oauthbearer.sasl.jaas.config",
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
    oauth.put("oauthbearer.sasl.server.callback.handler.class",
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler");
    oauth.put("oauthbearer.sasl.oauthbearer.jwks.endpoint.url", TestOAuthServer.get().jwksUrl());
    return List.of(new EmbeddedKafkaCluster.Listener(SSL, "SSL", ssl),
        new EmbeddedKafkaCluster.Listener(SASL_SSL, "SASL_SSL", sasl),
        new EmbeddedKafkaCluster.Listener(OAUTH, "SASL_SSL", oauth));
  }

  /** Broker-wide settings the listeners need: the JWKS endpoint of {@link TestOAuthServer}. */
  public static Map<String, String> brokerSettings() {
    return Map.of("sasl.oauthbearer.jwks.endpoint.url", TestOAuthServer.get().jwksUrl());
  }

  /**
   * Creates the SCRAM-SHA-512 user {@link #SCRAM_USER} over the PLAINTEXT listener and waits (up to 10 s) until
   * the broker has it. Blocking.
   */
  public static void createUsers(EmbeddedKafkaCluster cluster) {
    try {
      cluster.admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(SCRAM_USER,
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), SCRAM_PASSWORD))).all()
          .get(30, TimeUnit.SECONDS);
      Await.until("SCRAM user " + SCRAM_USER + " on " + cluster.name(), java.time.Duration.ofSeconds(10),
          () -> hasUser(cluster));
    } catch (Exception e) {
      throw new IllegalStateException("creating SCRAM user on " + cluster.name() + " failed: " + e, e);
    }
  }

  private static boolean hasUser(EmbeddedKafkaCluster cluster) {
    try {
      return !cluster.admin().describeUserScramCredentials(List.of(SCRAM_USER)).all().get(10, TimeUnit.SECONDS)
          .isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
