package io.vmm.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal OAuth 2 authorization server for tests, started once per JVM on 127.0.0.1 (plain HTTP, daemon
 * threads): {@code POST /token} implements the client credentials grant (client authentication with HTTP Basic,
 * as Kafka's OAUTHBEARER client sends it) and answers a JWT signed with an RS256 key; {@code GET /jwks} serves
 * that key's public part, for the brokers' built-in JWT validator. The JWT has {@code sub} = the client id,
 * {@code iat}, {@code exp} (1 h), and {@code scope} when the request has one. A wrong client id or secret gets
 * 401. Starting it adds both URLs to Kafka's allow-list system property
 * {@code org.apache.kafka.sasl.oauthbearer.allowed.urls} (Kafka 4 allows no OAuth URL by default).
 */
public final class TestOAuthServer {

  private static final Logger LOG = LoggerFactory.getLogger(TestOAuthServer.class);
  /** The one client this server knows. */
  public static final String CLIENT_ID = "vmm-mirror";
  /** Its secret, random per JVM (tests assert it never appears in logs). */
  public static final String CLIENT_SECRET = "oauth-secret-" + UUID.randomUUID();
  private static final String ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
  private static volatile TestOAuthServer instance;

  private final HttpServer server;
  private final RsaJsonWebKey key;
  private final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger tokensIssued = new AtomicInteger();

  private TestOAuthServer(HttpServer server, RsaJsonWebKey key) {
    this.server = server;
    this.key = key;
  }

  /** The server of this JVM, started on first use. */
  public static TestOAuthServer get() {
    TestOAuthServer s = instance;
    if (s == null) {
      synchronized (TestOAuthServer.class) {
        s = instance;
        if (s == null) {
          s = start();
          instance = s;
        }
      }
    }
    return s;
  }

  /** {@code http://127.0.0.1:<port>/token}. */
  public String tokenUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** {@code http://127.0.0.1:<port>/jwks}. */
  public String jwksUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
  }

  /** A refresh token this server accepts (grant {@code refresh_token}, with {@code client_id} {@link #CLIENT_ID}). */
  public static final String REFRESH_TOKEN = "refresh-" + UUID.randomUUID();

  /** Each granted request: its grant type and {@code audience=...} when one was sent. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** How many tokens were issued so far. */
  public int tokensIssued() {
    return tokensIssued.get();
  }

  private static TestOAuthServer start() {
    try {
      RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
      key.setKeyId("vmm-test-key");
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      TestOAuthServer s = new TestOAuthServer(server, key);
      server.createContext("/jwks", s::jwks);
      server.createContext("/token", s::token);
      server.setExecutor(null);
      server.start();
      String allowed = System.getProperty(ALLOWED_URLS);
      System.setProperty(ALLOWED_URLS, (allowed == null || allowed.isBlank() ? "" : allowed + ",")
          + s.tokenUrl() + "," + s.jwksUrl());
      LOG.info("test OAuth server at {} (JWKS {})", s.tokenUrl(), s.jwksUrl());
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (org.jose4j.lang.JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  private void jwks(HttpExchange ex) throws IOException {
    respond(ex, 200, new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
  }

  private void token(HttpExchange ex) throws IOException {
    String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET)
        .getBytes(StandardCharsets.UTF_8));
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    boolean clientCredentials = expected.equals(ex.getRequestHeaders().getFirst("Authorization"))
        && "client_credentials".equals(form.get("grant_type"));
    boolean refresh = "refresh_token".equals(form.get("grant_type")) && REFRESH_TOKEN.equals(form.get("refresh_token"))
        && CLIENT_ID.equals(form.get("client_id"));
    if (!"POST".equals(ex.getRequestMethod()) || !(clientCredentials || refresh)) {
      respond(ex, 401, "{\"error\":\"invalid_client\"}");
      return;
    }
    requests.add(form.get("grant_type") + (form.get("audience") == null ? "" : " audience=" + form.get("audience")));
    try {
      String jwt = sign(form.get("scope"));
      tokensIssued.incrementAndGet();
      respond(ex, 200, "{\"access_token\":\"" + jwt + "\",\"token_type\":\"bearer\",\"expires_in\":3600}");
    } catch (org.jose4j.lang.JoseException e) {
      respond(ex, 500, "{\"error\":\"server_error\"}");
    }
  }

  /** A token for {@link #CLIENT_ID}, valid 60 minutes, signed with the JWKS key (for a static {@code accessToken}). */
  public String mint() {
    try {
      return sign(null);
    } catch (org.jose4j.lang.JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  private String sign(String scope) throws org.jose4j.lang.JoseException {
    JwtClaims claims = new JwtClaims();
    claims.setSubject(CLIENT_ID);
    claims.setIssuedAtToNow();
    claims.setExpirationTimeMinutesInTheFuture(60);
    if (scope != null) {
      claims.setClaim("scope", scope);
    }
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(key.getPrivateKey());
    jws.setKeyIdHeaderValue(key.getKeyId());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    return jws.getCompactSerialization();
  }

  private static void respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
