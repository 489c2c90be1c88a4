package io.vmm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vmm.testkit.Chromium;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The status page ({@code src/main/resources/webroot/index.html}) in a real headless Chromium against a fixture
 * {@code GET api/flows}, served the way the app serves it: vertx-web {@link StaticHandler} on the classpath
 * webroot. No Kafka. Skipped when Chromium is not installed.
 *
 * <p>Virtual time (measured with Chromium 150): under {@code --virtual-time-budget} the page's poll timer and
 * its fetches work; Chromium fires timers without waiting in real time, a fetch costs only ~10 ms of virtual time,
 * and {@code performance.now()}/{@code Date.now()} follow virtual time. So a 5000 ms budget gives exactly three
 * polls (virtual t = 0, ~2, ~4 s) in about one second of wall time, and the throughput the page computes from
 * the fixture (recordCount + 1000 per call) is 1000 / 2.01 s = 497.5 records/s, deterministically.
 */
class StatusPageTest {

  private static final String DASH = "\u2013";

  private static Vertx vertx;
  private static HttpServer server;
  private static String base;
  private static final AtomicInteger flowsCalls = new AtomicInteger();
  private static final AtomicInteger flakyCalls = new AtomicInteger();

  @BeforeAll
  static void startServer() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route("/api/flows").handler(ctx -> json(ctx, 200, fixture(flowsCalls.incrementAndGet())));
    // The same page behind a path prefix, with an API that fails after its first answer.
    router.route("/flaky/api/flows").handler(ctx -> {
      if (flakyCalls.incrementAndGet() == 1) {
        json(ctx, 200, fixture(1));
      } else {
        json(ctx, 503, new JsonObject().put("error", "supervisor not ready"));
      }
    });
    router.route("/flaky/*").handler(StaticHandler.create("webroot"));
    router.route("/*").handler(StaticHandler.create("webroot"));
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort() + "/";
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void needChromium() {
    Assumptions.assumeTrue(Chromium.available(),
        "no headless browser: install Debian's chromium package (apt-get install chromium) or set CHROMIUM");
  }

  @Test
  void rendersFlowsTasksAndThroughput() {
    int before = flowsCalls.get();
    long start = System.nanoTime();
    String dom = Chromium.dumpDom(base, 5000);
    long wallMs = (System.nanoTime() - start) / 1_000_000;
    int polls = flowsCalls.get() - before;

    assertTrue(dom.matches("(?s).*<body[^>]*data-loaded=\"true\".*"), "body data-loaded:\n" + dom);
    assertTrue(dom.contains("id=\"flows\""), "flows table");
    assertTrue(dom.matches("(?s).*<div id=\"error\" hidden=\"\".*"), "error banner hidden");

    String ab = row(dom, "A->B");
    assertEquals("A->B", cell(ab, "flow-name"));
    assertEquals("RUNNING", cell(ab, "state-source"));
    assertTrue(ab.contains("badge s-RUNNING"), ab);
    assertEquals("RUNNING", cell(ab, "state-checkpoint"));
    assertEquals("PAUSED", cell(ab, "state-heartbeat"));
    assertEquals("1,234", cell(ab, "lag-records"));
    assertEquals("3.4 s", cell(ab, "lag-ms"));
    assertEquals("800 ms", cell(ab, "heartbeat-age"));
    assertEquals("0", cell(ab, "failed"));
    assertFalse(ab.contains("failed bad"), "no red failed cell on A->B");

    // Throughput needs two polls; see the class comment on virtual time.
    assertTrue(polls >= 2, "polls under a 5000 ms virtual-time budget: " + polls + " in " + wallMs + " ms wall");
    String throughput = cell(ab, "throughput");
    assertTrue(throughput.matches("[0-9][0-9,.]* rec/s"), "throughput after " + polls + " polls: " + throughput);
    Matcher value = Pattern.compile("data-value=\"([0-9.eE+-]+)\"").matcher(ab);
    assertTrue(value.find(), ab);
    // 1000 records per poll; polls are 2000 ms plus the fetch's ~10 ms of virtual time apart: 497.5 rec/s.
    double rate = Double.parseDouble(value.group(1));
    assertTrue(rate > 400 && rate <= 500.001, "records/s " + rate + " (" + polls + " polls in " + wallMs + " ms wall)");

    String ba = row(dom, "B->A");
    assertEquals("FAILED", cell(ba, "state-source"));
    assertTrue(ba.contains("badge s-FAILED"), ba);
    assertEquals("RUNNING", cell(ba, "state-checkpoint"));
    assertEquals(DASH, cell(ba, "state-heartbeat"), "absent heartbeat connector");
    assertTrue(ba.contains("title=\"not configured\""), "an omitted connector is marked not configured: " + ba);
    assertEquals(DASH, cell(ba, "lag-records"), "null lagRecords");
    assertEquals("2.0 min", cell(ba, "lag-ms"));
    assertEquals(DASH, cell(ba, "heartbeat-age"), "null heartbeatAgeMs");
    assertEquals("1", cell(ba, "failed"));
    assertTrue(ba.contains("class=\"num failed bad\""), "red failed cell: " + ba);

    // Task details: collapsed for a healthy flow, opened for one with errors (first render).
    assertFalse(detailsTag(dom, "A->B").contains(" open"), detailsTag(dom, "A->B"));
    assertTrue(detailsTag(dom, "B->A").contains(" open"), detailsTag(dom, "B->A"));
    assertTrue(dom.contains("tasks: 2 source, 1 checkpoint, 1 heartbeat \u00b7 3 partitions"), "A->B summary");
    assertTrue(dom.contains("<td class=\"tp\">orders-0</td><td class=\"remote-topic\">A.orders</td>"), dom);
    assertTrue(dom.contains("<td class=\"num lag-ms\">120 ms</td>"), "partition lag");
    assertTrue(dom.contains("<div class=\"task-error\">org.apache.kafka.common.errors.TopicAuthorizationException:"
        + " Not authorized to access topics: [payments]</div>"), "task error");
    assertTrue(dom.contains("<span class=\"err-count\">"), "error count in the summary");
  }

