package io.vmm.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vmm.async.StopSignal;
import org.apache.kafka.common.KafkaFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Bridges Kafka's {@link KafkaFuture} (Admin results) to Vert.x futures without blocking any thread. */
public final class KafkaFutures {

  private KafkaFutures() {
  }

  /**
   * A Vert.x future completed on {@code context} when {@code future} completes, failed after {@code timeout}.
   * Kafka completes its futures on the admin client's network thread; this hops back to the context.
   */
  public static <T> Future<T> on(Context context, KafkaFuture<T> future, Duration timeout, String what) {
    return on(context, future, timeout, what, StopSignal.NEVER);
  }

  /**
   * As {@link #on(Context, KafkaFuture, Duration, String)}, abandoned when {@code stop} fires: the returned
   * future then fails at once (on {@code context}) with a {@link StopSignal.Stopping} cause, unwrapped, and the
   * Kafka future is cancelled (the admin client may still finish the request; its result is ignored). Already
   * fired: fails at once.
   */
  public static <T> Future<T> on(Context context, KafkaFuture<T> future, Duration timeout, String what,
                                 StopSignal stop) {
    Future<T> bridged = Future.fromCompletionStage(future.toCompletionStage(), context)
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .recover(e -> {
          Throwable root = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause() : e;
          return Future.failedFuture(new IllegalStateException(what + " failed: " + root, root));
        });
    if (stop == StopSignal.NEVER) {
      return bridged;
    }
    PromiseInternal<T> result = ((ContextInternal) context).promise();
    Runnable abandon = () -> {
      result.tryFail(stop.stopping(what)); // first: the cancellation below also fails the bridged future
      future.cancel(true);
    };
    stop.onFire(abandon);
    bridged.onComplete(ar -> {
      stop.forget(abandon);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  /** True if {@code type} is in the cause chain of {@code e}. */
  public static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
