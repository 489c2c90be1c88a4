package io.vmm.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The receive-buffer pool and the leases on it (pure logic; the wire path is covered by PassThroughIT). */
class AnswerPoolTest {

  private static final long MB = 1024 * 1024;

  @Test
  void smallAnswersGetHeapBuffersThatAreNeverPooled() {
    AnswerPool pool = new AnswerPool(64 * MB, false);
    ByteBuffer b = pool.tryAllocate(1_000);
    assertFalse(b.isDirect());
    assertEquals(1_000, b.remaining());
    pool.release(b);
    assertEquals(0, pool.freeBytes());
    assertEquals(0, pool.allocatedBytes());
  }

  @Test
  void aReleasedBufferServesTheNextAnswerOfUpToItsSize() {
    AnswerPool pool = new AnswerPool(64 * MB, false);
    ByteBuffer b = pool.tryAllocate(100_000);
    assertTrue(b.isDirect());
    assertEquals(0, b.position());
    assertEquals(100_000, b.limit(), "exactly the answer's size remains: the network layer reads until full");
    assertEquals(0, b.capacity() % AnswerPool.GRAIN);
    b.position(b.limit());
    pool.release(b);
    assertEquals(b.capacity(), pool.freeBytes());

    ByteBuffer again = pool.tryAllocate(90_000);
    assertSame(b, again);
    assertEquals(0, again.position());
    assertEquals(90_000, again.limit());
    assertEquals(1, pool.reusedCount());
    assertEquals(2, pool.pooledCount());
    assertEquals(0, pool.freeBytes());
  }

  @Test
  void aFreeBufferMoreThanTwiceTheSizeIsNotTaken() {
    AnswerPool pool = new AnswerPool(64 * MB, false);
    ByteBuffer big = pool.tryAllocate((int) MB);
    pool.release(big);
    ByteBuffer small = pool.tryAllocate(300_000);
    assertNotSame(big, small);
    assertEquals(0, pool.reusedCount());
    assertEquals(big.capacity(), pool.freeBytes());
  }

  @Test
  void pastTheBudgetAnswersGoOnTheHeapAndFreeBuffersStayUnderHalfOfIt() {
    AnswerPool pool = new AnswerPool(4 * MB, false);
    ByteBuffer a = pool.tryAllocate((int) (3 * MB));
    assertTrue(a.isDirect());
    ByteBuffer b = pool.tryAllocate((int) (2 * MB));
    assertFalse(b.isDirect(), "over the budget: a heap buffer, never a failure");
    assertEquals(1, pool.unpooledCount());
    pool.release(a);
    assertEquals(0, pool.freeBytes(), "3 MB free would exceed half the budget: dropped for the collector");
  }

  @Test
  void aLeaseGivesItsBufferBackWhenTheLastHolderReleases() {
    AnswerPool pool = new AnswerPool(64 * MB, false);
    ByteBuffer b = pool.tryAllocate(200_000);
    AnswerLease lease = pool.lease(b);
    assertEquals(1, pool.leasesHeld());
    RawBatch first = new RawBatch(null, b.duplicate(), 0, 9, lease.retain());
    RawBatch second = new RawBatch(null, b.duplicate(), 10, 19, lease.retain());
    lease.release(); // the fetcher's own hold
    first.release();
    first.release(); // a second release of the same batch changes nothing
    assertTrue(first.released());
    assertEquals(1, lease.holders());
    assertEquals(0, pool.freeBytes(), "still in use by the second batch");
    second.release();
    assertEquals(0, lease.holders());
    assertEquals(0, pool.leasesHeld());
    assertEquals(b.capacity(), pool.freeBytes());
  }

  @Test
  void poisoningOverwritesAReleasedBuffer() {
    AnswerPool pool = new AnswerPool(64 * MB, true);
    ByteBuffer b = pool.tryAllocate(70_000);
    b.put(0, (byte) 1).put(69_999, (byte) 2);
    pool.release(b);
    assertEquals((byte) 0xFF, b.get(0));
    assertEquals((byte) 0xFF, b.get(69_999));
  }

  @Test
  void batchesNotMadeOfAnAnswerReleaseNothing() {
    RawBatch built = new RawBatch(null, ByteBuffer.allocate(10), 0, 0);
    built.release();
    assertTrue(built.released());
  }
}
