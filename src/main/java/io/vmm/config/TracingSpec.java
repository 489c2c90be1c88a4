package io.vmm.config;

import java.util.Set;

/**
 * Strimzi's top-level {@code tracing} block: {@code "tracing": {"type": "opentelemetry"}} turns on tracing of
 * mirrored records ({@code io.vmm.tracing.Tracing}); the exporter, sampler and service name come from the standard
 * {@code OTEL_*} environment variables, as with Strimzi. Strimzi's removed {@code type: jaeger} (OpenTracing) is a
 * config error with a hint. Immutable.
 *
 * @param type {@link #OPENTELEMETRY}, or null when the block is absent (tracing off)
 */
public record TracingSpec(String type) {

  /** The only type Strimzi still has, and the only one accepted here. */
  public static final String OPENTELEMETRY = "opentelemetry";
  /** No {@code tracing} block: nothing is traced and the data path does no tracing work at all. */
  public static final TracingSpec OFF = new TracingSpec(null);

  /** Whether mirrored records are traced. */
  public boolean enabled() {
    return OPENTELEMETRY.equals(type);
  }

  /** The type, or {@code off}: for log lines. */
  public String label() {
    return type == null ? "off" : type;
  }

  /** The block at {@code node} (null: absent, {@link #OFF}); problems name the JSON path. */
  static TracingSpec parse(JsonNode node, Problems problems) {
    if (node == null) {
      return OFF;
    }
    node.checkFields(JsonNode.set("type"), Set.of());
    String type = node.string("type", true);
    if (type == null) {
      return OFF;
    }
    if (type.equals(OPENTELEMETRY)) {
      return new TracingSpec(OPENTELEMETRY);
    }
    if (type.equals("jaeger")) {
      problems.add(node.pathOf("type"), "\"jaeger\" (OpenTracing) was removed from Strimzi; use \"opentelemetry\" "
          + "and send spans to Jaeger over OTLP (e.g. OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4317)");
    } else {
      problems.add(node.pathOf("type"), "expected \"opentelemetry\", got \"" + type + "\"");
    }
    return OFF;
  }
}
