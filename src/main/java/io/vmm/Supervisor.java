package io.vmm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.bus.Addresses;
import io.vmm.bus.BatchResult;
import io.vmm.bus.LocalCodec;
import io.vmm.bus.ProgressUpdate;
import io.vmm.bus.SourceBatch;
import io.vmm.kafka.ClusterProbe;
import io.vmm.replica.MemberView;
import io.vmm.replica.Membership;
import io.vmm.status.StatusMerge;
import io.vmm.config.ClusterSpec;
import io.vmm.config.ConfigDiff;
import io.vmm.config.ConfigException;
import io.vmm.config.ConfigLoader;
import io.vmm.config.ConfigParser;
import io.vmm.config.FlowSpec;
import io.vmm.config.MirrorMakerConfig;
import io.vmm.http.HttpVerticle;
import io.vmm.metrics.FlowMetrics;
import io.vmm.metrics.MetricsSetup;
import io.vmm.metrics.MetricsVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One replica's supervisor: registers the local codecs, runs a {@link FlowRunner} per flow, retries a flow that
 * could not start (e.g. a cluster unreachable) with a growing delay, serves the HTTP API and the metrics
 * endpoint, answers status/readiness/control requests on {@link Addresses#CONTROL}, applies config reloads,
 * and stops all flows in order.
 * <p>
 * <b>Cluster mode</b> ({@code cluster.enabled}): before the flows start, the supervisor learns the members
 * ({@link Membership}), answers other members on {@code vmm.member.<name>} (status, control, release of a unit)
 * and hands every member change to the flows ({@link FlowRunner#reassign}). Status and connector control cover
 * the whole cluster (merged by {@link StatusMerge}; a task operation goes to the member running the task);
 * readiness stays this replica's own. Every replica publishes its own status on {@link Addresses#STATUS}.
 * <p>
 * All state lives on the supervisor's own event-loop context; public methods may be called from any thread
 * (main, tests) and complete on that context.
 */
public final class Supervisor {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  private static final long RETRY_MIN_MS = 5_000;
  private static final long RETRY_MAX_MS = 60_000;
  /** Bound of one cluster check in readiness, ms. */
  private static final long PROBE_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final Context context;
  private final PrometheusMeterRegistry registry;
  private final Map<String, FlowRunner> runners = new LinkedHashMap<>();
  private final List<Long> retryTimers = new ArrayList<>();
  private final ClusterProbe probe;
  private final LogLevels logLevels = new LogLevels();
  private final Counter reloadsApplied;
  private final Counter reloadsRejected;
  private volatile MirrorMakerConfig config;
  private JsonObject document;
  private volatile boolean stopping;
  private final List<String> deployments = new ArrayList<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private volatile int httpPort = -1;
  private volatile int metricsPort = -1;
  private volatile String httpToken;
  private ConfigRetriever retriever;
  /** Cluster mode: follows the members; null alone. */
  private Membership membership;
  /** The members as last seen ({@code local} alone): decides which units run here. */
  private volatile MemberView view;
  private MessageConsumer<JsonObject> memberConsumer;
  private long statusTimer = -1;
  /** How often this replica publishes its status on {@link Addresses#STATUS}, ms. */
  static final long STATUS_PUBLISH_MS = 5_000;
  /** Bound of a request to another member (status, control), ms. */
  private static final long MEMBER_REQUEST_MS = 5_000;
  /** Bound of asking another member to release a unit (a task drains first), ms. */
  private static final long RELEASE_TIMEOUT_MS = 30_000;
  private JsonObject lastReload;
  private String lastReloadError;

  /** A supervisor with its own metrics registry and no config document (reloads restart every flow they touch). */
  public Supervisor(Vertx vertx, MirrorMakerConfig config) {
    this(vertx, config, null, MetricsSetup.newRegistry());
  }

  /**
   * @param vertx    the Vert.x instance (built with {@link MetricsSetup#newVertx} to report Vert.x and JVM metrics)
   * @param config   the validated config
   * @param document the document it was parsed from (Strimzi spec form), to diff reloads against; may be null
   * @param registry where every meter goes, served on {@code metrics.port}
   */
  public Supervisor(Vertx vertx, MirrorMakerConfig config, JsonObject document, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.context = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    this.config = config;
    this.document = document;
    this.registry = registry;
    this.probe = new ClusterProbe(vertx, Duration.ofMillis(PROBE_TIMEOUT_MS));
    this.reloadsApplied = Counter.builder("vmm_config_reloads").tag("result", "applied").register(registry);
    this.reloadsRejected = Counter.builder("vmm_config_reloads").tag("result", "rejected").register(registry);
    this.httpToken = token(config);
    this.view = MemberView.single(config.clustered() ? config.cluster().memberName() : "local");
    registerCodecs(vertx);
    logLevels.apply(config.loggers());
    for (FlowSpec flow : config.flows()) {
      runners.put(flow.name(), newRunner(flow));
    }
  }

  private FlowRunner newRunner(FlowSpec flow) {
    // each runner gets its own event-loop context, not tied to any deployment
    return new FlowRunner(vertx, flow, ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext(),
        new FlowMetrics(registry, flow.id().source(), flow.id().target()), view, config.clustered(),
        config.clustered() ? this::askRelease : FlowRunner.Handover.NONE);
  }

  private static String token(MirrorMakerConfig config) {
    String env = System.getenv("VMM_HTTP_TOKEN");
    return env != null && !env.isBlank() ? env : config.httpToken();
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

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(promise));
    return promise.future();
  }

  /**
   * Starts the HTTP API, the metrics endpoint and every flow. Completes when each flow's first attempt has
   * finished; a flow that failed is retried in the background (5 s, doubling up to 60 s) and does not fail this
   * future. Fails if a port cannot be bound.
   */
  public Future<Void> start() {
    return onContext(() -> {
      Future<Void> joined = !config.clustered() ? Future.succeededFuture()
          : Membership.start(vertx, context, config.cluster().memberName()).compose(m -> {
            membership = m;
            view = m.view();
            m.onChange(this::membersChanged);
            return registerMemberConsumer();
          }).compose(v -> Future.join(runners.values().stream().map(r -> r.useView(view)).toList()).mapEmpty());
      statusTimer = vertx.setPeriodic(STATUS_PUBLISH_MS, id -> localStatus()
          .onSuccess(s -> vertx.eventBus().publish(Addresses.STATUS, s)));
      consumers.add(vertx.eventBus().consumer(Addresses.TRANSLATE, this::routeTranslate));
      consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.CONTROL, this::onControl));
      HttpVerticle http = new HttpVerticle(config.httpPort(), () -> httpToken);
      MetricsVerticle metrics = new MetricsVerticle(registry, config.metricsPort());
      // the HTTP API and the flows start side by side: mirroring does not wait for the API
      Future<String> api = vertx.deployVerticle(http).onSuccess(id -> {
        deployments.add(id);
        httpPort = http.actualPort();
      });
      Future<String> scrape = vertx.deployVerticle(metrics).onSuccess(id -> {
        deployments.add(id);
        metricsPort = metrics.actualPort();
      });
      // in cluster mode the flows start once this replica knows the members and answers release requests
      Future<Void> flows = joined.compose(v -> {
        List<Future<Void>> firstAttempts = new ArrayList<>();
        runners.values().forEach(r -> firstAttempts.add(startWithRetry(r, RETRY_MIN_MS)));
        return Future.join(firstAttempts).transform(ar -> Future.succeededFuture());
      });
      Future.all(api, scrape).onSuccess(v -> LOG.info("REST API, health and status page on port {}, metrics on port {}",
          httpPort, metricsPort));
      return Future.all(api, scrape, flows).mapEmpty();
    });
  }

  /** The HTTP API's port once started (useful when {@code http.port} is 0), else -1. */
  public int httpPort() {
    return httpPort;
  }

  /** The metrics port once started (useful when {@code metrics.port} is 0), else -1. */
  public int metricsPort() {
    return metricsPort;
  }

  /** Routes {@link Addresses#TRANSLATE} requests to the named flow's checkpointer. */
  private void routeTranslate(Message<JsonObject> message) {
    String flow = message.body() == null ? null : message.body().getString("flow");
    String group = message.body() == null ? null : message.body().getString("group");
    if (flow == null || group == null) {
      message.fail(400, "flow and group are required");
      return;
    }
    if (!runners.containsKey(flow)) {
      message.fail(404, "unknown flow " + flow + "; flows: " + String.join(", ", runners.keySet()));
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.translate(flow), message.body())
        .onSuccess(reply -> message.reply(reply.body()))
        .onFailure(e -> message.fail(503, e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
            ? "flow " + flow + " does not emit checkpoints (not started, or checkpoints off)" : e.getMessage()));
  }

  /** Answers {@link Addresses#CONTROL} requests (status, readiness, connector and task operations). */
  private void onControl(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String op = body.getString("op", "");
    Future<?> result = switch (op) {
      case "status" -> status();
      case "ready" -> ready();
      default -> control(body);
    };
    result.onSuccess(message::reply).onFailure(e -> message.fail(
        e instanceof FlowRunner.ControlException ce ? ce.status() : 500, String.valueOf(e.getMessage())));
  }

  private JsonArray connectorNames() {
    JsonArray names = new JsonArray();
    runners.keySet().forEach(f -> {
      for (FlowRunner.Connector c : FlowRunner.Connector.values()) {
        names.add(f + "." + c.className);
      }
    });
    return names;
  }

  /**
   * A connector or task operation for the whole cluster: a task operation goes to the member running the task;
   * a connector operation is applied by every member (each runs part of the connector) and answered with the
   * connector's merged status. Alone, it is {@link #localControl}.
   */
  private Future<JsonObject> control(JsonObject body) {
    if (!config.clustered()) {
      return localControl(body);
    }
    String connector = body.getString("connector", "");
    String op = body.getString("op", "");
    FlowRunner runner = connector.lastIndexOf('.') < 0 ? null
        : runners.get(connector.substring(0, connector.lastIndexOf('.')));
    FlowRunner.Connector kind = runner == null ? null : FlowRunner.Connector.byName(runner.flow().name(), connector);
    if (kind == null) {
      return localControl(body); // answers the 404
    }
    if (op.endsWith("-task")) {
      String unit = kind == FlowRunner.Connector.SOURCE ? runner.taskUnit(body.getInteger("task", -1))
          : runner.unit(kind);
      String owner = view.owner(unit);
      if (owner.equals(view.self())) {
        return localControl(body);
      }
      return vertx.eventBus().<JsonObject>request(Addresses.member(owner), body.copy().put("op", "control")
              .put("controlOp", op), new DeliveryOptions().setSendTimeout(MEMBER_REQUEST_MS))
          .map(m -> m.body())
          .recover(e -> Future.failedFuture(e instanceof ReplyException re && re.failureCode() >= 400
              ? new FlowRunner.ControlException(re.failureCode(), re.getMessage())
              : new FlowRunner.ControlException(503, "member " + owner + " running " + unit + " did not answer: "
                  + e.getMessage())));
    }
    return localControl(body).compose(mine -> askOthers(body.copy().put("op", "control").put("controlOp", op))
        .map(others -> {
          List<JsonObject> each = new ArrayList<>();
          each.add(mine.copy().put("reporter", view.self()));
          others.forEach((m, c) -> each.add(c.copy().put("reporter", m)));
          return StatusMerge.connector(each);
        }));
  }

  /** Applies a connector or task operation to this replica's runner of the flow. */
  private Future<JsonObject> localControl(JsonObject body) {
    String connector = body.getString("connector");
    if (connector == null || connector.lastIndexOf('.') < 0) {
      return Future.failedFuture(new FlowRunner.ControlException(404, "unknown connector " + connector
          + "; connectors: " + connectorNames().encode()));
    }
    FlowRunner runner = runners.get(connector.substring(0, connector.lastIndexOf('.')));
    if (runner == null) {
      return Future.failedFuture(new FlowRunner.ControlException(404, "unknown connector " + connector
          + "; connectors: " + connectorNames().encode()));
    }
    return runner.control(connector, body.getString("controlOp", body.getString("op")), body.getInteger("task", -1),
        body.getBoolean("includeTasks", false), body.getBoolean("onlyFailed", false));
  }

  // ------------------------------------------------------------------------------------------ cluster mode

  /** This replica's cluster address {@code vmm.member.<key>}: status, control and release requests. */
  private Future<Void> registerMemberConsumer() {
    String address = Addresses.member(view.self());
    if (memberConsumer != null && memberConsumer.address().equals(address)) {
      return Future.succeededFuture();
    }
    Future<Void> old = memberConsumer == null ? Future.succeededFuture() : memberConsumer.unregister();
    memberConsumer = vertx.eventBus().consumer(address, this::onMember);
    return old.transform(ar -> memberConsumer.completion());
  }

  private void onMember(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    Future<?> result = switch (body.getString("op", "")) {
      case "status" -> localStatus();
      case "control" -> localControl(body);
      case "release" -> {
        FlowRunner runner = runners.get(body.getString("flow"));
        yield runner == null ? Future.succeededFuture("unknown flow")
            : runner.release(body.getString("unit"), body.getString("from")).map("released");
      }
      default -> Future.failedFuture(new FlowRunner.ControlException(400, "unknown op " + body.getString("op")));
    };
    result.onSuccess(message::reply).onFailure(e -> message.fail(
        e instanceof FlowRunner.ControlException ce ? ce.status() : 500, String.valueOf(e.getMessage())));
  }

  /** A member change: every flow hands over the units it lost and starts those it gained. */
  private void membersChanged(MemberView next) {
    if (stopping) {
      return;
    }
    view = next;
    registerMemberConsumer();
    runners.values().forEach(r -> r.reassign(next));
  }

  /** {@link FlowRunner.Handover} over the event bus; never fails (an unreachable member counts as released). */
  private Future<Void> askRelease(String member, String flow, String unit) {
    JsonObject request = new JsonObject().put("op", "release").put("flow", flow).put("unit", unit)
        .put("from", view.self());
    return vertx.eventBus().request(Addresses.member(member), request,
            new DeliveryOptions().setSendTimeout(RELEASE_TIMEOUT_MS))
        .transform(ar -> {
          if (ar.failed() && !(ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS)) {
            LOG.warn("{}: member {} did not confirm releasing {} ({}); starting it here anyway", flow, member, unit,
                ar.cause().getMessage());
          }
          return Future.succeededFuture();
        });
  }

  /** Sends {@code request} to every other member; the answers that came, by member (failures left out). */
  private Future<Map<String, JsonObject>> askOthers(JsonObject request) {
    Map<String, JsonObject> answers = new java.util.TreeMap<>();
    List<Future<?>> asks = new ArrayList<>();
    for (String m : view.members()) {
      if (!m.equals(view.self())) {
        asks.add(vertx.eventBus().<JsonObject>request(Addresses.member(m), request,
                new DeliveryOptions().setSendTimeout(MEMBER_REQUEST_MS))
            .onSuccess(reply -> answers.put(m, reply.body()))
            .onFailure(e -> LOG.debug("member {} did not answer {}: {}", m, request.getString("op"), e.toString())));
      }
    }
    return Future.join(asks).transform(ar -> Future.succeededFuture(answers));
  }

  private Future<Void> startWithRetry(FlowRunner runner, long delay) {
    return runner.start().onFailure(e -> {
      if (stopping || runners.get(runner.flow().name()) != runner) {
        return;
      }
      LOG.warn("{} will retry in {} s", runner.flow().name(), delay / 1000);
      retryTimers.add(vertx.setTimer(delay, id -> context.runOnContext(v -> {
        if (!stopping && runners.get(runner.flow().name()) == runner) {
          startWithRetry(runner, Math.min(delay * 2, RETRY_MAX_MS));
        }
      })));
    });
  }

  /**
   * Readiness: {@code {"ready": bool, "reasons": [...]}}; ready when every flow has started the connectors
   * requested running (or paused) and every cluster of every flow answers within 2 s.
   */
  public Future<JsonObject> ready() {
    return onContext(() -> {
      List<Future<JsonObject>> flows = new ArrayList<>();
      runners.values().forEach(r -> flows.add(r.readiness()));
      Set<ClusterSpec> clusters = new LinkedHashSet<>();
      runners.values().forEach(r -> {
        clusters.add(r.flow().source());
        clusters.add(r.flow().target());
      });
      List<Future<Void>> checks = new ArrayList<>();
      clusters.forEach(c -> checks.add(probe.check(context, c)));
      return Future.join(Future.join(flows), Future.join(checks)).transform(ar -> {
        JsonArray reasons = new JsonArray();
        for (Future<JsonObject> f : flows) {
          if (f.succeeded()) {
            f.result().getJsonArray("reasons").forEach(reasons::add);
          } else {
            reasons.add(String.valueOf(f.cause().getMessage()));
          }
        }
        for (Future<Void> c : checks) {
          if (c.failed()) {
            reasons.add(String.valueOf(c.cause().getMessage()));
          }
        }
        if (stopping) {
          reasons.add("stopping");
        }
        return Future.succeededFuture(new JsonObject().put("ready", reasons.isEmpty()).put("reasons", reasons));
      });
    });
  }

  // ------------------------------------------------------------------------------------------ reload

  /**
   * Watches the config file {@code path} (JSON, or YAML by extension; a KafkaMirrorMaker2 resource is accepted)
   * every {@code reload.scanPeriodMs} and applies each change with {@link #reload}. No-op when
   * {@code reload.enabled} is false.
   */
  public void watch(String path) {
    if (!config.reloadEnabled()) {
      return;
    }
    context.runOnContext(v -> {
      String lower = path.toLowerCase();
      ConfigStoreOptions store = new ConfigStoreOptions().setType("file")
          .setFormat(lower.endsWith(".yaml") || lower.endsWith(".yml") ? "yaml" : "json")
          .setConfig(new JsonObject().put("path", path));
      retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions().addStore(store)
          .setScanPeriod(config.reloadScanMs()));
      retriever.configStream().exceptionHandler(e -> rejected(List.of(path + ": " + e.getMessage())));
      retriever.listen(change -> reload(change.getNewConfiguration()));
      LOG.info("watching {} for changes every {} ms", path, config.reloadScanMs());
    });
  }

  /**
   * Applies a new config document: validates it first (an invalid one is rejected with its problems, logged,
   * and the running config stays), then starts added flows, stops removed ones (progress stored), restarts
   * flows whose settings changed, applies connector-state-only changes without restarting, and applies logging
   * levels and the HTTP token. Flows not named in the difference are not touched. Ports and cluster mode need a
   * process restart (logged). Completes with a summary (also in the status as {@code reload}).
   */
  public Future<JsonObject> reload(JsonObject rawDocument) {
    return onContext(() -> {
      JsonObject doc = ConfigLoader.unwrap(rawDocument);
      MirrorMakerConfig next;
      try {
        next = ConfigParser.parse(doc);
      } catch (ConfigException e) {
        return Future.succeededFuture(rejected(e.problems()));
      }
      MirrorMakerConfig previous = config;
      // without the old document (tests), every flow that stays counts as changed
      ConfigDiff diff = ConfigDiff.of(document == null ? new JsonObject() : document, previous, doc, next);
      config = next;
      document = doc;
      lastReloadError = null;
      logLevels.apply(next.loggers());
      httpToken = token(next);
      diff.needsRestart().forEach(c -> LOG.warn("config reload: {} takes effect only after a restart", c));
      List<Future<?>> steps = new ArrayList<>();
      for (String name : diff.removed()) {
        FlowRunner r = runners.remove(name);
        LOG.info("config reload: removing flow {}", name);
        steps.add(r.stop().onComplete(ar -> r.metrics().close()));
      }
      for (String name : diff.changed()) {
        FlowRunner old = runners.get(name);
        old.metrics().close(); // before the replacement registers the same meters (see FlowMetrics)
        FlowRunner fresh = newRunner(next.flow(name));
        runners.put(name, fresh);
        LOG.info("config reload: restarting flow {} with its new settings", name);
        steps.add(old.stop().transform(ar -> startWithRetry(fresh, RETRY_MIN_MS)));
      }
      for (String name : diff.stateChanged()) {
        LOG.info("config reload: applying the connector states of flow {}", name);
        steps.add(runners.get(name).applyStates(next.flow(name)));
      }
      for (String name : diff.added()) {
        FlowRunner fresh = newRunner(next.flow(name));
        runners.put(name, fresh);
        LOG.info("config reload: adding flow {}", name);
        steps.add(startWithRetry(fresh, RETRY_MIN_MS));
      }
      // keep the document's order for status and start-up
      Map<String, FlowRunner> ordered = new LinkedHashMap<>();
      next.flows().forEach(f -> ordered.put(f.name(), runners.get(f.name())));
      runners.clear();
      runners.putAll(ordered);
      reloadsApplied.increment();
      JsonObject summary = new JsonObject().put("time", Instant.now().toString()).put("result", "applied")
          .put("added", new JsonArray(diff.added())).put("removed", new JsonArray(diff.removed()))
          .put("restarted", new JsonArray(diff.changed())).put("stateChanged", new JsonArray(diff.stateChanged()))
          .put("needsRestart", new JsonArray(diff.needsRestart()));
      lastReload = summary;
      LOG.info("config reload applied: {}", summary.encode());
      return Future.join(steps).transform(ar -> Future.succeededFuture(summary));
    });
  }

  private JsonObject rejected(List<String> problems) {
    String text = String.join("; ", problems);
    JsonObject summary = new JsonObject().put("time", Instant.now().toString()).put("result", "rejected")
        .put("errors", new JsonArray(problems));
    if (!text.equals(lastReloadError)) { // a file that stays invalid is reported once
      lastReloadError = text;
      reloadsRejected.increment();
      LOG.error("config reload rejected; the running config stays ({} problem{}):", problems.size(),
          problems.size() == 1 ? "" : "s");
      problems.forEach(p -> LOG.error("  {}", p));
    }
    lastReload = summary;
    return summary;
  }

  // ------------------------------------------------------------------------------------------ stop, status

  /** Stops every flow in parallel (each drains and stores its progress); completes within about 10 s. */
  public Future<Void> stop() {
    return onContext(() -> {
      stopping = true;
      retryTimers.forEach(vertx::cancelTimer);
      vertx.cancelTimer(statusTimer);
      if (membership != null) {
        membership.close();
      }
      if (retriever != null) {
        retriever.close();
      }
      List<Future<Void>> stops = new ArrayList<>();
      for (FlowRunner runner : runners.values()) {
        stops.add(runner.stop().onComplete(ar -> runner.metrics().close()));
      }
      return Future.join(stops).timeout(9_000, TimeUnit.MILLISECONDS)
          .transform(ar -> Future.join(consumers.stream().map(MessageConsumer::unregister).toList()))
          .transform(ar -> memberConsumer == null ? Future.succeededFuture() : memberConsumer.unregister())
          .transform(ar -> Future.join(deployments.stream().map(vertx::undeploy).toList()))
          .transform(ar -> {
            probe.close();
            return Future.succeededFuture();
          });
    });
  }

  /**
   * Status of every flow, for the whole cluster in cluster mode: {@code {"flows":[...], "member":"<this>",
   * "members":[...answered], "unreachable":[...], "reload":{...}|null}}; each flow as {@link FlowRunner#status()},
   * merged over the members by {@link StatusMerge} (tasks and connectors carry the {@code worker_id} running
   * them, {@code owners} maps each unit to its member). Alone, {@code member} is {@code local}.
   */
  public Future<JsonObject> status() {
    if (!config.clustered()) {
      return localStatus();
    }
    return onContext(() -> localStatus().compose(mine -> askOthers(new JsonObject().put("op", "status"))
        .map(others -> {
          List<JsonObject> all = new ArrayList<>();
          all.add(mine);
          all.addAll(others.values());
          List<String> answered = new ArrayList<>(others.keySet());
          answered.add(view.self());
          answered.sort(null);
          List<String> unreachable = new ArrayList<>(view.members());
          unreachable.removeAll(answered);
          return new JsonObject().put("flows", StatusMerge.flows(all)).put("member", view.self())
              .put("members", new JsonArray(answered)).put("unreachable", new JsonArray(unreachable))
              .put("reload", mine.getValue("reload"));
        })));
  }

  /** This replica's own status: {@code {"flows":[...], "member":"<this>", "reload":{...}|null}}. */
  public Future<JsonObject> localStatus() {
    return onContext(() -> {
      List<Future<JsonObject>> all = new ArrayList<>();
      runners.values().forEach(r -> all.add(r.status()));
      JsonObject reload = lastReload;
      return Future.all(all).map(cf -> new JsonObject().put("flows", new JsonArray(cf.list()))
          .put("member", view.self()).put("reload", reload));
    });
  }

  public MirrorMakerConfig config() {
    return config;
  }
}
