package io.vmm.wire;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The wire client's I/O thread: tasks run on it; an Error stops it and tells the owner once. No broker needed. */
class WireClientTest {

  private static ConsumerConfig config() {
    return new ConsumerConfig(Map.of("bootstrap.servers", "127.0.0.1:1",
        "key.deserializer", ByteArrayDeserializer.class.getName(),
        "value.deserializer", ByteArrayDeserializer.class.getName()));
  }

  @Test
  void tasksRunOnTheIoThreadAndAHandlerExceptionDoesNotStopIt() throws Exception {
    try (WireClient wire = new WireClient("test", config(), e -> { })) {
      CompletableFuture<String> thread = new CompletableFuture<>();
      wire.execute(() -> {
        throw new IllegalStateException("a failing handler is logged, the thread goes on");
      });
      wire.execute(() -> thread.complete(Thread.currentThread().getName()));
      assertEquals("vmm-wire-test", thread.get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void anErrorStopsTheThreadAndIsReportedOnce() throws Exception {
    CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    try (WireClient wire = new WireClient("fatal", config(), fatal::complete)) {
      OutOfMemoryError oom = new OutOfMemoryError("test: Java heap space");
      wire.execute(() -> {
        throw oom;
      });
      assertEquals(oom, fatal.get(5, TimeUnit.SECONDS));
      AtomicBoolean ranAfter = new AtomicBoolean();
      wire.execute(() -> ranAfter.set(true));
      Thread.sleep(300);
      assertFalse(ranAfter.get(), "no task runs after the I/O thread stopped");
    }
  }
}
