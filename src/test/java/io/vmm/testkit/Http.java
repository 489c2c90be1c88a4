package io.vmm.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Plain HTTP calls from tests to a mirror's REST API, metrics or status page (and other local HTTP servers).
 * <p>
 * HTTP/1.1 only: the JDK client's default (HTTP/2) sends an {@code Upgrade: h2c} to a cleartext server, and
 * Vert.x's servers accept it; a response body larger than HTTP/2's first flow-control window could then stall
 * while the JDK's request timeout no longer runs (it ends at the response headers). The whole exchange, body
 * included, is bounded here ({@link #TIMEOUT}), so a stalled answer fails the test instead of hanging it.
 */
public final class Http {

  /** Bound on one whole exchange (connect, headers and body). */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final HttpClient CLIENT = client();

  private Http() {
  }

  /** A new client (a new connection per client), HTTP/1.1, 5 s connect timeout. */
  public static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** GET {@code url}. */
  public static HttpResponse<String> get(String url) {
    return send("GET", url, null);
  }

  /**
   * {@code method} on {@code url} without a body, with {@code Authorization: Bearer <token>} when {@code token}
   * is not null; the body read as UTF-8.
   *
   * @throws AssertionError naming the method and URL when the exchange fails or takes longer than {@link #TIMEOUT}
   */
  public static HttpResponse<String> send(String method, String url, String token) {
    return send(CLIENT, method, url, token);
  }

  /** {@link #send(String, String, String)} through {@code client}. */
  public static HttpResponse<String> send(HttpClient client, String method, String url, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(method + " " + url + ": interrupted", e);
    } catch (Exception e) {
      throw new AssertionError(method + " " + url + ": " + e, e);
    }
  }
}
