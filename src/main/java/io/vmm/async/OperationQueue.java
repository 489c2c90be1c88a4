package io.vmm.async;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;

import java.util.function.Supplier;

/**
 * Runs a flow's operations one at a time, in call order, on the flow's own event-loop context, so connector state
 * needs no locks. Reads ({@link #now}) skip the queue: status and readiness answer at once, also while a start or
 * restart is in progress. Callable from any thread; results complete on the context.
 * <p>
 * Invariant: an operation starts only after every operation queued before it has completed (succeeded or failed);
 * a failure of one never blocks the next.
 */
public final class OperationQueue {

  private final Context context;
  private Future<?> last = Future.succeededFuture();

  public OperationQueue(Context context) {
    this.context = context;
  }

  public Context context() {
    return context;
  }

  /** Runs {@code op} on the context after every earlier operation has completed. */
  public <T> Future<T> serialized(Supplier<Future<T>> op) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      Future<T> f = last.transform(ar -> call(op));
      last = f;
      f.onComplete(promise);
    });
    return promise.future();
  }

  /** Runs {@code read} on the context now, without waiting for operations in progress. */
  public <T> Future<T> now(Supplier<Future<T>> read) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> call(read).onComplete(promise));
    return promise.future();
  }

  /** {@code op}'s result, completed on the context whichever thread completes the operation's own future. */
  private <T> Future<T> call(Supplier<Future<T>> op) {
    PromiseInternal<T> onContext = ((ContextInternal) context).promise();
    try {
      op.get().onComplete(onContext);
    } catch (RuntimeException e) {
      onContext.fail(e);
    }
    return onContext.future();
  }
}
