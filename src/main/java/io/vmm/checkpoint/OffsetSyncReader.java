package io.vmm.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vmm.async.Budgets;
import io.vmm.bus.OffsetSync;
import io.vmm.sync.OffsetSyncCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the flow's offset-syncs topic (partition 0, from the beginning) into an {@link OffsetSyncStore}, the role
 * of MM2's {@code OffsetSyncStore} background reader. {@link #readToEnd()} reads what was added since the last
 * read, up to the end offset the topic had when the read began, bounded by {@code admin.timeout.ms}; a caller
 * arriving while a read is in progress shares that read instead of queueing a second one.
 * <p>
 * Threading: the Kafka consumer is blocking, so every consumer call runs on a worker thread through
 * {@code vertx.executeBlocking(..., true)} (ordered on the owner's context: two calls never overlap). A read is a
 * series of chunks (at most {@link #CHUNK_RECORDS} records or {@link #CHUNK_MS} ms each); the decoded syncs of a
 * chunk are added to the store on the owner's context, which is where every returned future completes and where
 * the store may be used. Create, read and close from that one context.
 */
final class OffsetSyncReader {

  private static final Logger LOG = LoggerFactory.getLogger(OffsetSyncReader.class);
  /** Most records decoded by one worker task before handing them to the context. */
  static final int CHUNK_RECORDS = 10_000;
  /** Longest polling of one worker task, ms. */
  static final long CHUNK_MS = 1_000;
  /** Longest single blocking consumer call (end offsets, position), ms: well below Vert.x's blocked-worker warning. */
  static final long CALL_MS_MAX = 10_000;

  private final Vertx vertx;
  private final String flowName;
  private final TopicPartition partition;
  private final Map<String, Object> consumerConfig;
  private final long timeoutMs;
  private final OffsetSyncStore store;
  /** Set and used on worker threads only (ordered tasks); read on the context only to wake it up. */
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean closed;
  private Future<Boolean> inProgress;
  private boolean caughtUp;

  /**
   * @param topic          the offset-syncs topic ({@code InternalTopics.offsetSyncs})
   * @param consumerConfig consumer settings for the cluster holding it (no group; auto topic creation off)
   * @param timeoutMs      bound of one read, ms ({@code admin.timeout.ms})
   * @param store          where syncs go; used only on the owner's context
   */
  OffsetSyncReader(Vertx vertx, String flowName, String topic, Map<String, Object> consumerConfig, long timeoutMs,
                   OffsetSyncStore store) {
    this.vertx = vertx;
    this.flowName = flowName;
    this.partition = new TopicPartition(topic, 0);
    this.consumerConfig = consumerConfig;
    this.timeoutMs = timeoutMs;
    this.store = store;
  }

  /** Creates the consumer, assigned to partition 0 at its beginning, on a worker thread. */
  Future<Void> open() {
    return vertx.executeBlocking(() -> {
      KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig);
      c.assign(List.of(partition));
      c.seekToBeginning(List.of(partition));
      consumer = c;
      return null;
    }, true);
  }

  /** True once a read reached the end of the topic (the end it had when that read began). */
  boolean caughtUp() {
    return caughtUp;
  }

  /**
   * Reads new offset syncs into the store. Completes on the owner's context with true if the read reached the
   * end offset the topic had when it began, false if {@code admin.timeout.ms} passed first; fails if the
   * consumer failed (e.g. the topic is missing) or was closed. Unreadable syncs are counted and logged once per
   * read. A read already in progress is shared.
   */
  Future<Boolean> readToEnd() {
    if (inProgress != null) {
      return inProgress;
    }
    Read read = new Read(System.currentTimeMillis() + timeoutMs);
    Promise<Boolean> done = Promise.promise();
    inProgress = done.future();
    readChunks(read).onComplete(ar -> {
      inProgress = null;
      read.unreadable.warnIfAny(LOG, flowName);
      if (ar.succeeded() && LOG.isDebugEnabled()) {
        LOG.debug("{} read {} offset syncs from {} in {} ms, {}", flowName, read.syncs, partition,
            System.currentTimeMillis() - read.startedMs, ar.result() ? "up to its end" : "not up to its end yet");
      }
      done.handle(ar);
    });
    return done.future();
  }

  /**
   * Like {@link #readToEnd()}, but never shares a read in progress: it waits for that read to end (whatever its
   * outcome), then reads up to the end offset the topic has at that moment. For the final checkpoint run at stop,
   * which must see every sync written before it was asked for. Completes on the owner's context, as
   * {@link #readToEnd()}.
   */
  Future<Boolean> readToCurrentEnd() {
    Future<Boolean> previous = inProgress;
    return previous == null ? readToEnd() : previous.transform(ar -> readToCurrentEnd());
  }

  private Future<Boolean> readChunks(Read read) {
    return vertx.executeBlocking(() -> chunk(read), true).compose(syncs -> {
      syncs.forEach(store::add);
      read.syncs += syncs.size();
      if (read.position >= read.end) {
        caughtUp = true;
        return Future.succeededFuture(true);
      }
      if (closed || System.currentTimeMillis() >= read.deadlineMs) {
        return Future.succeededFuture(false);
      }
      return readChunks(read);
    });
  }

  /** One chunk of a read: worker thread (ordered), the only place the consumer is used besides open and close. */
  private List<OffsetSync> chunk(Read read) {
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (closed || c == null) {
      throw new IllegalStateException(flowName + " offset-syncs reader is closed");
    }
    List<OffsetSync> syncs = new ArrayList<>();
    try {
      if (read.end < 0) {
        Long end = c.endOffsets(List.of(partition), bound(read)).get(partition);
        if (end == null) {
          throw new IllegalStateException(flowName + " no end offset for " + partition);
        }
        read.end = end;
      }
      long chunkEnd = Math.min(System.currentTimeMillis() + CHUNK_MS, read.deadlineMs);
      read.position = c.position(partition, bound(read));
      while (read.position < read.end && syncs.size() < CHUNK_RECORDS && System.currentTimeMillis() < chunkEnd
          && !closed) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          OffsetSync sync = decode(r, read.unreadable);
          if (sync != null) {
            syncs.add(sync);
          }
        }
        read.position = c.position(partition, bound(read));
      }
    } catch (WakeupException e) {
      throw new IllegalStateException(flowName + " offset-syncs reader is closed");
    }
    return syncs;
  }

  /** The sync in {@code r}, or null after counting it in {@code unreadable}. Pure apart from that count. */
  static OffsetSync decode(ConsumerRecord<byte[], byte[]> r, UnreadableRecords unreadable) {
    if (r.key() == null || r.value() == null) {
      unreadable.add(r, null);
      return null;
    }
    try {
      return OffsetSyncCodec.decode(r.key(), r.value());
    } catch (RuntimeException e) {
      unreadable.add(r, e);
      return null;
    }
  }

  private Duration bound(Read read) {
    return Duration.ofMillis(Math.max(1, Math.min(CALL_MS_MAX, read.deadlineMs - System.currentTimeMillis())));
  }

  /**
   * Closes the consumer on a worker thread (ordered: after a chunk in progress, which is woken up), within
   * {@link Budgets#CLIENT_CLOSE_MS}. A read in progress fails. Never fails.
   */
  Future<Void> close() {
    closed = true;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup(); // thread-safe: ends a poll or position call in progress
    }
    return vertx.<Void>executeBlocking(() -> {
      KafkaConsumer<byte[], byte[]> toClose = consumer;
      consumer = null;
      if (toClose != null) {
        try {
          toClose.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS));
        } catch (RuntimeException e) {
          LOG.debug("{} closing the offset-syncs reader: {}", flowName, e.toString());
        }
      }
      return null;
    }, true).otherwiseEmpty();
  }

  /** The state of one read; handed between worker tasks and the context through futures. */
  private static final class Read {
    final long startedMs = System.currentTimeMillis();
    final long deadlineMs;
    final UnreadableRecords unreadable = new UnreadableRecords("offset syncs");
    long end = -1;
    long position = -1;
    long syncs;

    Read(long deadlineMs) {
      this.deadlineMs = deadlineMs;
    }
  }
}
