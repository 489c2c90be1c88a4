package io.vmm.wire;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hold on one answer's receive buffer ({@link AnswerPool}) while views of it are in use: a reference count,
 * 1 for whoever took it ({@link AnswerPool#lease}, through {@link WireClient#holdAnswer}) plus one per {@link RawBatch} made of it; the buffer goes
 * back to its pool when the count reaches 0. Each holder releases exactly once ({@link RawBatch#release} guards
 * its own), so the buffer is never reused while a batch of it may still be read or sent.
 * <p>
 * Threading: any thread.
 */
public final class AnswerLease {

  /** A lease on nothing: for batches not made of a pooled answer (built batches, tests). */
  public static final AnswerLease NONE = new AnswerLease(null, null);

  private final AnswerPool pool;
  private final ByteBuffer buffer;
  private final AtomicInteger refs = new AtomicInteger(1);

  AnswerLease(AnswerPool pool, ByteBuffer buffer) {
    this.pool = pool;
    this.buffer = buffer;
  }

  /** One more holder. */
  AnswerLease retain() {
    if (buffer != null) {
      refs.incrementAndGet();
    }
    return this;
  }

  /** One holder less; the last one gives the buffer back to its pool. */
  void release() {
    if (buffer != null && refs.decrementAndGet() == 0) {
      pool.leaseEnded(buffer);
    }
  }

  /** Holders left (0 once the buffer went back). */
  int holders() {
    return refs.get();
  }
}
