package io.vmm.checkpoint;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vmm.async.Budgets;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Writes the checkpoint records of a run to the target as one batch and reports when every one of them was
 * acknowledged, without waiting on any thread (never {@code send().get()}).
 * <p>
 * Threading: {@code send()} may block waiting for metadata (up to {@code max.block.ms}), so the sends of a batch
 * are made on a worker thread; batches are enqueued in call order (a batch's sends start after the previous
 * batch's sends were all enqueued), so a newer checkpoint never overtakes an older one of the same key. The
 * acknowledgements arrive on the producer's network thread; the returned future completes on the owner's context.
 * Call from that context.
 */
final class CheckpointProducer {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointProducer.class);

  /**
   * The outcome of one record.
   *
   * @param atMs  when the target acknowledged it (or the send failed), epoch ms
   * @param error null if written, else why not
   */
  record Ack(long atMs, Throwable error) {
  }

  private final Vertx vertx;
  private final Context context;
  private final String flowName;
  private final Producer<byte[], byte[]> producer;
  private Future<Void> enqueued = Future.succeededFuture();

  /** @param producer a thread-safe producer (Kafka's), owned by this object from now on */
  CheckpointProducer(Vertx vertx, Context context, String flowName, Producer<byte[], byte[]> producer) {
    this.vertx = vertx;
    this.context = context;
    this.flowName = flowName;
    this.producer = producer;
  }

  /** Creates the Kafka producer on a worker thread; completes on {@code context}. */
  static Future<CheckpointProducer> create(Vertx vertx, Context context, String flowName, Map<String, Object> config) {
    return vertx.executeBlocking(() -> new KafkaProducer<byte[], byte[]>(config), false)
        .map(p -> new CheckpointProducer(vertx, context, flowName, p));
  }

  /**
   * Sends {@code records} in order. Completes on the owner's context once every record was acknowledged or
   * failed, with one {@link Ack} per record (same order); fails only if the sends could not be started.
   */
  Future<List<Ack>> sendAll(List<ProducerRecord<byte[], byte[]>> records) {
    if (records.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    int n = records.size();
    AtomicReferenceArray<Ack> acks = new AtomicReferenceArray<>(n);
    AtomicInteger left = new AtomicInteger(n);
    Promise<List<Ack>> done = Promise.promise();
    Runnable oneDone = () -> {
      if (left.decrementAndGet() == 0) {
        Ack[] all = new Ack[n];
        for (int i = 0; i < n; i++) {
          all[i] = acks.get(i);
        }
        context.runOnContext(v -> done.tryComplete(Arrays.asList(all)));
      }
    };
    Future<Void> sends = enqueued.transform(previous -> vertx.executeBlocking(() -> {
      for (int i = 0; i < n; i++) {
        int index = i;
        try {
          producer.send(records.get(i), (metadata, e) -> {
            acks.set(index, new Ack(System.currentTimeMillis(), e));
            oneDone.run();
          });
        } catch (RuntimeException e) {
          // e.g. no metadata within max.block.ms, or closed at undeploy
          acks.set(index, new Ack(System.currentTimeMillis(), e));
          oneDone.run();
        }
      }
      return null;
    }, false));
    enqueued = sends;
    sends.onFailure(e -> done.tryFail(e));
    return done.future();
  }

  /** Closes the producer on a worker thread within {@link Budgets#CLIENT_CLOSE_MS}. Never fails. */
  Future<Void> close() {
    return vertx.<Void>executeBlocking(() -> {
      try {
        producer.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS));
      } catch (RuntimeException e) {
        LOG.debug("{} closing the checkpoint producer: {}", flowName, e.toString());
      }
      return null;
    }, false).otherwiseEmpty();
  }
}