  @Test
  void keepsDataAndShowsBannerWhenApiFails() {
    // Behind a path prefix, even without the trailing slash: the page fetches /flaky/api/flows.
    String dom = Chromium.dumpDom(base + "flaky", 3000);
    assertTrue(flakyCalls.get() >= 2, "the page polled again: " + flakyCalls.get());
    assertTrue(dom.matches("(?s).*<body[^>]*data-loaded=\"true\".*"), dom);
    assertEquals("RUNNING", cell(row(dom, "A->B"), "state-source"), "last data still shown");
    assertEquals("FAILED", cell(row(dom, "B->A"), "state-source"), "last data still shown");
    Matcher banner = Pattern.compile("<div id=\"error\">([^<]*)</div>").matcher(dom);
    assertTrue(banner.find(), "visible error banner:\n" + dom);
    assertTrue(banner.group(1).contains("HTTP 503: supervisor not ready"), banner.group(1));
    assertTrue(banner.group(1).contains("showing data from"), banner.group(1));
  }

  @Test
  void screenshotIsNotBlank() throws Exception {
    Path png = Path.of("target", "status-page.png");
    Chromium.screenshot(base, png, 1200, 800, 3000);
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img, "readable PNG " + png.toAbsolutePath());
    assertEquals(1200, img.getWidth());
    assertEquals(800, img.getHeight());
    Set<Integer> colours = new HashSet<>();
    boolean green = false;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        green |= g > 100 && g > r + 50 && g > b + 40;
      }
    }
    assertTrue(colours.size() > 10, "distinct colours: " + colours.size());
    assertTrue(green, "a green RUNNING badge somewhere in " + png.toAbsolutePath());
    assertTrue(Files.size(png) > 5_000, "PNG size " + Files.size(png));
  }

  // --- fixture -------------------------------------------------------------------------------------------------

  /** Two flows; A->B's recordCount grows by 1000 per call, so the page computes a throughput. */
  private static JsonObject fixture(int call) {
    JsonObject running = new JsonObject().put("flow", "A->B").put("source", "A").put("target", "B")
        .put("recordCount", 1000L * call).put("byteCount", 99_999).put("lagRecords", 1234).put("lagMs", 3400)
        .put("heartbeatAgeMs", 800).put("failedPartitions", 0).put("sourceResets", 0)
        .put("connectors", new JsonObject()
            .put("source", connector("A->B.MirrorSourceConnector", "RUNNING", null, new JsonArray()
                .add(task(0, "RUNNING", null, new JsonArray()
                    .add(partition("orders", 0, "A.orders", "RUNNING", 7, 120))
                    .add(partition("orders", 1, "A.orders", "RUNNING", 0, 0))))
                .add(task(1, "RUNNING", null, new JsonArray()
                    .add(partition("users", 0, "A.users", "RUNNING", null, null))))))
            .put("checkpoint", connector("A->B.MirrorCheckpointConnector", "RUNNING", null,
                new JsonArray().add(task(0, "RUNNING", null, null))))
            .put("heartbeat", connector("A->B.MirrorHeartbeatConnector", "PAUSED", null,
                new JsonArray().add(task(0, "PAUSED", null, null)))));
    String error = "org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [payments]";
    JsonObject failed = new JsonObject().put("flow", "B->A").put("source", "B").put("target", "A")
        .put("recordCount", 50).put("byteCount", null).put("lagRecords", null).put("lagMs", 120_000)
        .put("heartbeatAgeMs", null).put("failedPartitions", 1).put("sourceResets", 2)
        .put("connectors", new JsonObject()
            .put("source", connector("B->A.MirrorSourceConnector", "FAILED", "1 of 1 tasks failed", new JsonArray()
                .add(task(0, "FAILED", error, new JsonArray()
                    .add(partition("payments", 0, "B.payments", "FAILED", null, null))))))
            .put("checkpoint", connector("B->A.MirrorCheckpointConnector", "RUNNING", null, new JsonArray())));
    return new JsonObject().put("flows", new JsonArray().add(running).add(failed)).put("member", "local");
  }

  private static JsonObject connector(String name, String state, String error, JsonArray tasks) {
    return new JsonObject().put("name", name).put("state", state).put("error", error).put("tasks", tasks);
  }

  private static JsonObject task(int id, String state, String error, JsonArray partitions) {
    JsonObject t = new JsonObject().put("id", id).put("state", state).put("error", error);
    return partitions == null ? t : t.put("partitions", partitions);
  }

  private static JsonObject partition(String topic, int partition, String remote, String state, Integer lag,
      Integer lagMs) {
    return new JsonObject().put("topic", topic).put("partition", partition).put("remoteTopic", remote)
        .put("state", state).put("mirroredOffset", 123).put("logEndOffset", 130).put("lagRecords", lag)
        .put("lagMs", lagMs).put("recordCount", 123);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  // --- DOM helpers (the dump is Chromium's serialization of elements the page built) -----------------------------

  /** The {@code <tr class="flow">} of {@code flow}, up to its closing tag. */
  private static String row(String dom, String flow) {
    // Chromium 138+ escapes < and > in attribute values too (2025 HTML serialization change); older ones don't.
    for (String value : new String[] {flow, flow.replace(">", "&gt;")}) {
      int from = dom.indexOf("<tr class=\"flow\" data-flow=\"" + value + "\">");
      if (from >= 0) {
        return dom.substring(from, dom.indexOf("</tr>", from) + 5);
      }
    }
    throw new AssertionError("no row " + flow + " in:\n" + dom);
  }

  /** The opening {@code <details>} tag of {@code flow}'s task list. */
  private static String detailsTag(String dom, String flow) {
    for (String value : new String[] {flow, flow.replace(">", "&gt;")}) {
      String open = "<details class=\"tasks-details\" data-flow=\"" + value + "\"";
      int from = dom.indexOf(open);
      if (from >= 0) {
        return dom.substring(from, dom.indexOf("\">", from + open.length() - 1) + 2);
      }
    }
    throw new AssertionError("no task details of " + flow + " in:\n" + dom);
  }

  /** Text of the first {@code <td>} in {@code row} whose class list contains {@code cls}. */
  private static String cell(String row, String cls) {
    Matcher m = Pattern.compile("<td class=\"([^\"]*)\"[^>]*>(.*?)</td>").matcher(row);
    while (m.find()) {
      if (Set.of(m.group(1).split(" ")).contains(cls)) {
        String text = m.group(2).replaceAll("<[^>]*>", "").trim();
        return text.replace("&gt;", ">").replace("&lt;", "<").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
      }
    }
    throw new AssertionError("no cell ." + cls + " in " + row);
  }
}
