package io.vmm;

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
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConfigParser;
import io.vmm.config.MirrorMakerConfig;
import io.vmm.metrics.MetricsSetup;
import io.vmm.supervisor.Supervisor;
import io.vmm.testkit.Await;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import io.vmm.tracing.Tracing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.await;
import static io.vmm.MirrorTestSupport.awaitRecords;
import static io.vmm.MirrorTestSupport.config;
import static io.vmm.MirrorTestSupport.mirror;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tracing: {type: opentelemetry}} between two real clusters, with the SDK's in-memory exporter: every
 * mirrored record continues its source record's trace through a producer span of the mirror.
 */
@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class TracingIT {

  private static final int RECORDS = 30;

  private final TwoClusters clusters;

  TracingIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  private static String traceId(int i) {
    return String.format("%016x%016x", 0x7ace0000L, i + 1L);
  }

  private static String spanId(int i) {
    return String.format("%016x", 0x5000L + i);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Record i: key "k<i>"; a W3C traceparent unless i % 5 == 4; a tracestate when i % 3 == 0 (9: without parent). */
  private void produce(String topic) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = clusters.a().newProducer(Map.of("enable.idempotence", false,
        "max.in.flight.requests.per.connection", 1))) {
      List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
      for (int i = 0; i < RECORDS; i++) {
        List<Header> headers = new ArrayList<>(List.of(new RecordHeader("seq", bytes(Integer.toString(i)))));
        if (i % 5 != 4) {
          headers.add(new RecordHeader("traceparent", bytes("00-" + traceId(i) + "-" + spanId(i) + "-01")));
        }
        if (i % 3 == 0) {
          headers.add(new RecordHeader("tracestate", bytes("upstream=" + i)));
        }
        sends.add(producer.send(new ProducerRecord<>(topic, i % 3, bytes("k" + i), bytes("v" + i), headers)));
      }
      for (java.util.concurrent.Future<?> f : sends) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> values(ConsumerRecord<byte[], byte[]> r, String key) {
    List<String> out = new ArrayList<>();
    r.headers().headers(key).forEach(h -> out.add(text(h.value())));
    return out;
  }

  @Test
  void mirroredRecordsContinueTheSourceTraces() throws Exception {
    clusters.a().createTopic("traced", 3);
    produce("traced");
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
    JsonObject doc = config(clusters, mirror("A", "B", "traced", 2))
        .put("tracing", new JsonObject().put("type", "opentelemetry"));
    MirrorMakerConfig config = ConfigParser.parse(doc);
    assertTrue(config.tracing().enabled());

    var registry = MetricsSetup.newRegistry();
    Vertx vertx = MetricsSetup.newVertx(registry);
    Supervisor supervisor = new Supervisor(vertx, config, doc, registry, Tracing.of(sdk),
        io.vmm.config.Environment.system());
    try {
      await(supervisor.start(), 120);
      List<ConsumerRecord<byte[], byte[]>> target = awaitRecords(clusters.b(), "A.traced", RECORDS);
      Await.until(RECORDS + " mirror spans ended", MirrorTestSupport.TIMEOUT,
          () -> exporter.getFinishedSpanItems().stream().filter(s -> s.getName().startsWith("A.traced")).count()
              >= RECORDS);
      Map<String, SpanData> spans = new HashMap<>();
      for (SpanData s : exporter.getFinishedSpanItems()) {
        assertEquals(SpanKind.PRODUCER, s.getKind(), s.toString());
        // mirrored records only (the flow's heartbeats are mirrored too, as A.heartbeats); never progress records
        assertTrue(s.getName().startsWith("A.traced") || s.getName().startsWith("A.heartbeats"),
            "only mirrored records are traced: " + s.getName());
        if (s.getName().startsWith("A.traced")) {
          spans.put(s.getSpanId(), s);
        }
      }
      assertEquals(RECORDS, spans.size());

      assertEquals(RECORDS, target.size());
      for (ConsumerRecord<byte[], byte[]> r : target) {
        int i = Integer.parseInt(text(r.key()).substring(1));
        List<String> traceparents = values(r, "traceparent");
        assertEquals(1, traceparents.size(), "one traceparent on record " + i + ": " + traceparents);
        String[] tp = traceparents.get(0).split("-");
        SpanData span = spans.get(tp[2]);
        assertNotNull(span, "record " + i + " carries the span of the mirror that wrote it");
        assertEquals(tp[1], span.getTraceId());
        assertEquals(List.of(Integer.toString(i)), values(r, "seq"), "other headers are kept");
        if (i % 5 != 4) {
          assertEquals(traceId(i), tp[1], "record " + i + ": the source trace continues");
          assertNotEquals(spanId(i), tp[2], "record " + i + ": a child span of its own");
          assertEquals(spanId(i), span.getParentSpanId(), "record " + i + ": the mirror's span is the child");
          assertEquals("01", tp[3], "sampled, as its parent");
        } else {
          assertFalse(span.getParentSpanContext().isValid(), "record " + i + " had no context: a new trace");
        }
        // tracestate belongs to its traceparent: kept once with it, dropped when a new trace starts
        assertEquals(i % 3 == 0 && i % 5 != 4 ? List.of("upstream=" + i) : List.of(), values(r, "tracestate"),
            "record " + i + ": tracestate");
      }
    } finally {
      try {
        await(supervisor.stop(), 12);
      } finally {
        await(vertx.close(), 5);
      }
    }
  }
}
