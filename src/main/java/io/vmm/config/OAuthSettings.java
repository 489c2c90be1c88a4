package io.vmm.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Strimzi's {@code authentication: {type: oauth, ...}} (client credentials) on Kafka's built-in OAUTHBEARER client
 * (KIP-768, Kafka 4.1's {@code sasl.oauthbearer.client.credentials.*} settings); no Strimzi OAuth library needed:
 * <pre>
 * tokenEndpointUri               -&gt; sasl.oauthbearer.token.endpoint.url (http or https)
 * clientId                       -&gt; sasl.oauthbearer.client.credentials.client.id
 * clientSecret {secretName, key} -&gt; sasl.oauthbearer.client.credentials.client.secret (the file's text, one
 *                                   trailing line break stripped)
 * scope                          -&gt; sasl.oauthbearer.scope
 * audience                       -&gt; JAAS option audience, sent by {@value #TOKEN_RETRIEVER}
 *                                   (sasl.oauthbearer.jwt.retriever.class), which Kafka's own retriever cannot
 * refreshToken {secretName, key} -&gt; JAAS option refreshToken: the same retriever uses the refresh-token grant
 *                                   (clientSecret then optional; clientId sent as client_id without it)
 * accessToken {secretName, key}  -&gt; sasl.oauthbearer.token.endpoint.url=file:&lt;secrets dir&gt;/&lt;secretName&gt;/&lt;key&gt;
 *                                   (a static JWT, re-read by Kafka when the file changes; instead of the three
 *                                   client-credentials fields)
 * connectTimeoutSeconds          -&gt; sasl.login.connect.timeout.ms
 * readTimeoutSeconds             -&gt; sasl.login.read.timeout.ms
 * httpRetryPauseMs               -&gt; sasl.login.retry.backoff.ms
 * tlsTrustedCertificates         -&gt; JAAS options ssl.truststore.type=PEM, ssl.truststore.certificates (the token
 *                                   endpoint's TLS; Kafka reads ssl.* JAAS options for it)
 * disableTlsHostnameVerification -&gt; JAAS option ssl.endpoint.identification.algorithm=""
 * saslExtensions {name: value}   -&gt; JAAS options extension_&lt;name&gt;
 * always: security.protocol SASL_SSL (with tls) or SASL_PLAINTEXT, sasl.mechanism=OAUTHBEARER,
 *         sasl.login.callback.handler.class=OAuthBearerLoginCallbackHandler,
 *         sasl.jaas.config=OAuthBearerLoginModule required [options];
 * </pre>
 * Fields neither Kafka's client nor our retriever handles ({@code username}/{@code passwordSecret} grants, client assertions, {@code maxTokenExpirySeconds}, ...) are config problems
 * rather than silently ignored, as is {@code accessTokenIsJwt: false} (Kafka validates tokens as JWTs).
 * <p>
 * Kafka 4 refuses token endpoints not listed in the system property {@value #ALLOWED_URLS}. The endpoint written
 * here is trusted (it comes from the operator's config file): when the property is unset, or holds only what this
 * class wrote, the endpoint is added to it (a JVM-wide side effect of parsing). When an operator set the property
 * ({@code -D}), it is respected: an endpoint it does not list is a config problem.
 */
final class OAuthSettings {

  /** Kafka's allow-list of OAuth endpoints (comma separated URLs); Kafka 4's default allows none. */
  static final String ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
  static final String LOGIN_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";
  /** Our token retriever for {@code audience} and {@code refreshToken} (kafka package; named, not linked). */
  static final String TOKEN_RETRIEVER = "io.vmm.kafka.OAuthTokenRetriever";
  static final String CALLBACK_HANDLER =
      "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler";

  private static final Set<String> FIELDS = JsonNode.set("type", "tokenEndpointUri", "clientId", "clientSecret",
      "scope", "tlsTrustedCertificates", "disableTlsHostnameVerification", "connectTimeoutSeconds",
      "readTimeoutSeconds", "httpRetryPauseMs", "saslExtensions", "accessTokenIsJwt", "accessToken", "audience",
      "refreshToken");
  private static final Set<String> UNSUPPORTED = JsonNode.set("username",
      "passwordSecret", "clientAssertion", "clientAssertionLocation", "clientAssertionType", "accessTokenLocation",
      "maxTokenExpirySeconds", "httpRetries", "enableMetrics", "includeAcceptHeader", "grantType",
      "clientAuthenticationMethod");
  /** What this class last wrote into {@link #ALLOWED_URLS}; a different value was set by someone else. */
  private static String written;

  private OAuthSettings() {
  }

  /** Adds the settings of an {@code oauth} block to {@code out}; problems are reported with their JSON path. */
  static void parse(JsonNode auth, boolean tls, SecretFiles secrets, Map<String, String> out, Problems problems) {
    List<String> present = auth.checkFields(FIELDS, UNSUPPORTED);
    present.forEach(p -> problems.add(p, "not supported by Kafka's built-in OAUTHBEARER client (client "
        + "credentials: tokenEndpointUri, clientId, clientSecret, scope; or a static accessToken)"));
    JsonNode tokenSecret = auth.object("accessToken");
    String endpoint;
    String clientId;
    if (tokenSecret != null) {
      endpoint = accessTokenFile(auth, tokenSecret, secrets, problems);
      clientId = null;
    } else {
      endpoint = auth.string("tokenEndpointUri", true);
      clientId = auth.string("clientId", true);
    }
    String secret = null;
    JsonNode refresh = tokenSecret != null ? null : auth.object("refreshToken");
    String refreshToken = refresh == null ? null : secrets.value(refresh, "key");
    JsonNode source = tokenSecret != null ? null : auth.object("clientSecret");
    if (source == null) {
      if (tokenSecret == null && refresh == null && !auth.has("clientSecret")) {
        problems.add(auth.pathOf("clientSecret"), "required field is missing");
      }
    } else {
      secret = secrets.value(source, "key");
    }
    if (!auth.bool("accessTokenIsJwt", true)) {
      problems.add(auth.pathOf("accessTokenIsJwt"), "Kafka's OAUTHBEARER client only accepts JWT access tokens");
    }
    if (endpoint != null && tokenSecret == null) {
      allowEndpoint(auth.pathOf("tokenEndpointUri"), endpoint, problems);
    }
    StringBuilder jaas = new StringBuilder(LOGIN_MODULE).append(" required");
    StringBuilder pem = new StringBuilder();
    List<JsonNode> trusted = auth.objects("tlsTrustedCertificates", false);
    for (JsonNode t : trusted) {
      String certs = ClusterSecurity.certificates(t, secrets, problems);
      if (certs != null) {
        pem.append(certs);
      }
    }
    if (!trusted.isEmpty()) {
      option(jaas, "ssl.truststore.type", "PEM");
      option(jaas, "ssl.truststore.certificates", pem.toString());
    }
    if (auth.bool("disableTlsHostnameVerification", false)) {
      option(jaas, "ssl.endpoint.identification.algorithm", "");
    }
    Map<String, String> extensions = auth.scalarMap("saslExtensions");
    new TreeMap<>(extensions).forEach((k, v) -> {
      if (!k.matches("[A-Za-z]+") || k.equals("auth")) {
        problems.add(auth.pathOf("saslExtensions." + k), "a SASL extension name is letters only and not \"auth\" "
            + "(RFC 7628)");
      } else {
        option(jaas, "extension_" + k, v);
      }
    });
    String audience = auth.string("audience", false);
    boolean ours = tokenSecret == null && (audience != null || refresh != null);
    if (ours) {
      if (audience != null) {
        option(jaas, "audience", audience);
      }
      if (refreshToken != null) {
        option(jaas, "refreshToken", refreshToken);
      }
    }
    jaas.append(';');
    if (ours) {
      out.put("sasl.oauthbearer.jwt.retriever.class", TOKEN_RETRIEVER);
    }

    out.put("security.protocol", tls ? "SASL_SSL" : "SASL_PLAINTEXT");
    out.put("sasl.mechanism", "OAUTHBEARER");
    out.put("sasl.login.callback.handler.class", CALLBACK_HANDLER);
    out.put("sasl.jaas.config", jaas.toString());
    out.put("sasl.oauthbearer.token.endpoint.url", endpoint == null ? "" : endpoint);
    if (tokenSecret == null) {
      out.put("sasl.oauthbearer.client.credentials.client.id", clientId == null ? "" : clientId);
      if (secret != null || refresh == null) {
        out.put("sasl.oauthbearer.client.credentials.client.secret", secret == null ? "" : secret);
      }
    }
    String scope = auth.string("scope", false);
    if (scope != null) {
      out.put("sasl.oauthbearer.scope", scope);
    }
    seconds(auth, "connectTimeoutSeconds", "sasl.login.connect.timeout.ms", out);
    seconds(auth, "readTimeoutSeconds", "sasl.login.read.timeout.ms", out);
    Integer pause = auth.integer("httpRetryPauseMs", null, 0, Integer.MAX_VALUE);
    if (pause != null) {
      out.put("sasl.login.retry.backoff.ms", Integer.toString(pause));
    }
  }

  /**
   * A static {@code accessToken: {secretName, key}}: Kafka's client reads a serialized JWT from a {@code file:} token
   * endpoint URL (its {@code FileJwtRetriever}, re-read when the file changes), so the Secret's file is that URL.
   * The client-credentials fields must then be absent.
   */
  private static String accessTokenFile(JsonNode auth, JsonNode tokenSecret, SecretFiles secrets, Problems problems) {
    for (String f : new String[]{"tokenEndpointUri", "clientId", "clientSecret"}) {
      if (auth.has(f)) {
        problems.add(auth.pathOf(f), "set either accessToken or tokenEndpointUri, clientId and clientSecret");
      }
    }
    if (secrets.value(tokenSecret, "key") == null) {
      return null;
    }
    String url = secrets.file(tokenSecret.string("secretName", true), tokenSecret.string("key", true))
        .toAbsolutePath().toUri().toString();
    allowUrl(tokenSecret.path(), url, problems);
    return url;
  }

  private static void option(StringBuilder jaas, String name, String value) {
    jaas.append(' ').append(name).append('=').append(ClusterSecurity.quote(value));
  }

  private static void seconds(JsonNode auth, String field, String key, Map<String, String> out) {
    Integer s = auth.integer(field, null, 1, 3600);
    if (s != null) {
      out.put(key, Long.toString(s * 1000L));
    }
  }

  /** See the class comment: allow {@code endpoint} in Kafka's URL allow-list, or report that the operator's doesn't. */
  private static synchronized void allowEndpoint(String path, String endpoint, Problems problems) {
    try {
      URI uri = new URI(endpoint);
      if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
          || uri.getHost() == null) {
        problems.add(path, "\"" + endpoint + "\" is not an http or https URL");
        return;
      }
    } catch (URISyntaxException e) {
      problems.add(path, "\"" + endpoint + "\" is not a URL: " + e.getReason());
      return;
    }
    allowUrl(path, endpoint, problems);
  }

  private static synchronized void allowUrl(String path, String endpoint, Problems problems) {
    String current = System.getProperty(ALLOWED_URLS);
    Set<String> urls = current == null || current.isBlank() ? new LinkedHashSet<>()
        : Arrays.stream(current.split(",")).map(String::trim).collect(Collectors.toCollection(LinkedHashSet::new));
    if (urls.contains(endpoint)) {
      return;
    }
    if (current != null && !current.equals(written)) {
      problems.add(path, endpoint + " is not listed in the system property " + ALLOWED_URLS + " (" + current
          + "); add it there, Kafka refuses OAuth endpoints it does not list");
      return;
    }
    urls.add(endpoint);
    written = String.join(",", urls);
    System.setProperty(ALLOWED_URLS, written);
  }
}
