package io.vmm.checkpoint;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run's checkpoints go as one batch; one future completes, on the context, once every record is acknowledged. */
class CheckpointProducerTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static ProducerRecord<byte[], byte[]> record(int i) {
    return new ProducerRecord<>("A.checkpoints.internal", 0, 1L, new byte[]{(byte) i}, new byte[]{(byte) i});
  }

  @Test
  void completesOnTheContextWhenEveryRecordIsAcknowledged() throws Exception {
    MockProducer<byte[], byte[]> mock = new MockProducer<>(false, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    Context context = vertx.getOrCreateContext();
    CompletableFuture<List<CheckpointProducer.Ack>> result = new CompletableFuture<>();
    AtomicReference<Boolean> onContext = new AtomicReference<>();
    context.runOnContext(v -> {
      CheckpointProducer producer = new CheckpointProducer(vertx, context, "A->B", mock);
      producer.sendAll(List.of(record(0), record(1), record(2))).onComplete(ar -> {
        onContext.set(Vertx.currentContext() == context);
        if (ar.succeeded()) {
          result.complete(ar.result());
        } else {
          result.completeExceptionally(ar.cause());
        }
      });
    });
    long deadline = System.currentTimeMillis() + 10_000;
    while (mock.history().size() < 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(3, mock.history().size(), "all records of the run sent as one batch");
    assertTrue(mock.completeNext());
    RuntimeException broken = new RuntimeException("broken");
    assertTrue(mock.errorNext(broken));
    Thread.sleep(50);
    assertFalse(result.isDone(), "waits for every record");
    assertTrue(mock.completeNext());
    List<CheckpointProducer.Ack> acks = result.get(10, TimeUnit.SECONDS);
    assertEquals(3, acks.size());
    assertNull(acks.get(0).error());
    assertSame(broken, acks.get(1).error());
    assertNull(acks.get(2).error());
    assertTrue(acks.get(0).atMs() > 0);
    assertEquals(Boolean.TRUE, onContext.get(), "completed on the owner's context");
  }

  @Test
  void anEmptyBatchCompletesAtOnceAndAClosedProducerReportsEveryRecord() throws Exception {
    MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    Context context = vertx.getOrCreateContext();
    CheckpointProducer producer = new CheckpointProducer(vertx, context, "A->B", mock);
    CompletableFuture<List<CheckpointProducer.Ack>> empty = new CompletableFuture<>();
    context.runOnContext(v -> producer.sendAll(List.of()).onSuccess(empty::complete));
    assertEquals(List.of(), empty.get(10, TimeUnit.SECONDS));
    producer.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    CompletableFuture<List<CheckpointProducer.Ack>> afterClose = new CompletableFuture<>();
    context.runOnContext(v -> producer.sendAll(List.of(record(0), record(1))).onSuccess(afterClose::complete));
    List<CheckpointProducer.Ack> acks = afterClose.get(10, TimeUnit.SECONDS);
    assertEquals(2, acks.size());
    assertTrue(acks.get(0).error() != null && acks.get(1).error() != null, "a send refused is reported, not lost");
  }
}
