package io.vmm.supervisor;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vmm.async.RetryPolicy;
import io.vmm.async.Budgets;
import io.vmm.config.FlowSpec;
import io.vmm.flow.FlowRunner;
import io.vmm.metrics.FlowMetrics;
import io.vmm.replica.MemberView;
import io.vmm.replica.UnitOwnership;
import io.vmm.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The flows of this replica: one {@link FlowRunner} per flow, each on its own event-loop context with its own
 * metrics, in the config's order. A flow that cannot start (a cluster unreachable) is retried in the background
 * after {@link RetryPolicy#FLOW_START}'s delays (5 s, doubling up to 60 s) while it is still the current runner
 * of its flow and the replica is not stopping.
 * <p>
 * Threading: used from the supervisor's context only.
 */
final class Flows {

  private static final Logger LOG = LoggerFactory.getLogger(Flows.class);

  private final Vertx vertx;
  private final Context context;
  private final PrometheusMeterRegistry registry;
  private final Supplier<MemberView> view;
  private final boolean clustered;
  private final UnitOwnership.Handover handover;
  private final String clientRack;
  private final Tracing tracing;
  private final Map<String, FlowRunner> runners = new LinkedHashMap<>();
  private final List<Long> retryTimers = new ArrayList<>();
  private boolean stopping;

  Flows(Vertx vertx, Context context, PrometheusMeterRegistry registry, Supplier<MemberView> view, boolean clustered,
        UnitOwnership.Handover handover, String clientRack, Tracing tracing) {
    this.clientRack = clientRack;
    this.tracing = tracing;
    this.vertx = vertx;
    this.context = context;
    this.registry = registry;
    this.view = view;
    this.clustered = clustered;
    this.handover = handover;
  }

  /** A new runner of {@code flow} (not started, not registered). */
  FlowRunner create(FlowSpec flow) {
    // each runner gets its own event-loop context, not tied to any deployment
    return new FlowRunner(vertx, flow, ((VertxInternal) vertx).createEventLoopContext(),
        new FlowMetrics(registry, flow.id().source(), flow.id().target(), runs(flow)), view.get(), clustered, handover,
        clientRack, tracing);
  }

  /** MM2 names of the connectors {@code flow} runs (those its mirror names). */
  private static List<String> runs(FlowSpec flow) {
    List<String> names = new ArrayList<>();
    for (io.vmm.config.ConnectorKind k : io.vmm.config.ConnectorKind.values()) {
      if (flow.connector(k).present()) {
        names.add(k.mm2Name());
      }
    }
    return names;
  }

  FlowRunner get(String name) {
    return runners.get(name);
  }

  Collection<FlowRunner> all() {
    return runners.values();
  }

  Collection<String> names() {
    return runners.keySet();
  }

  void put(FlowRunner runner) {
    runners.put(runner.flow().name(), runner);
  }

  FlowRunner remove(String name) {
    return runners.remove(name);
  }

  /** Keeps the runners in the order of {@code flows} (the config's). */
  void order(List<FlowSpec> flows) {
    Map<String, FlowRunner> ordered = new LinkedHashMap<>();
    flows.forEach(f -> ordered.put(f.name(), runners.get(f.name())));
    runners.clear();
    runners.putAll(ordered);
  }

  /**
   * Starts {@code runner}; completes with its first attempt; a failure is retried in the background. Once
   * {@link #stopAll} was called (e.g. a SIGTERM while joining the cluster) nothing starts.
   */
  Future<Void> startWithRetry(FlowRunner runner) {
    if (stopping) {
      return Future.succeededFuture();
    }
    return runner.start().onFailure(e -> retry(runner, 1));
  }

  private void retry(FlowRunner runner, int attempt) {
    if (!current(runner)) {
      return;
    }
    long delay = RetryPolicy.FLOW_START.delayMs(attempt);
    LOG.warn("{} will retry in {} s", runner.flow().name(), delay / 1000);
    retryTimers.add(vertx.setTimer(delay, id -> context.runOnContext(v -> {
      if (current(runner)) {
        runner.start().onFailure(e -> retry(runner, attempt + 1));
      }
    })));
  }

  private boolean current(FlowRunner runner) {
    return !stopping && runners.get(runner.flow().name()) == runner;
  }

  /** Stops {@code runner} (progress stored) and removes its meters; never fails. */
  static Future<Void> stopAndClose(FlowRunner runner) {
    return runner.stop().onComplete(ar -> runner.metrics().close());
  }

  /**
   * Stops every flow in parallel within {@link Budgets#FLOWS_MS}; no retry starts afterwards. Pending retry
   * timers are cancelled and a start in progress is abandoned ({@link FlowRunner#stop}), not awaited. Completes
   * (never fails) with the names of the flows whose stop did not finish within the budget.
   */
  Future<List<String>> stopAll() {
    stopping = true;
    retryTimers.forEach(vertx::cancelTimer);
    Map<String, Future<Void>> stops = new LinkedHashMap<>();
    runners.values().forEach(r -> stops.put(r.flow().name(), stopAndClose(r)));
    return Future.join(new ArrayList<>(stops.values())).timeout(Budgets.FLOWS_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          List<String> late = new ArrayList<>();
          stops.forEach((name, f) -> {
            if (!f.isComplete()) {
              late.add(name);
            }
          });
          if (!late.isEmpty()) {
            LOG.warn("flows {} did not stop within {} ms", late, Budgets.FLOWS_MS);
          }
          return Future.succeededFuture(late);
        });
  }

  boolean stopping() {
    return stopping;
  }

  /** Every flow's status on this member, in order. */
  Future<List<JsonObject>> statuses() {
    List<Future<JsonObject>> all = new ArrayList<>();
    runners.values().forEach(r -> all.add(r.status()));
    return Future.all(all).map(cf -> cf.<JsonObject>list());
  }
}
