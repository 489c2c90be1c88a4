package io.vmm.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vmm.async.Budgets;
import io.vmm.async.StopSignal;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The source and target admin clients of one role of a flow (discovery, config sync, ACL sync). Created off the
 * event loop (creation resolves host names and starts a thread); calls are bridged to the caller's context and
 * bounded by the flow's {@code admin.timeout.ms}. Thread-safe: Kafka's Admin is.
 * <p>
 * Stop: {@link #close} fires the pair's {@link StopSignal} first, so every call still in flight fails at once with
 * a {@link StopSignal.Stopping} cause instead of waiting for {@code admin.timeout.ms}, then closes both admins with
 * {@link Budgets#ADMIN_CLOSE_MS} (zero: pending requests are abandoned, not awaited).
 */
public final class FlowAdmins {

  private final String flowName;
  private final Admin source;
  private final Admin target;
  private final Duration timeout;
  private final StopSignal stop;

  private FlowAdmins(String flowName, Admin source, Admin target, Duration timeout) {
    this.flowName = flowName;
    this.source = source;
    this.target = target;
    this.timeout = timeout;
    this.stop = new StopSignal(flowName + " admin");
  }

  /**
   * Creates both admins in parallel on worker threads; client ids are {@code <flow>|<role>|source-admin} and
   * {@code ...|target-admin}. Completes on the caller's context; on failure closes whichever was created.
   */
  public static Future<FlowAdmins> create(Vertx vertx, FlowSpec flow, String role) {
    Future<Admin> source = vertx.executeBlocking(
        () -> Admin.create(flow.source().adminConfig(flow.name() + "|" + role + "|source-admin")), false);
    Future<Admin> target = vertx.executeBlocking(
        () -> Admin.create(flow.target().adminConfig(flow.name() + "|" + role + "|target-admin")), false);
    Duration timeout = Duration.ofMillis(flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS));
    return Future.join(source, target).transform(ar -> {
      FlowAdmins admins = new FlowAdmins(flow.name(), source.result(), target.result(), timeout);
      return ar.succeeded() ? Future.succeededFuture(admins)
          : admins.close(vertx).transform(x -> Future.failedFuture(ar.cause()));
    });
  }

  public Admin source() {
    return source;
  }

  public Admin target() {
    return target;
  }

  /** The flow's {@code admin.timeout.ms}: the bound of each call. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * {@code future} as a Vert.x future completed on {@code context}, failed after {@code admin.timeout.ms}, or at
   * once with a {@link StopSignal.Stopping} cause when {@link #close} is called first.
   */
  public <T> Future<T> call(Context context, KafkaFuture<T> future, String what) {
    return KafkaFutures.on(context, future, timeout, flowName + " " + what, stop);
  }

  /** Fired by {@link #close}: work built on these admins may watch it too (e.g. a {@code RetryPolicy} run). */
  public StopSignal stopSignal() {
    return stop;
  }

  /**
   * Abandons every call in flight (their futures fail at once), then closes both admins in parallel on worker
   * threads with {@link Budgets#ADMIN_CLOSE_MS}, the whole within {@link Budgets#CLIENT_CLOSE_MS}; never fails.
   */
  public Future<Void> close(Vertx vertx) {
    stop.fire();
    return Future.join(close(vertx, source), close(vertx, target)).<Void>mapEmpty().otherwiseEmpty();
  }

  private static Future<Void> close(Vertx vertx, Admin admin) {
    if (admin == null) {
      return Future.succeededFuture();
    }
    return vertx.<Void>executeBlocking(() -> {
      admin.close(Duration.ofMillis(Budgets.ADMIN_CLOSE_MS));
      return null;
    }, false).timeout(Budgets.CLIENT_CLOSE_MS, TimeUnit.MILLISECONDS).otherwiseEmpty();
  }
}
