package io.vmm.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
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
    return Future.fromCompletionStage(future.toCompletionStage(), context)
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .recover(e -> {
          Throwable root = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause() : e;
          return Future.failedFuture(new IllegalStateException(what + " failed: " + root, root));
        });
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
