package io.vmm.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vmm.bus.Addresses;

/**
 * The replica's HTTP API on {@code http.port} (default 8083; 0 picks a free port). For now:
 * {@code GET /api/offsets/translate?flow=A->B&group=g}, the target offsets a group should use, per partition,
 * with whether each is exact (the {@link Addresses#TRANSLATE} reply as JSON). Errors are JSON
 * {@code {"error": "..."}} with 400 (missing parameter), 404 (unknown flow) or 503 (not available).
 */
public final class HttpVerticle extends VerticleBase {

  private final int port;
  private volatile int actualPort = -1;
  private HttpServer server;

  public HttpVerticle(int port) {
    this.port = port;
  }

  /** The bound port once started. */
  public int actualPort() {
    return actualPort;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/api/offsets/translate").handler(this::translate);
    server = vertx.createHttpServer();
    return server.requestHandler(router).listen(port).onSuccess(s -> actualPort = s.actualPort());
  }

  private void translate(RoutingContext ctx) {
    String flow = ctx.request().getParam("flow");
    String group = ctx.request().getParam("group");
    if (flow == null || group == null) {
      error(ctx, 400, "query parameters flow (e.g. A->B) and group are required");
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.TRANSLATE, new JsonObject().put("flow", flow).put("group", group))
        .onSuccess(reply -> ctx.response().putHeader("content-type", "application/json").end(reply.body().encode()))
        .onFailure(e -> error(ctx, e instanceof ReplyException re && re.failureCode() >= 400 ? re.failureCode() : 503,
            e.getMessage()));
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
