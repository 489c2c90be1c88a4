package io.vmm.wire;

import org.apache.kafka.common.memory.MemoryPool;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Receive buffers for the {@link WireClient}s' answers, reused instead of allocated per answer: Kafka's network
 * layer reads each answer into one buffer ({@code NetworkReceive}, through this {@link MemoryPool}), and a Fetch
 * answer's batches are views of it that live until the target acknowledged them (a {@link AnswerLease} counts
 * them). Without a pool every answer (up to {@code fetch.max.bytes}) is a fresh heap array that the young
 * collections copy while its batches are in flight: three quarters of the bytes the pass-through path allocated
 * and about a quarter of its CPU (issue 17's profiles).
 * <p>
 * Buffers of {@value #MIN_POOLED} bytes and more are direct (the socket reads into them without the JDK's
 * temporary-buffer copy, and Produce requests write the batches from them the same way), taken best-fit from the
 * free buffers of up to twice the size asked, else allocated (rounded up to {@value #GRAIN} bytes). Smaller answers
 * get plain heap buffers that are never pooled. Direct memory is bounded: buffers allocated and not yet collected
 * stay under {@link #budget} (past it, answers get heap buffers: slower, never failing), and free buffers under
 * half of it (a buffer released past that is dropped for the collector). The pool never holds a buffer that is in
 * use, so one never released is only a reuse lost: the collector frees it (a {@link Cleaner} returns its bytes to
 * the budget).
 * <p>
 * Netty's pooled allocator was considered: answers of several MB are "huge" allocations that it does not pool.
 * <p>
 * Invariant: a buffer is in the free lists at most once and only after {@link #release}; nothing may read or
 * write a buffer (or a view of it) after releasing it. Threading: any thread (synchronized; allocations come from
 * the I/O threads, releases from whichever thread saw the last batch acknowledged).
 */
public final class AnswerPool implements MemoryPool {

  /** Answers smaller than this, bytes, get unpooled heap buffers (Produce, Metadata and most small answers). */
  static final int MIN_POOLED = 64 * 1024;
  /** Allocation granularity of pooled buffers, bytes. */
  static final int GRAIN = 64 * 1024;
  /** Direct memory the shared pool may have allocated and not yet collected, bytes. */
  static final long SHARED_BUDGET = 64L * 1024 * 1024;

  /**
   * System property: when {@code true}, every released buffer is overwritten with {@code 0xFF} bytes, so that a
   * batch read or sent after its release shows up as corrupt data (a debugging aid; the test suite turns it on).
   */
  public static final String POISON_PROPERTY = "vmm.wire.poisonReleased";

  /** The JVM's pool, shared by every wire client. */
  public static final AnswerPool SHARED = new AnswerPool(SHARED_BUDGET, Boolean.getBoolean(POISON_PROPERTY));

  private static final Cleaner CLEANER = Cleaner.create();
  private static final byte[] POISON = new byte[64 * 1024];

  static {
    java.util.Arrays.fill(POISON, (byte) 0xFF);
  }

  private final long budget;
  private final boolean poison;
  /** Leases taken and not yet given back ({@link AnswerLease}). */
  private final AtomicLong leases = new AtomicLong();
  private final TreeMap<Integer, ArrayDeque<ByteBuffer>> free = new TreeMap<>();
  private long freeBytes;
  private final AtomicLong allocated = new AtomicLong();
  private final AtomicLong pooled = new AtomicLong();
  private final AtomicLong reused = new AtomicLong();
  private final AtomicLong unpooled = new AtomicLong();

  /**
   * @param budget direct bytes allocated and not yet collected, at most
   * @param poison overwrite released buffers (see {@link #POISON_PROPERTY})
   */
  AnswerPool(long budget, boolean poison) {
    this.budget = budget;
    this.poison = poison;
  }

  /**
   * A buffer with {@code size} bytes remaining (position 0, limit {@code size}; its capacity may be larger).
   * Never null.
   */
  @Override
  public ByteBuffer tryAllocate(int size) {
    if (size < MIN_POOLED) {
      return ByteBuffer.allocate(size);
    }
    synchronized (this) {
      Map.Entry<Integer, ArrayDeque<ByteBuffer>> fit = free.ceilingEntry(size);
      if (fit != null && fit.getKey() <= 2L * size) {
        ByteBuffer b = fit.getValue().poll();
        if (fit.getValue().isEmpty()) {
          free.remove(fit.getKey());
        }
        freeBytes -= b.capacity();
        reused.incrementAndGet();
        pooled.incrementAndGet();
        return b.clear().limit(size);
      }
    }
    int capacity = (int) Math.min(Integer.MAX_VALUE, ((long) size + GRAIN - 1) / GRAIN * GRAIN);
    ByteBuffer b = null;
    if (allocated.addAndGet(capacity) <= budget) {
      try {
        b = ByteBuffer.allocateDirect(capacity);
      } catch (OutOfMemoryError e) {
        // -XX:MaxDirectMemorySize below the budget: this answer goes on the heap
      }
    }
    if (b == null) {
      allocated.addAndGet(-capacity);
      unpooled.incrementAndGet();
      return ByteBuffer.allocate(size);
    }
    CLEANER.register(b, () -> allocated.addAndGet(-capacity));
    pooled.incrementAndGet();
    return b.limit(size);
  }

  /**
   * Takes {@code buffer} back: a direct buffer of this pool's becomes free for the next answer; a heap buffer is
   * left to the collector. The caller guarantees that nothing uses it (or a view of it) any more.
   */
  @Override
  public void release(ByteBuffer buffer) {
    if (buffer == null || buffer.capacity() == 0) {
      return;
    }
    if (poison) {
      ByteBuffer all = buffer.duplicate().clear();
      while (all.hasRemaining()) {
        all.put(POISON, 0, Math.min(POISON.length, all.remaining()));
      }
    }
    if (!buffer.isDirect() || buffer.capacity() < MIN_POOLED) {
      return;
    }
    synchronized (this) {
      if (freeBytes + buffer.capacity() > budget / 2) {
        return; // dropped: the collector frees it
      }
      free.computeIfAbsent(buffer.capacity(), c -> new ArrayDeque<>()).add(buffer);
      freeBytes += buffer.capacity();
    }
  }

  /** Unbounded for the network layer: it never mutes a connection for memory (fetching is paced elsewhere). */
  @Override
  public long size() {
    return Long.MAX_VALUE;
  }

  @Override
  public long availableMemory() {
    return Long.MAX_VALUE;
  }

  @Override
  public boolean isOutOfMemory() {
    return false;
  }

  /** Direct bytes allocated and not yet collected (in use, free, or dropped and awaiting collection). */
  long allocatedBytes() {
    return allocated.get();
  }

  /** Bytes in free buffers. */
  public synchronized long freeBytes() {
    return freeBytes;
  }

  /** Answers read into a pooled (direct) buffer so far, new or reused. */
  public long pooledCount() {
    return pooled.get();
  }

  /** Answers served from a free buffer so far. */
  public long reusedCount() {
    return reused.get();
  }

  /** Pooled-size answers that got a heap buffer because the budget was spent. */
  public long unpooledCount() {
    return unpooled.get();
  }

  /** Answers held for views of them ({@link WireClient#holdAnswer}) and not yet given back. */
  public long leasesHeld() {
    return leases.get();
  }

  /** A lease on {@code buffer} (count 1), counted in {@link #leasesHeld}. */
  AnswerLease lease(ByteBuffer buffer) {
    leases.incrementAndGet();
    return new AnswerLease(this, buffer);
  }

  /** The last holder of a lease gave {@code buffer} back. */
  void leaseEnded(ByteBuffer buffer) {
    leases.decrementAndGet();
    release(buffer);
  }
}
