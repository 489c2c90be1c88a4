package io.vmm.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vmm.async.Budgets;
import io.vmm.bus.Addresses;
import io.vmm.bus.ControlRequest;
import io.vmm.config.MirrorMakerConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The replica's HTTP API on {@code http.port} (default 8083; 0 picks a free port):
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process serves requests. {@code GET /health/ready}: 200 when every
 *       flow has started the connectors requested running or paused and every cluster answers within 2 s; else
 *       503 with the reasons ({@code {"status":"DOWN","checks":[{"id":"flows-and-clusters","status":"DOWN",
 *       "data":{"reasons":[...]}}]}}). The check is bounded at 4 s.</li>
 *   <li>Kafka Connect's REST API for the flows' connectors (named as Strimzi names them,
 *       {@code A->B.MirrorSourceConnector}, {@code ...MirrorCheckpointConnector}, {@code ...MirrorHeartbeatConnector};
 *       write {@code ->} as {@code -%3E} in URLs): {@code GET /connectors[?expand=status|info]},
 *       {@code GET /connectors/{name}}, {@code /status}, {@code /config} (Connect's flat string map, secrets
 *       hidden: {@link ConnectShapes#config}), {@code /tasks}, {@code /tasks/{id}/status};
 *       {@code PUT /connectors/{name}/pause|resume} (202), {@code PUT .../stop} (204),
 *       {@code POST .../restart[?includeTasks=&onlyFailed=]} (204, or 202 with the status when a parameter is
 *       given), {@code POST .../tasks/{id}/restart} (204), and ours: {@code PUT .../tasks/{id}/pause|resume} (202).
 *       Only the connectors the mirrors name exist here: one a mirror leaves out is not listed and answers 404.</li>
 *   <li>{@code GET /api/flows}: every flow with its connectors, tasks, partitions, throughput counters, lag and
 *       heartbeat age (see {@code FlowRunner.status()}). {@code GET /api/offsets/translate?flow=A->B&group=g}: the
 *       target offsets a group should use, per partition, with whether each is exact.</li>
 *   <li>{@code GET /}: the status page ({@code webroot/index.html}), which polls {@code /api/flows}.</li>
 * </ul>
 * Errors are JSON {@code {"error_code": <status>, "message": "<reason>"}} (Kafka Connect's shape). When a token
 * is configured ({@code http.token} or {@code VMM_HTTP_TOKEN}), the mutating endpoints (PUT, POST) require
 * {@code Authorization: Bearer <token>} and answer 401 without it. Handlers run on this verticle's event loop
 * and only talk to the supervisor over the event bus: {@link ControlRequest}s on {@link Addresses#CONTROL} (local),
 * answered with JSON (a failure's code is the HTTP status to answer). The Kafka Connect shapes are rendered by
 * {@link ConnectShapes}.
 */
public final class HttpVerticle extends VerticleBase {

  private static final long HEALTH_TIMEOUT_MS = Budgets.HEALTH_MS;
  private static final long STATUS_TIMEOUT_MS = Budgets.STATUS_MS;
  private static final long OPERATION_TIMEOUT_MS = Budgets.OPERATION_MS;

  private final int port;
  private final Supplier<String> token;
  private final Supplier<MirrorMakerConfig> config;
  private volatile int actualPort = -1;
  private HttpServer server;

  /**
   * @param port  port to bind, 0 for a free one
   * @param token supplies the bearer token mutating endpoints require, or null for none (read per request, so
   *              a config reload can change it)
   */
  public HttpVerticle(int port, Supplier<String> token) {
    this(port, token, () -> null);
  }

  /**
   * @param port   port to bind, 0 for a free one
   * @param token  as {@link #HttpVerticle(int, Supplier)}
   * @param config supplies the running config (read per request, so a reload shows), for
   *               {@code GET /connectors/{name}/config}; null from it: every name answers 404
   */
  public HttpVerticle(int port, Supplier<String> token, Supplier<MirrorMakerConfig> config) {
    this.port = port;
    this.token = token;
    this.config = config;
  }

  /** The bound port once started. */
  public int actualPort() {
    return actualPort;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    HealthChecks live = HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
    HealthChecks ready = HealthChecks.create(vertx).register("flows-and-clusters", HEALTH_TIMEOUT_MS, p ->
        control(ControlRequest.of("ready"), HEALTH_TIMEOUT_MS - 500)
            .onSuccess(r -> p.complete(r.getBoolean("ready") ? Status.OK()
                : Status.KO(new JsonObject().put("reasons", r.getJsonArray("reasons")))))
            .onFailure(e -> p.complete(Status.KO(new JsonObject().put("reasons", new JsonArray().add(e.getMessage()))))));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));

    router.get("/api/flows").handler(ctx -> control(ControlRequest.of("status"), STATUS_TIMEOUT_MS)
        .onSuccess(s -> json(ctx, 200, s)).onFailure(e -> fail(ctx, e)));
    router.get("/api/offsets/translate").handler(this::translate);

    router.get("/connectors").handler(this::listConnectors);
    router.get("/connectors/:name").handler(ctx -> connector(ctx, c -> ConnectShapes.info(ctx.pathParam("name"), c)));
    router.get("/connectors/:name/status").handler(ctx -> connector(ctx, ConnectShapes::status));
    router.get("/connectors/:name/config").handler(ctx -> {
      JsonObject c = ConnectShapes.config(config.get(), ctx.pathParam("name"));
      if (c == null) {
        error(ctx, 404, "unknown connector " + ctx.pathParam("name"));
      } else {
        json(ctx, 200, c);
      }
    });
    router.get("/connectors/:name/tasks").handler(ctx -> connector(ctx, ConnectShapes::tasks));
    router.get("/connectors/:name/tasks/:task/status").handler(ctx -> connector(ctx, c -> {
      for (Object t : c.getJsonArray("tasks")) {
        JsonObject task = (JsonObject) t;
        if (String.valueOf(task.getInteger("id")).equals(ctx.pathParam("task"))) {
          return ConnectShapes.task(task);
        }
      }
      throw new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404,
          "unknown task " + ctx.pathParam("task") + " of " + c.getString("name"));
    }));

    router.put("/connectors/:name/pause").handler(ctx -> mutate(ctx, "pause", 202));
    router.put("/connectors/:name/resume").handler(ctx -> mutate(ctx, "resume", 202));
    router.put("/connectors/:name/stop").handler(ctx -> mutate(ctx, "stop", 204));
    router.post("/connectors/:name/restart").handler(ctx -> mutate(ctx, "restart",
        ctx.request().getParam("includeTasks") != null || ctx.request().getParam("onlyFailed") != null ? 202 : 204));
    router.post("/connectors/:name/tasks/:task/restart").handler(ctx -> mutate(ctx, "restart-task", 204));
    router.put("/connectors/:name/tasks/:task/pause").handler(ctx -> mutate(ctx, "pause-task", 202));
    router.put("/connectors/:name/tasks/:task/resume").handler(ctx -> mutate(ctx, "resume-task", 202));

    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().last().handler(ctx -> error(ctx, 404, "no such resource: " + ctx.request().method() + " "
        + ctx.request().path()));
    server = vertx.createHttpServer();
    return server.requestHandler(router).listen(port).onSuccess(s -> actualPort = s.actualPort());
  }

  /** Asks this replica's supervisor; completes on this verticle's context with its JSON reply. */
  private Future<JsonObject> control(ControlRequest request, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(Addresses.CONTROL, request,
        Addresses.local().setSendTimeout(timeoutMs)).map(m -> m.body());
  }

  /** Answers with {@code render(connector status)} for the connector named in the path, or 404. */
  private void connector(RoutingContext ctx, Function<JsonObject, Object> render) {
    String name = ctx.pathParam("name");
    control(ControlRequest.of("status"), STATUS_TIMEOUT_MS).onSuccess(status -> {
      JsonObject c = ConnectShapes.find(status, name);
      if (c == null) {
        error(ctx, 404, "unknown connector " + name);
        return;
      }
      try {
        json(ctx, 200, render.apply(c));
      } catch (ReplyException e) {
        error(ctx, e.failureCode(), e.getMessage());
      }
    }).onFailure(e -> fail(ctx, e));
  }

  private void listConnectors(RoutingContext ctx) {
    String expand = ctx.request().getParam("expand");
    control(ControlRequest.of("status"), STATUS_TIMEOUT_MS).onSuccess(status -> {
      JsonArray names = ConnectShapes.names(status);
      if (expand == null) {
        json(ctx, 200, names);
        return;
      }
      JsonObject out = new JsonObject();
      for (Object n : names) {
        String name = (String) n;
        JsonObject c = ConnectShapes.find(status, name);
        JsonObject entry = new JsonObject();
        for (String x : ctx.request().params().getAll("expand")) {
          if (x.equals("status")) {
            entry.put("status", ConnectShapes.status(c));
          } else if (x.equals("info")) {
            entry.put("info", ConnectShapes.info(name, c));
          }
        }
        out.put(name, entry);
      }
      json(ctx, 200, out);
    }).onFailure(e -> fail(ctx, e));
  }

  /** A connector or task operation; answers {@code okStatus} (with the connector status for 202). */
  private void mutate(RoutingContext ctx, String op, int okStatus) {
    if (!authorized(ctx)) {
      return;
    }
    String task = ctx.pathParam("task");
    int taskId = -1;
    if (task != null) {
      try {
        taskId = Integer.parseInt(task);
      } catch (NumberFormatException e) {
        error(ctx, 400, "task id must be a number, got " + task);
        return;
      }
    }
    ControlRequest request = new ControlRequest(op, ctx.pathParam("name"), taskId,
        "true".equals(ctx.request().getParam("includeTasks")), "true".equals(ctx.request().getParam("onlyFailed")));
    control(request, OPERATION_TIMEOUT_MS).onSuccess(status -> {
      if (okStatus == 204) {
        ctx.response().setStatusCode(204).end();
      } else {
        json(ctx, okStatus, ConnectShapes.status(status));
      }
    }).onFailure(e -> fail(ctx, e));
  }

  private boolean authorized(RoutingContext ctx) {
    String expected = token.get();
    if (expected == null) {
      return true;
    }
    String header = ctx.request().getHeader("Authorization");
    byte[] given = (header == null ? "" : header).getBytes(StandardCharsets.UTF_8);
    if (MessageDigest.isEqual(given, ("Bearer " + expected).getBytes(StandardCharsets.UTF_8))) {
      return true;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    error(ctx, 401, header == null ? "this endpoint needs an Authorization: Bearer <token> header"
        : "the bearer token is not valid");
    return false;
  }

  private void translate(RoutingContext ctx) {
    String flow = ctx.request().getParam("flow");
    String group = ctx.request().getParam("group");
    if (flow == null || group == null) {
      error(ctx, 400, "query parameters flow (e.g. A->B) and group are required");
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.TRANSLATE, new JsonObject().put("flow", flow).put("group", group))
        .onSuccess(reply -> json(ctx, 200, reply.body()))
        .onFailure(e -> fail(ctx, e));
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    error(ctx, e instanceof ReplyException re && re.failureCode() >= 400 && re.failureCode() < 600
        ? re.failureCode() : 503, e.getMessage());
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body instanceof JsonArray a ? a.encode() : ((JsonObject) body).encode());
  }

  private static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error_code", status).put("message", message));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
