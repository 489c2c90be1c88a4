package io.vmm.supervisor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConfigDiff;
import io.vmm.config.ConfigException;
import io.vmm.config.ConfigSource;
import io.vmm.config.Environment;
import io.vmm.config.ConfigParser;
import io.vmm.config.MirrorMakerConfig;
import io.vmm.flow.FlowRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Applies a new config document to the running flows (live reconfiguration): validates it first (an invalid one
 * is rejected with its problems, logged once, and the running config stays), then starts added flows, stops
 * removed ones (progress stored), restarts flows whose settings changed, applies connector-state-only changes
 * without restarting, and hands the new config to the supervisor (logging levels, HTTP token). Flows not named
 * in the difference are not touched; ports and cluster mode need a process restart (logged). Counts reloads in
 * {@code vmm_config_reloads{result=applied|rejected}}. The running document again is no reload: nothing is applied,
 * counted or logged above DEBUG.
 * <p>
 * Threading: the supervisor's context.
 */
final class ConfigReloader {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

  private final Vertx vertx;
  private final Environment env;
  private final Flows flows;
  private final Consumer<MirrorMakerConfig> applied;
  private final Counter reloadsApplied;
  private final Counter reloadsRejected;
  private MirrorMakerConfig config;
  private JsonObject document;
  private JsonObject lastReload;

  /**
   * @param document the document the running config was parsed from; null: every flow that stays counts as changed
   * @param applied  told of each accepted config (before flows restart)
   */
  ConfigReloader(Vertx vertx, Flows flows, MirrorMakerConfig config, JsonObject document, Environment env,
                 MeterRegistry registry, Consumer<MirrorMakerConfig> applied) {
    this.vertx = vertx;
    this.env = env;
    this.flows = flows;
    this.config = config;
    this.document = document;
    this.applied = applied;
    this.reloadsApplied = Counter.builder("vmm_config_reloads").tag("result", "applied").register(registry);
    this.reloadsRejected = Counter.builder("vmm_config_reloads").tag("result", "rejected").register(registry);
  }

  /** The outcome of the last reload ({@code {"time","result",...}}), or null. */
  JsonObject lastReload() {
    return lastReload;
  }

  /**
   * Parses {@code doc} on a worker thread (it reads the secret and ConfigMap files it points to); completes on the
   * supervisor's context with the config, or with null after recording the problems as a rejected reload.
   */
  private Future<MirrorMakerConfig> parse(JsonObject doc) {
    return vertx.executeBlocking(() -> ConfigParser.parse(doc, env), false).recover(e -> {
      if (e instanceof ConfigException ce) {
        rejected(ce.problems());
        return Future.succeededFuture(null);
      }
      return Future.failedFuture(e);
    });
  }

  /**
   * Applies {@code rawDocument}; completes with the summary once every step is done (the previous summary, or
   * null, when it is the running document).
   */
  Future<JsonObject> reload(JsonObject rawDocument) {
    JsonObject doc = ConfigSource.unwrap(rawDocument);
    return parse(doc).compose(next -> next == null ? Future.succeededFuture(lastReload) : apply(doc, next));
  }

