package io.vmm.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends mirrored records of one target producer as traced children of their source records (made by
 * {@link Tracing#sender}; used only when tracing is on).
 * <p>
 * Per record: the trace context the source record carries in its headers ({@code traceparent},
 * {@code tracestate}, {@code baggage}: whatever the configured propagators read) is extracted, and the
 * instrumentation's wrapped producer ({@code KafkaTelemetry.wrap}) is called with that context current. It
 * starts one PRODUCER span ({@code <target topic> publish}) as a child of the source record's span, so the trace
 * id continues; writes the span's context into the outgoing record's headers; and ends the span when Kafka
 * acknowledges the record. The propagators' headers copied from the source are removed first, so the target
 * record carries exactly one {@code traceparent}, the new span's (replaced, not duplicated). A source record
 * without a trace context gets a span that starts a new trace.
 * <p>
 * A span per record, not per batch: each record of a batch may belong to another trace, and only a span per
 * record can be the child of its record's context and give each mirrored record its own parent for consumers
 * downstream.
 * <p>
 * Threading: {@link #send} runs on the producer's thread (the context is current only during the call);
 * the span ends on Kafka's network thread just before {@code callback} runs there. Ending a span only queues it
 * for the SDK's export thread.
 */
public final class TracedSender {

  /** Reads propagation fields from Kafka headers; the last header of a key wins, as Kafka's lastHeader. */
  static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers carrier) {
      List<String> keys = new ArrayList<>();
      for (Header h : carrier) {
        keys.add(h.key());
      }
      return keys;
    }

    @Override
    public String get(Headers carrier, String key) {
      if (carrier == null) {
        return null;
      }
      Header h = carrier.lastHeader(key);
      return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
  };

  private final Producer<byte[], byte[]> traced;
  private final TextMapPropagator propagator;
  private final String[] fields;

  /**
   * @param traced     the instrumentation's wrapper of the target producer
   * @param propagator the SDK's propagators ({@code OTEL_PROPAGATORS}, default W3C trace context and baggage)
   */
  TracedSender(Producer<byte[], byte[]> traced, TextMapPropagator propagator) {
    this.traced = traced;
    this.propagator = propagator;
    this.fields = propagator.fields().toArray(new String[0]);
  }

  /**
   * Sends {@code out}, the mirror of {@code source}, in a PRODUCER span that is a child of the context in
   * {@code source}'s headers; {@code out}'s headers get the span's context. Errors as {@code Producer.send}:
   * thrown, or reported to {@code callback} (the span records them).
   */
  public void send(ConsumerRecord<byte[], byte[]> source, ProducerRecord<byte[], byte[]> out, Callback callback) {
    Context parent = propagator.extract(Context.root(), source.headers(), HEADERS);
    Headers headers = out.headers(); // ProducerRecord's own copy: the source record is not changed
    for (String field : fields) {
      headers.remove(field);
    }
    try (Scope ignored = parent.makeCurrent()) {
      traced.send(out, callback);
    }
  }
}
