package io.vmm.tracing;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vmm.async.Budgets;
import io.vmm.config.ConfigException;
import io.vmm.config.TracingSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Tracing} and {@link TracedSender} without brokers: a MockProducer and the SDK's in-memory exporter. */
class TracingTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  static OpenTelemetrySdk inMemorySdk(InMemorySpanExporter exporter) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
  }

  private static MockProducer<byte[], byte[]> mockProducer() {
    return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static ConsumerRecord<byte[], byte[]> source(Header... headers) {
    return new ConsumerRecord<>("t", 1, 42L, 1_700_000_000_000L, TimestampType.CREATE_TIME, 1, 1,
        "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), new RecordHeaders(headers),
        Optional.empty());
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }

  private static ProducerRecord<byte[], byte[]> mirrorOf(ConsumerRecord<byte[], byte[]> r) {
    return new ProducerRecord<>("A.t", r.partition(), r.timestamp(), r.key(), r.value(), r.headers());
  }

  private static List<String> values(Headers headers, String key) {
    List<String> out = new ArrayList<>();
    headers.headers(key).forEach(h -> out.add(new String(h.value(), StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void withoutTracingTheDataPathGetsNoHook() {
    assertSame(Tracing.disabled(), Tracing.start(TracingSpec.OFF), "off is one shared constant, no SDK is built");
    assertFalse(Tracing.disabled().enabled());
    MockProducer<byte[], byte[]> producer = mockProducer();
    assertNull(Tracing.disabled().sender(producer), "no wrapper: TargetProducerVerticle calls the raw producer");
    assertTrue(producer.history().isEmpty());
    assertTrue(Tracing.disabled().close(null).succeeded(), "nothing to close, no Vert.x needed");
  }

  @Test
  void mirroredRecordContinuesTheSourceTraceWithOneTraceparent() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    Tracing tracing = Tracing.of(inMemorySdk(exporter));
    MockProducer<byte[], byte[]> producer = mockProducer();
    TracedSender sender = tracing.sender(producer);
    ConsumerRecord<byte[], byte[]> source = source(header("seq", "1"),
        header("traceparent", "00-" + TRACE + "-" + SPAN + "-01"), header("tracestate", "vendor=x"),
        header("baggage", "tenant=t1"), header("h2", "y"));
    List<String> callbacks = new ArrayList<>();
    sender.send(source, mirrorOf(source), (md, e) -> callbacks.add(e == null ? "ok" : e.toString()));

    assertEquals(List.of("ok"), callbacks);
    ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
    List<String> traceparents = values(sent.headers(), "traceparent");
    assertEquals(1, traceparents.size(), "replaced, not duplicated: " + traceparents);
    String[] parts = traceparents.get(0).split("-");
    assertEquals(TRACE, parts[1], "the trace continues");
    assertNotEquals(SPAN, parts[2], "a child span of its own");
    assertEquals(List.of("vendor=x"), values(sent.headers(), "tracestate"));
    assertEquals(List.of("tenant=t1"), values(sent.headers(), "baggage"));
    assertEquals(List.of("1"), values(sent.headers(), "seq"));
    assertEquals(List.of("y"), values(sent.headers(), "h2"));
    assertEquals(List.of("00-" + TRACE + "-" + SPAN + "-01"), values(source.headers(), "traceparent"),
        "the source record is not changed");

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertEquals(1, spans.size());
    SpanData span = spans.get(0);
    assertEquals(SpanKind.PRODUCER, span.getKind());
    assertEquals(TRACE, span.getTraceId());
    assertEquals(SPAN, span.getParentSpanId());
    assertEquals(parts[2], span.getSpanId(), "the header carries the mirror's span");
    assertTrue(span.getName().startsWith("A.t"), span.getName());
    assertTrue(span.hasEnded());
  }

  @Test
  void recordWithoutContextStartsANewTrace() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    TracedSender sender = Tracing.of(inMemorySdk(exporter)).sender(mockProducer());
    ConsumerRecord<byte[], byte[]> source = source(header("seq", "2"));
    ProducerRecord<byte[], byte[]> out = mirrorOf(source);
    sender.send(source, out, (md, e) -> { });
    SpanData span = exporter.getFinishedSpanItems().get(0);
    assertFalse(span.getParentSpanContext().isValid(), "a root span");
    List<String> traceparents = values(out.headers(), "traceparent");
    assertEquals(1, traceparents.size());
    assertTrue(traceparents.get(0).startsWith("00-" + span.getTraceId() + "-" + span.getSpanId() + "-"),
        traceparents.get(0));
  }

  @Test
  void invalidOtelSettingsAreConfigErrors() {
    System.setProperty("otel.traces.exporter", "no-such-exporter");
    try {
      ConfigException e = assertThrows(ConfigException.class,
          () -> Tracing.start(new TracingSpec(TracingSpec.OPENTELEMETRY)));
      assertTrue(e.getMessage().startsWith("tracing: the OTEL_* settings are invalid"), e.getMessage());
    } finally {
      System.clearProperty("otel.traces.exporter");
    }
  }

  /**
   * A collector that accepts connections and never answers (the worst case: every export waits for its timeout):
   * sends do not slow down or block, and close gives up after its budget.
   */
  @Test
  void unreachableCollectorNeverBlocksSendsOrStop() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ServerSocket silent = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
      System.setProperty("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + silent.getLocalPort());
      System.setProperty("otel.bsp.schedule.delay", "10");
      System.setProperty("otel.bsp.max.queue.size", "256");
      Tracing tracing = Tracing.start(new TracingSpec(TracingSpec.OPENTELEMETRY));
      assertTrue(tracing.enabled());
      MockProducer<byte[], byte[]> raw = mockProducer();
      MockProducer<byte[], byte[]> target = mockProducer();
      TracedSender sender = tracing.sender(target);
      ConsumerRecord<byte[], byte[]> source = source(header("traceparent", "00-" + TRACE + "-" + SPAN + "-01"));
      int n = 50_000;
      for (int round = 0; round < 2; round++) { // the first round warms up the JIT
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          raw.send(mirrorOf(source), (md, e) -> { });
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          sender.send(source, mirrorOf(source), (md, e) -> { });
        }
        long t2 = System.nanoTime();
        raw.clear();
        target.clear();
        double rawUs = (t1 - t0) / 1_000.0 / n;
        double tracedUs = (t2 - t1) / 1_000.0 / n;
        System.out.printf("round %d: raw MockProducer send %.2f us/record, traced %.2f us/record "
            + "(collector not answering)%n", round, rawUs, tracedUs);
        assertTrue(tracedUs < 100, "traced send took " + tracedUs + " us/record: something waits for the exporter");
      }
      long started = System.nanoTime();
      tracing.close(vertx).await(5, TimeUnit.SECONDS);
      long closeMs = (System.nanoTime() - started) / 1_000_000;
      assertTrue(closeMs < Budgets.TRACING_CLOSE_MS + 1_000, "close took " + closeMs + " ms");
    } finally {
      System.clearProperty("otel.exporter.otlp.endpoint");
      System.clearProperty("otel.bsp.schedule.delay");
      System.clearProperty("otel.bsp.max.queue.size");
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }
}