  private Future<JsonObject> apply(JsonObject doc, MirrorMakerConfig next) {
    ConfigDiff diff = ConfigDiff.of(document == null ? new JsonObject() : document, config, doc, next);
    if (doc.equals(document) && diff.flowsUnchanged() && diff.needsRestart().isEmpty()) {
      // the running document again (e.g. the file rewritten as it was): nothing to apply, nothing to report
      LOG.debug("config reload: the document is unchanged; nothing to apply");
      return Future.succeededFuture(lastReload);
    }
    config = next;
    document = doc;
    applied.accept(next);
    diff.needsRestart().forEach(c -> LOG.warn("config reload: {} takes effect only after a restart", c));
    List<Future<?>> steps = new ArrayList<>();
    for (String name : diff.removed()) {
      LOG.info("config reload: removing flow {}", name);
      steps.add(Flows.stopAndClose(flows.remove(name)));
    }
    for (String name : diff.changed()) {
      LOG.info("config reload: restarting flow {} with its new settings", name);
      steps.add(restart(flows.get(name), next.flow(name)));
    }
    for (String name : diff.stateChanged()) {
      LOG.info("config reload: applying the connector states of flow {}", name);
      steps.add(flows.get(name).applyStates(next.flow(name)));
    }
    for (String name : diff.added()) {
      FlowRunner fresh = flows.create(next.flow(name));
      flows.put(fresh);
      LOG.info("config reload: adding flow {}", name);
      steps.add(flows.startWithRetry(fresh));
    }
    flows.order(next.flows());
    reloadsApplied.increment();
    JsonObject summary = new JsonObject().put("time", Instant.now().toString()).put("result", "applied")
        .put("added", new JsonArray(diff.added())).put("removed", new JsonArray(diff.removed()))
        .put("restarted", new JsonArray(diff.changed())).put("stateChanged", new JsonArray(diff.stateChanged()))
        .put("needsRestart", new JsonArray(diff.needsRestart()));
    lastReload = summary;
    LOG.info("config reload applied: {}", summary.encode());
    return Future.join(steps).transform(ar -> Future.succeededFuture(summary));
  }

  /**
   * Secret files of {@code flowNames} changed (certificate rotation): re-reads the running document (secrets are
   * read at parse time) and restarts those flows' clients with the new contents, storing progress first. A
   * document that no longer parses (e.g. a certificate half written) is rejected like a bad reload; the running
   * flows stay and the next scan tries again.
   */
  Future<JsonObject> refreshSecrets(java.util.Set<String> flowNames) {
    if (document == null) {
      return Future.succeededFuture(null);
    }
    return parse(document).compose(next -> next == null ? Future.succeededFuture(lastReload)
        : restartFor(flowNames, next));
  }

  private Future<JsonObject> restartFor(java.util.Set<String> flowNames, MirrorMakerConfig next) {
    config = next;
    applied.accept(next);
    List<Future<?>> steps = new ArrayList<>();
    List<String> restarted = new ArrayList<>();
    for (String name : flowNames) {
      if (flows.get(name) == null || next.flow(name) == null) {
        continue;
      }
      restarted.add(name);
      LOG.info("secrets changed: restarting flow {} with the new secret files", name);
      steps.add(restart(flows.get(name), next.flow(name)));
    }
    flows.order(next.flows());
    JsonObject summary = new JsonObject().put("time", Instant.now().toString()).put("result", "applied")
        .put("secretsChanged", new JsonArray(restarted));
    lastReload = summary;
    return Future.join(steps).transform(ar -> Future.succeededFuture(summary));
  }

  /** Replaces {@code old} by a runner of {@code spec}: the old one stops (progress stored), then the new starts. */
  private Future<Void> restart(FlowRunner old, io.vmm.config.FlowSpec spec) {
    old.metrics().close(); // before the replacement registers the same meters (see FlowMetrics)
    FlowRunner fresh = flows.create(spec);
    flows.put(fresh);
    return old.stop().transform(ar -> flows.startWithRetry(fresh));
  }

  /**
   * Records a rejected document (logged and counted). The {@code ConfigWatcher} reports a file that stays invalid
   * once, so each call here is a new problem.
   */
  JsonObject rejected(List<String> problems) {
    JsonObject summary = new JsonObject().put("time", Instant.now().toString()).put("result", "rejected")
        .put("errors", new JsonArray(problems));
    reloadsRejected.increment();
    LOG.error("config reload rejected; the running config stays ({} problem{}):", problems.size(),
        problems.size() == 1 ? "" : "s");
    problems.forEach(p -> LOG.error("  {}", p));
    lastReload = summary;
    return summary;
  }
}
