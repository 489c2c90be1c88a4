package io.vmm;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.bus.BatchResult;
import io.vmm.bus.LocalCodec;
import io.vmm.bus.ProgressUpdate;
import io.vmm.bus.SourceBatch;
import io.vmm.config.FlowSpec;
import io.vmm.config.MirrorMakerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One replica's supervisor: registers the local codecs, runs a {@link FlowRunner} per flow, retries a flow that
 * could not start (e.g. a cluster unreachable) with a growing delay, and stops all flows in order.
 * Call {@link #start()} and {@link #stop()} from a non-Vert.x thread (main) or any context.
 */
public final class Supervisor {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  private static final long RETRY_MIN_MS = 5_000;
  private static final long RETRY_MAX_MS = 60_000;

  private final Vertx vertx;
  private final MirrorMakerConfig config;
  private final List<FlowRunner> runners = new ArrayList<>();
  private final List<Long> retryTimers = new ArrayList<>();
  private volatile boolean stopping;
  private String httpDeployment;
  private io.vertx.core.eventbus.MessageConsumer<JsonObject> translateRouter;
  private volatile int httpPort = -1;

  public Supervisor(Vertx vertx, MirrorMakerConfig config) {
    this.vertx = vertx;
    this.config = config;
    registerCodecs(vertx);
    for (FlowSpec flow : config.flows()) {
      // each runner gets its own event-loop context, not tied to any deployment
      runners.add(new FlowRunner(vertx, flow, ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext()));
    }
  }

  /** Registers the zero-copy codecs of the data path on this Vert.x instance, once. */
  static void registerCodecs(Vertx vertx) {
    for (Class<?> type : List.of(SourceBatch.class, BatchResult.class, ProgressUpdate.class,
        io.vmm.bus.OffsetSyncBatch.class)) {
      register(vertx, type);
    }
  }

  private static <T> void register(Vertx vertx, Class<T> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another supervisor on this Vert.x instance did it
    }
  }

  /**
   * Starts every flow. Completes when each flow's first attempt has finished; a flow that failed is retried in
   * the background (5 s, doubling up to 60 s) and does not fail this future.
   */
  public Future<Void> start() {
    translateRouter = vertx.eventBus().consumer(io.vmm.bus.Addresses.TRANSLATE, this::routeTranslate);
    io.vmm.http.HttpVerticle http = new io.vmm.http.HttpVerticle(config.httpPort());
    // the HTTP API and the flows start side by side: mirroring does not wait for the API
    Future<String> api = vertx.deployVerticle(http).onSuccess(id -> {
      httpDeployment = id;
      httpPort = http.actualPort();
    });
    return Future.all(api, startFlows()).mapEmpty();
  }

  /** The HTTP API's port once started (useful when {@code http.port} is 0), else -1. */
  public int httpPort() {
    return httpPort;
  }

  /** Routes {@link io.vmm.bus.Addresses#TRANSLATE} requests to the named flow's checkpointer. */
  private void routeTranslate(io.vertx.core.eventbus.Message<JsonObject> message) {
    String flow = message.body() == null ? null : message.body().getString("flow");
    String group = message.body() == null ? null : message.body().getString("group");
    if (flow == null || group == null) {
      message.fail(400, "flow and group are required");
      return;
    }
    if (runners.stream().noneMatch(r -> r.flow().name().equals(flow))) {
      message.fail(404, "unknown flow " + flow + "; flows: "
          + String.join(", ", runners.stream().map(r -> r.flow().name()).toList()));
      return;
    }
    vertx.eventBus().<JsonObject>request(io.vmm.bus.Addresses.translate(flow), message.body())
        .onSuccess(reply -> message.reply(reply.body()))
        .onFailure(e -> message.fail(503, e instanceof io.vertx.core.eventbus.ReplyException re
            && re.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS
            ? "flow " + flow + " does not emit checkpoints (not started, or checkpoints off)" : e.getMessage()));
  }

  private Future<Void> startFlows() {
    List<Future<Void>> firstAttempts = new ArrayList<>();
    for (FlowRunner runner : runners) {
      firstAttempts.add(startWithRetry(runner, RETRY_MIN_MS));
    }
    return Future.join(firstAttempts).transform(ar -> Future.succeededFuture());
  }

  private Future<Void> startWithRetry(FlowRunner runner, long delay) {
    return runner.start().onFailure(e -> {
      if (stopping) {
        return;
      }
      LOG.warn("{} will retry in {} s", runner.flow().name(), delay / 1000);
      synchronized (retryTimers) {
        retryTimers.add(vertx.setTimer(delay, id -> {
          if (!stopping) {
            startWithRetry(runner, Math.min(delay * 2, RETRY_MAX_MS));
          }
        }));
      }
    });
  }

  /** Stops every flow in parallel (each drains and stores its progress); completes within about 10 s. */
  public Future<Void> stop() {
    stopping = true;
    synchronized (retryTimers) {
      retryTimers.forEach(vertx::cancelTimer);
    }
    List<Future<Void>> stops = new ArrayList<>();
    for (FlowRunner runner : runners) {
      stops.add(runner.stop());
    }
    return Future.join(stops).timeout(9_000, TimeUnit.MILLISECONDS)
        .transform(ar -> translateRouter == null ? Future.<Void>succeededFuture() : translateRouter.unregister())
        .transform(ar -> httpDeployment == null ? Future.succeededFuture() : vertx.undeploy(httpDeployment))
        .transform(ar -> Future.succeededFuture());
  }

  /** Status of every flow: {@code {"flows":[...]}}, see {@link FlowRunner#status()}. */
  public Future<JsonObject> status() {
    List<Future<JsonObject>> all = new ArrayList<>();
    runners.forEach(r -> all.add(r.status()));
    return Future.all(all).map(cf -> new JsonObject().put("flows", new JsonArray(cf.list())));
  }

  public MirrorMakerConfig config() {
    return config;
  }
}
