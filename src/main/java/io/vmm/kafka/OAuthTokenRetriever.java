package io.vmm.kafka;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.oauthbearer.JwtRetriever;
import org.apache.kafka.common.security.oauthbearer.JwtRetrieverException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.login.AppConfigurationEntry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Gets access tokens for Kafka's OAUTHBEARER client where its own retrievers cannot: Strimzi's {@code oauth}
 * {@code audience} (sent with the client-credentials grant) and {@code refreshToken} (the refresh-token grant).
 * Plugged in through Kafka's {@code sasl.oauthbearer.jwt.retriever.class}; Kafka calls {@link #retrieve()} on its
 * login thread at login and before a token expires, and validates the returned JWT itself.
 * <p>
 * Settings: {@code sasl.oauthbearer.token.endpoint.url}, {@code sasl.oauthbearer.client.credentials.client.id} /
 * {@code .client.secret} (HTTP basic authentication when both are set; the id alone is sent as {@code client_id}),
 * {@code sasl.oauthbearer.scope}, {@code sasl.login.connect.timeout.ms} / {@code sasl.login.read.timeout.ms} (their
 * sum bounds a whole token request, body included; HTTP/1.1); JAAS
 * options {@code audience}, {@code refreshToken}, and {@code ssl.truststore.certificates} (PEM) with
 * {@code ssl.endpoint.identification.algorithm} for the endpoint's TLS. Errors name the endpoint and the HTTP
 * status, never a secret.
 */
public final class OAuthTokenRetriever implements JwtRetriever {

  /** JAAS option: the {@code audience} parameter of the token request. */
  public static final String AUDIENCE = "audience";
  /** JAAS option: a refresh token; when set, the refresh-token grant is used. */
  public static final String REFRESH_TOKEN = "refreshToken";

  private URI endpoint;
  private String clientId;
  private String clientSecret;
  private String scope;
  private String audience;
  private String refreshToken;
  private Duration readTimeout;
  /** Bound on one whole token request: connect plus read timeout (the JDK's request timeout ends at the headers). */
  private Duration exchangeTimeout;
  private HttpClient http;

  @Override
  public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasEntries) {
    Map<String, ?> options = jaasEntries.isEmpty() ? Map.of() : jaasEntries.get(0).getOptions();
    endpoint = URI.create(string(configs.get(SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL)));
    clientId = string(configs.get("sasl.oauthbearer.client.credentials.client.id"));
    clientSecret = string(configs.get("sasl.oauthbearer.client.credentials.client.secret"));
    scope = string(configs.get(SaslConfigs.SASL_OAUTHBEARER_SCOPE));
    audience = string(options.get(AUDIENCE));
    refreshToken = string(options.get(REFRESH_TOKEN));
    Duration connect = millis(configs.get(SaslConfigs.SASL_LOGIN_CONNECT_TIMEOUT_MS), 10_000);
    readTimeout = millis(configs.get(SaslConfigs.SASL_LOGIN_READ_TIMEOUT_MS), 10_000);
    exchangeTimeout = connect.plus(readTimeout);
    // HTTP/1.1 as Kafka's own retriever (no h2c upgrade on an http:// endpoint)
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connect);
    String pem = string(options.get("ssl.truststore.certificates"));
    if (pem != null) {
      builder.sslContext(sslContext(pem));
    }
    if ("".equals(options.get("ssl.endpoint.identification.algorithm"))) {
      SSLParameters params = new SSLParameters();
      params.setEndpointIdentificationAlgorithm(null);
      builder.sslParameters(params);
    }
    http = builder.build();
  }

  @Override
  public String retrieve() throws JwtRetrieverException {
    Map<String, String> form = new LinkedHashMap<>();
    if (refreshToken != null) {
      form.put("grant_type", "refresh_token");
      form.put("refresh_token", refreshToken);
    } else {
      form.put("grant_type", "client_credentials");
    }
    boolean basic = clientId != null && clientSecret != null;
    if (!basic && clientId != null) {
      form.put("client_id", clientId);
    }
    if (scope != null) {
      form.put("scope", scope);
    }
    if (audience != null) {
      form.put("audience", audience);
    }
    StringJoiner body = new StringJoiner("&");
    form.forEach((k, v) -> body.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(readTimeout)
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (basic) {
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
              + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> response;
    java.util.concurrent.CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    try {
      response = answer.get(exchangeTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new JwtRetrieverException("token request to " + endpoint + " failed: " + e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      answer.cancel(true);
      throw new JwtRetrieverException("token request to " + endpoint + " got no complete answer within "
          + exchangeTimeout.toMillis() + " ms (sasl.login.connect.timeout.ms + sasl.login.read.timeout.ms)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JwtRetrieverException("token request to " + endpoint + " interrupted");
    }
    if (response.statusCode() / 100 != 2) {
      throw new JwtRetrieverException("token request to " + endpoint + " answered HTTP " + response.statusCode());
    }
    try {
      String token = new JsonObject(response.body()).getString("access_token");
      if (token == null || token.isBlank()) {
        throw new JwtRetrieverException("token response of " + endpoint + " has no access_token");
      }
      return token;
    } catch (DecodeException | ClassCastException e) {
      throw new JwtRetrieverException("token response of " + endpoint + " is not a JSON object with access_token");
    }
  }

  private static SSLContext sslContext(String pem) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (java.security.GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("token endpoint trusted certificates: " + e.getMessage());
    }
  }

  private static String string(Object value) {
    Object v = value instanceof Password p ? p.value() : value;
    return v == null || v.toString().isEmpty() ? null : v.toString();
  }

  private static Duration millis(Object value, long fallback) {
    return Duration.ofMillis(value instanceof Number n ? n.longValue() : fallback);
  }
}
