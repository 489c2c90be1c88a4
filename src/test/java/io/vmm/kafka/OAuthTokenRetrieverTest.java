package io.vmm.kafka;

import org.apache.kafka.common.security.oauthbearer.JwtRetrieverException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token request against a plain local HTTP server: a whole answer, and one whose body stalls. */
class OAuthTokenRetrieverTest {

  /** Answers one request with {@code head} + {@code body}, then keeps the connection open until released. */
  private static ServerSocket server(String body, int declaredLength, CountDownLatch release) throws IOException {
    ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (Socket s = ss.accept()) {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        in.read(buf); // the request (small: one read)
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + declaredLength
            + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        out.flush();
        release.await(30, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        // the test is over
      }
    }, "oauth-test-server");
    t.setDaemon(true);
    t.start();
    return ss;
  }

  private static OAuthTokenRetriever retriever(int port) {
    OAuthTokenRetriever r = new OAuthTokenRetriever();
    r.configure(Map.of("sasl.oauthbearer.token.endpoint.url", "http://127.0.0.1:" + port + "/token",
        "sasl.oauthbearer.client.credentials.client.id", "mirror",
        "sasl.oauthbearer.client.credentials.client.secret", "s3cret-value",
        "sasl.login.connect.timeout.ms", 300, "sasl.login.read.timeout.ms", 300), "OAUTHBEARER", List.of());
    return r;
  }

  @Test
  void aWholeAnswerGivesItsAccessToken() throws Exception {
    String body = "{\"access_token\":\"abc.def.ghi\",\"token_type\":\"Bearer\"}";
    CountDownLatch release = new CountDownLatch(1);
    try (ServerSocket ss = server(body, body.length(), release)) {
      assertEquals("abc.def.ghi", retriever(ss.getLocalPort()).retrieve());
    } finally {
      release.countDown();
    }
  }

  @Test
  void aStalledBodyFailsWithinConnectPlusReadTimeoutNamingNoSecret() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ServerSocket ss = server("{\"access", 100, release)) {
      long t0 = System.nanoTime();
      JwtRetrieverException e = assertThrows(JwtRetrieverException.class, () -> retriever(ss.getLocalPort()).retrieve());
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(ms < 5_000, "failed after " + ms + " ms");
      assertTrue(e.getMessage().contains("no complete answer within 600 ms"), e.getMessage());
      assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    } finally {
      release.countDown();
    }
  }
}
