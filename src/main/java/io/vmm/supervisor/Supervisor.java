package io.vmm.supervisor;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.async.Budgets;
import io.vmm.async.PeriodicTask;
import io.vmm.bus.Addresses;
import io.vmm.bus.Codecs;
import io.vmm.bus.ControlRequest;
import io.vmm.config.ClusterSpec;
import io.vmm.config.ConfigWatcher;
import io.vmm.config.Environment;
import io.vmm.config.MirrorMakerConfig;
import io.vmm.flow.FlowRunner;
import io.vmm.http.HttpVerticle;
import io.vmm.kafka.ClusterProbe;
import io.vmm.metrics.MetricsSetup;
import io.vmm.metrics.MetricsVerticle;
import io.vmm.replica.MemberRpc;
import io.vmm.replica.MemberView;
import io.vmm.replica.Membership;
import io.vmm.replica.UnitOwnership;
import io.vmm.status.StatusMerge;
import io.vmm.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One replica's supervisor: registers the local codecs, runs the flows ({@link Flows}), serves the HTTP API and the
 * metrics endpoint, routes control requests ({@link ControlRouter}), applies config reloads ({@link ConfigReloader})
 * and stops everything in order within {@link Budgets#SHUTDOWN_MS}.
 * <p>
 * <b>Cluster mode</b> ({@code cluster.enabled}): before the flows start, the supervisor learns the members
 * ({@link Membership}), answers other members ({@link MemberRpc}) and hands every member change to the flows
 * ({@link FlowRunner#reassign}). Status and connector control cover the whole cluster (merged by
 * {@link StatusMerge}); readiness stays this replica's own. Every replica publishes its own status on
 * {@link Addresses#STATUS}.
 * <p>
 * All state lives on the supervisor's own event-loop context; public methods may be called from any thread (main,
 * tests) and complete on that context.
 */
public final class Supervisor implements MemberRpc.Handler {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  /** How often this replica publishes its status on {@link Addresses#STATUS}, ms. */
  static final long STATUS_PUBLISH_MS = 5_000;

  private final Vertx vertx;
  private final Environment env;
  private final Context context;
  private final PrometheusMeterRegistry registry;
  private final ClusterProbe probe;
  private final LogLevels logLevels = new LogLevels();
  private final Flows flows;
  private final MemberRpc rpc;
  private final ControlRouter router;
  private final ConfigReloader reloader;
  private final List<String> deployments = new ArrayList<>();
  /** The HTTP and metrics endpoints' deployments in progress (a stop during start-up waits for these only). */
  private Future<?> endpoints = Future.succeededFuture();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private volatile MirrorMakerConfig config;
  private volatile int httpPort = -1;
  private volatile int metricsPort = -1;
  private volatile String httpToken;
  private volatile MemberView view;
  private Membership membership;
  private ConfigWatcher watcher;
  private final JsonObject document;
  private PeriodicTask statusPublisher;
  private SecretWatcher secretWatcher;
  private final Tracing tracing;

  /** A supervisor with its own metrics registry and no config document (reloads restart every flow they touch). */
  public Supervisor(Vertx vertx, MirrorMakerConfig config) {
    this(vertx, config, null, MetricsSetup.newRegistry());
  }

  /**
   * A supervisor whose tracing is built from {@code config.tracing()} and the {@code OTEL_*} environment
   * ({@link Tracing#start}, which throws {@link io.vmm.config.ConfigException} on invalid {@code OTEL_*} settings).
   */
  public Supervisor(Vertx vertx, MirrorMakerConfig config, JsonObject document, PrometheusMeterRegistry registry) {
    this(vertx, config, document, registry, Tracing.start(config.tracing()), Environment.system());
  }

  /**
   * @param vertx    the Vert.x instance (built with {@link MetricsSetup#newVertx} to report Vert.x and JVM metrics)
   * @param config   the validated config
   * @param document the document it was parsed from (Strimzi spec form), to diff reloads against; may be null
   * @param registry where every meter goes, served on {@code metrics.port}
   * @param tracing  tracing of mirrored records for the whole run ({@link Tracing#disabled()} when off); closed by
   *                 {@link #stop()}
   * @param env      the environment the config was parsed with: reloads and secret refreshes parse with it too
   */
  public Supervisor(Vertx vertx, MirrorMakerConfig config, JsonObject document, PrometheusMeterRegistry registry,
                    Tracing tracing, Environment env) {
    this.vertx = vertx;
    this.env = env;
    this.tracing = tracing;
    this.context = ((VertxInternal) vertx).createEventLoopContext();
    this.config = config;
    this.registry = registry;
    this.document = document;
    this.probe = new ClusterProbe(vertx, Duration.ofMillis(Budgets.PROBE_MS));
    this.view = MemberView.single(config.clustered() ? config.cluster().memberName() : "local");
    Supplier<MemberView> views = () -> view;
    this.rpc = new MemberRpc(vertx, views, this);
    this.flows = new Flows(vertx, context, registry, views, config.clustered(),
        config.clustered() ? rpc::release : UnitOwnership.Handover.NONE, config.clientRack(),
        tracing);
    this.router = new ControlRouter(vertx, flows, config.clustered(), views, rpc, this::status, this::ready);
    this.reloader = new ConfigReloader(vertx, flows, config, document, env, registry, this::applied);
    Codecs.register(vertx);
    applied(config);
    config.flows().forEach(f -> flows.put(flows.create(f)));
  }

  /** A config accepted at start or by a reload: logging levels and the HTTP token apply at once. */
  private void applied(MirrorMakerConfig next) {
    config = next;
    logLevels.apply(next.loggers());
    httpToken = Environment.effectiveHttpToken(next, env);
  }

  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(promise));
    return promise.future();
  }

  /**
   * Starts the HTTP API, the metrics endpoint and every flow. Completes when each flow's first attempt has
   * finished; a flow that failed is retried in the background and does not fail this future. Fails if a port
   * cannot be bound.
   */
  public Future<Void> start() {
    return onContext(() -> {
      Future<Void> joined = !config.clustered() ? Future.succeededFuture() : joinCluster();
      secretWatcher = new SecretWatcher(vertx, config.reloadScanMs(), this::secretFilesByFlow,
          changed -> reloader.refreshSecrets(changed));
      statusPublisher = PeriodicTask.start(vertx, "status publish", STATUS_PUBLISH_MS, STATUS_PUBLISH_MS,
          () -> localStatus().onSuccess(s -> vertx.eventBus().publish(Addresses.STATUS, s)), LOG);
      consumers.add(vertx.eventBus().consumer(Addresses.TRANSLATE, router::onTranslate));
      consumers.add(vertx.eventBus().<ControlRequest>localConsumer(Addresses.CONTROL, router::onControl));
      HttpVerticle http = new HttpVerticle(config.httpPort(), () -> httpToken, () -> this.config);
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
      Future<Void> started = joined.compose(v -> Future.join(flows.all().stream().map(flows::startWithRetry).toList())
          .transform(ar -> Future.succeededFuture()));
      endpoints = Future.join(api, scrape);
      Future.all(api, scrape).onSuccess(v -> LOG.info("REST API, health and status page on port {}, metrics on port {}",
          httpPort, metricsPort));
      return Future.all(api, scrape, started).mapEmpty();
    });
  }

  private Future<Void> joinCluster() {
    return Membership.start(vertx, context, config.cluster().memberName()).compose(m -> {
      membership = m;
      view = m.view();
      m.onChange(this::membersChanged);
      return rpc.listen();
    }).compose(v -> Future.join(flows.all().stream().map(r -> r.useView(view)).toList()).mapEmpty());
  }

  /** A member change: every flow hands over the units it lost and starts those it gained. */
  private void membersChanged(MemberView next) {
    if (flows.stopping()) {
      return;
    }
    view = next;
    rpc.listen();
    flows.all().forEach(r -> r.reassign(next));
  }

  /** The secret files each flow's clients read (both clusters'), by flow name, from the running config. */
  private java.util.Map<String, java.util.Set<java.nio.file.Path>> secretFilesByFlow() {
    java.util.Map<String, java.util.Set<java.nio.file.Path>> out = new java.util.LinkedHashMap<>();
    for (var flow : config.flows()) {
      java.util.Set<java.nio.file.Path> files = new java.util.HashSet<>(flow.source().secretFiles());
      files.addAll(flow.target().secretFiles());
      out.put(flow.name(), files);
    }
    return out;
  }

  /** The HTTP API's port once started (useful when {@code http.port} is 0), else -1. */
  public int httpPort() {
    return httpPort;
  }

  /** The metrics port once started (useful when {@code metrics.port} is 0), else -1. */
  public int metricsPort() {
    return metricsPort;
  }

  public MirrorMakerConfig config() {
    return config;
  }

  // ------------------------------------------------------------------------------------------ member RPC

  @Override
  public Future<JsonObject> control(ControlRequest request) {
    return router.localControl(request);
  }

  @Override
  public Future<Void> release(String flow, String unit, String from) {
    FlowRunner runner = flows.get(flow);
    return runner == null ? Future.succeededFuture() : runner.release(unit, from);
  }

  // ------------------------------------------------------------------------------------------ readiness, status

  /**
   * Readiness: {@code {"ready": bool, "reasons": [...]}}; ready when every flow has started the connectors
   * requested running (or paused) and every cluster of every flow answers within {@link Budgets#PROBE_MS}.
   */
  public Future<JsonObject> ready() {
    return onContext(() -> {
      List<Future<JsonObject>> each = new ArrayList<>();
      flows.all().forEach(r -> each.add(r.readiness()));
      Set<ClusterSpec> clusters = new LinkedHashSet<>();
      flows.all().forEach(r -> {
        clusters.add(r.flow().source());
        clusters.add(r.flow().target());
      });
      List<Future<Void>> checks = new ArrayList<>();
      clusters.forEach(c -> checks.add(probe.check(context, c)));
      return Future.join(Future.join(each), Future.join(checks)).transform(ar -> {
        JsonArray reasons = new JsonArray();
        for (Future<JsonObject> f : each) {
          if (f.succeeded()) {
            f.result().getJsonArray("reasons").forEach(reasons::add);
          } else {
            reasons.add(String.valueOf(f.cause().getMessage()));
          }
        }
        checks.stream().filter(Future::failed).forEach(c -> reasons.add(String.valueOf(c.cause().getMessage())));
        if (flows.stopping()) {
          reasons.add("stopping");
        }
        return Future.succeededFuture(new JsonObject().put("ready", reasons.isEmpty()).put("reasons", reasons));
      });
    });
  }

  /**
   * Status of every flow, for the whole cluster in cluster mode: {@code {"flows":[...], "member":"<this>",
   * "members":[...answered], "unreachable":[...], "reload":{...}|null}}; each flow as {@link FlowRunner#status()},
   * merged over the members by {@link StatusMerge}. Alone, {@code member} is {@code local}.
   */
  public Future<JsonObject> status() {
    if (!config.clustered()) {
      return localStatus();
    }
    return onContext(() -> localStatus().compose(mine -> rpc.askOthers(ControlRequest.of("status")).map(others -> {
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
  @Override
  public Future<JsonObject> localStatus() {
    return onContext(() -> flows.statuses().map(list -> new JsonObject().put("flows", new JsonArray(list))
        .put("member", view.self()).put("reload", reloader.lastReload())));
  }

  // ------------------------------------------------------------------------------------------ reload, stop

  /**
   * Watches the config file {@code path} (JSON, or YAML by extension; a KafkaMirrorMaker2 resource is accepted)
   * every {@code reload.scanPeriodMs} and applies each change with {@link #reload}. No-op when
   * {@code reload.enabled} is false. An MM2 properties file is read with the {@code --clusters} limit
   * {@code onlyTargets} it was started with (empty: every flow).
   */
  public void watch(String path, java.util.Set<String> onlyTargets) {
    if (!config.reloadEnabled()) {
      return;
    }
    context.runOnContext(v -> watcher = ConfigWatcher.watch(vertx, path, onlyTargets, config.reloadScanMs(), document,
        this::reload, problem -> reloader.rejected(List.of(problem))));
  }

  /** Applies a new config document ({@link ConfigReloader}); completes with the reload summary. */
  public Future<JsonObject> reload(JsonObject rawDocument) {
    return onContext(() -> reloader.reload(rawDocument));
  }

  /**
   * Stops every flow in parallel (each drains and stores its progress) within {@link Budgets#FLOWS_MS}, then the
   * endpoints, and closes tracing ({@link Tracing#close}, within {@link Budgets#TRACING_CLOSE_MS}). May be called
   * while {@link #start()} is in progress: flow starts and their retries are abandoned, not awaited
   * ({@link FlowRunner#stop}); only the endpoints' deployments (a port bind) are waited for. Completes (never
   * fails) with what was not stored, per flow, from the source tasks' {@link io.vmm.bus.TaskStopReport}s.
   */
  public Future<StopSummary> stop() {
    return onContext(() -> {
      if (statusPublisher != null) {
        statusPublisher.cancel();
      }
      if (secretWatcher != null) {
        secretWatcher.close();
      }
      if (membership != null) {
        membership.close();
      }
      if (watcher != null) {
        watcher.close();
      }
      StopReports reports = new StopReports(vertx.eventBus());
      StopSummary[] summary = {StopSummary.STORED};
      return flows.stopAll()
          .transform(ar -> {
            summary[0] = reports.close(ar.succeeded() ? ar.result() : List.of(), Budgets.FLOWS_MS);
            return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
          })
          .transform(ar -> rpc.close())
          // a stop during start-up: the endpoints' deployments (a port bind) end before they are undeployed
          .transform(ar -> endpoints.timeout(Budgets.ROLE_MS, java.util.concurrent.TimeUnit.MILLISECONDS))
          .transform(ar -> Future.join(Future.join(deployments.stream().map(vertx::undeploy).toList()),
              tracing.close(vertx))) // after the producers: their last spans have ended
          .transform(ar -> {
            probe.close();
            return Future.succeededFuture(summary[0]);
          });
    });
  }
}
