package io.vmm.async;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flow's operations run one at a time in call order on its own context; a failure never blocks the next; reads
 * ({@code now}) skip the queue; results complete on the context.
 */
@ExtendWith(NoBlockedThreads.class)
class OperationQueueTest {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  static Vertx vertx;

  Context context;
  OperationQueue queue;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void newQueue() {
    context = ((VertxInternal) vertx).createEventLoopContext();
    queue = new OperationQueue(context);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(10, TimeUnit.SECONDS);
  }

  static void awaitDone(Future<?> f) {
    Await.until("the operation to complete", TIMEOUT, f::isComplete);
  }

  /** A future that succeeds after a timer on the current context (the operation ends asynchronously). */
  static Future<Void> later(long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }

  @Test
  void contextIsTheOneGiven() {
    assertSame(context, queue.context());
  }

  @Test
  void oneAtATimeInCallOrderFromSeveralThreads() throws Exception {
    int threads = 4;
    int perThread = 25;
    Object callOrder = new Object();
    AtomicInteger next = new AtomicInteger();
    List<Integer> ran = new CopyOnWriteArrayList<>();
    AtomicInteger active = new AtomicInteger();
    AtomicBoolean overlapped = new AtomicBoolean();
    AtomicBoolean offContext = new AtomicBoolean();
    List<Future<Integer>> results = new CopyOnWriteArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread caller = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < perThread; i++) {
          // the lock makes "call order" well defined across threads
          synchronized (callOrder) {
            int seq = next.getAndIncrement();
            results.add(queue.serialized(() -> {
              if (active.incrementAndGet() > 1) {
                overlapped.set(true);
              }
              if (Vertx.currentContext() != context) {
                offContext.set(true);
              }
              ran.add(seq);
              // half end at once, half after a timer hop: both must hold the queue until they end
              Future<Void> end = seq % 2 == 0 ? Future.succeededFuture() : later(1);
              return end.map(v -> {
                active.decrementAndGet();
                return seq;
              });
            }));
          }
        }
      }, "caller-" + t);
      callers.add(caller);
      caller.start();
    }
    go.countDown();
    for (Thread caller : callers) {
      caller.join(10_000);
    }
    assertEquals(threads * perThread, results.size());
    Future.all(results).await(10, TimeUnit.SECONDS);
    assertEquals(IntStream.range(0, threads * perThread).boxed().toList(), ran, "call order");
    assertFalse(overlapped.get(), "an operation started before the previous one completed");
    assertFalse(offContext.get(), "an operation ran off the queue's context");
    for (int i = 0; i < results.size(); i++) {
      assertTrue(results.get(i).succeeded());
    }
  }

  @Test
  void anOperationWaitsForTheOneBefore() throws Exception {
    Promise<String> first = Promise.promise();
    AtomicBoolean secondRan = new AtomicBoolean();
    Future<String> a = queue.serialized(() -> first.future());
    Future<String> b = queue.serialized(() -> {
      secondRan.set(true);
      return Future.succeededFuture("b");
    });
    await(queue.now(() -> Future.succeededFuture(null))); // the first has started by now
    assertFalse(secondRan.get());
    assertFalse(a.isComplete());
    context.runOnContext(v -> first.complete("a"));
    assertEquals("b", await(b));
    assertEquals("a", await(a));
    assertTrue(secondRan.get());
  }

  @Test
  void aFailureDoesNotBlockTheNext() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    IllegalStateException returned = new IllegalStateException("returned failure");
    IllegalStateException thrown = new IllegalStateException("thrown failure");
    Future<String> f1 = queue.serialized(() -> {
      ran.add("1");
      return Future.failedFuture(returned);
    });
    Future<String> f2 = queue.serialized(() -> {
      ran.add("2");
      throw thrown;
    });
    Future<String> f3 = queue.serialized(() -> {
      ran.add("3");
      return later(5).map("three");
    });
    Future<String> f4 = queue.serialized(() -> {
      ran.add("4");
      return later(5).compose(v -> Future.failedFuture(new IllegalStateException("async failure")));
    });
    Future<String> f5 = queue.serialized(() -> {
      ran.add("5");
      return Future.succeededFuture("five");
    });
    assertEquals("five", await(f5));
    awaitDone(f1);
    awaitDone(f2);
    awaitDone(f4);
    assertSame(returned, f1.cause());
    assertSame(thrown, f2.cause());
    assertEquals("three", f3.result());
    assertEquals("async failure", f4.cause().getMessage());
    assertEquals(List.of("1", "2", "3", "4", "5"), ran);
  }

  @Test
  void nowRunsWhileALongOperationIsPending() throws Exception {
    Promise<Void> longOp = Promise.promise();
    AtomicBoolean longStarted = new AtomicBoolean();
    AtomicBoolean queuedRan = new AtomicBoolean();
    Future<Void> restart = queue.serialized(() -> {
      longStarted.set(true);
      return longOp.future();
    });
    Future<String> queued = queue.serialized(() -> {
      queuedRan.set(true);
      return Future.succeededFuture("queued");
    });
    AtomicReference<Context> readOn = new AtomicReference<>();
    String status = await(queue.now(() -> {
      readOn.set(Vertx.currentContext());
      return Future.succeededFuture("status");
    }));
    assertEquals("status", status);
    assertSame(context, readOn.get(), "reads run on the queue's context too");
    assertTrue(longStarted.get());
    assertFalse(restart.isComplete());
    assertFalse(queuedRan.get(), "serialized operations still wait");
    assertFalse(queued.isComplete());

    context.runOnContext(v -> longOp.complete());
    assertEquals("queued", await(queued));
    assertTrue(restart.succeeded());
  }

  @Test
  void nowReportsFailures() {
    Future<String> returned = queue.now(() -> Future.failedFuture("no status"));
    Future<String> thrown = queue.now(() -> {
      throw new IllegalArgumentException("bad read");
    });
    awaitDone(returned);
    awaitDone(thrown);
    assertEquals("no status", returned.cause().getMessage());
    assertEquals("bad read", thrown.cause().getMessage());
  }

  @Test
  void operationsAndResultsOnTheContext() throws Exception {
    AtomicReference<Context> ranOn = new AtomicReference<>();
    AtomicReference<Context> completedOn = new AtomicReference<>();
    Promise<String> gate = Promise.promise();
    Future<String> f = queue.serialized(() -> {
      ranOn.set(Vertx.currentContext());
      return gate.future();
    });
    f.onComplete(ar -> completedOn.set(Vertx.currentContext()));
    Await.until("the operation to start", TIMEOUT, () -> ranOn.get() != null);
    context.runOnContext(v -> gate.complete("done"));
    assertEquals("done", await(f));
    Await.until("the listener", TIMEOUT, () -> completedOn.get() != null);
    assertSame(context, ranOn.get());
    assertSame(context, completedOn.get(), "the result completes on the queue's context");
  }

  @Test
  void readResultsOnTheContext() {
    AtomicReference<Context> completedOn = new AtomicReference<>();
    Promise<String> gate = Promise.promise();
    Future<String> f = queue.now(() -> gate.future());
    f.onComplete(ar -> completedOn.set(Vertx.currentContext()));
    context.runOnContext(v -> gate.complete("status"));
    Await.until("the listener", TIMEOUT, () -> completedOn.get() != null);
    assertSame(context, completedOn.get());
  }

  @Test
  void callableFromAnotherContext() throws Exception {
    Context other = ((VertxInternal) vertx).createEventLoopContext();
    Promise<Context> ranOn = Promise.promise();
    other.runOnContext(v -> queue.serialized(() -> Future.succeededFuture(Vertx.currentContext()))
        .onComplete(ranOn));
    assertSame(context, await(ranOn.future()));
  }

  /**
   * "Callable from any thread; results complete on the context" and "connector state needs no locks": an
   * operation whose future is completed off the context (a Kafka client thread, a plain worker) must not make the
   * result, or the next operation, run off the context.
   * <p>
   * Fails: the queue chains on context-less futures ({@code Future.succeededFuture()}, {@code Promise.promise()}),
   * so both the result and the next operation run on the thread that completed the operation's future.
   */
  @Test
  void anOperationCompletedOffTheContextKeepsTheQueueOnIt() throws Exception {
    Thread contextThread = await(queue.now(() -> Future.succeededFuture(Thread.currentThread())));
    Promise<String> foreign = Promise.promise();
    AtomicReference<Thread> nextRanOn = new AtomicReference<>();
    Future<String> f = queue.serialized(foreign::future);
    Future<String> next = queue.serialized(() -> {
      nextRanOn.set(Thread.currentThread());
      return Future.succeededFuture("next");
    });
    AtomicReference<Thread> completedOn = new AtomicReference<>();
    f.onComplete(ar -> completedOn.set(Thread.currentThread()));
    // both operations are queued on the context (FIFO) before this read runs: the first is pending on `foreign`
    await(queue.now(() -> Future.succeededFuture()));
    assertFalse(f.isComplete());
    Thread client = new Thread(() -> foreign.complete("from a client thread"), "client-network-thread");
    client.start();
    client.join(10_000);
    assertEquals("next", await(next));
    Await.until("the listener", TIMEOUT, () -> completedOn.get() != null);
    assertSame(contextThread, nextRanOn.get(), "the next operation ran on " + nextRanOn.get().getName());
    assertSame(contextThread, completedOn.get(), "the result completed on " + completedOn.get().getName());
  }
}
