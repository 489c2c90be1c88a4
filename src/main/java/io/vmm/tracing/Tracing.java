package io.vmm.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vmm.async.Budgets;
import io.vmm.config.ConfigException;
import io.vmm.config.TracingSpec;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tracing of mirrored records (Strimzi's {@code tracing: {type: opentelemetry}}): holds the process's OpenTelemetry
 * SDK and the OpenTelemetry Kafka client instrumentation ({@code opentelemetry-kafka-clients-2.6}), and hands each
 * target producer a {@link TracedSender}. One instance per process, built before the flows start, closed by the
 * supervisor's stop. Config reloads do not change it (a changed {@code tracing} block needs a restart).
 * <p>
 * <b>Off</b> ({@link #disabled()}): {@link #sender} returns null, so a producer keeps its raw
 * {@code KafkaProducer.send} and the data path does no tracing work per record (no wrapper, no header parsing).
 * <p>
 * <b>On</b> ({@link #start}): the SDK is built by OpenTelemetry's autoconfigure from the standard {@code OTEL_*}
 * environment variables (or {@code otel.*} system properties), as Strimzi's images do: {@code OTEL_SERVICE_NAME}
 * (default here {@value #DEFAULT_SERVICE_NAME}), {@code OTEL_EXPORTER_OTLP_ENDPOINT} / {@code _PROTOCOL} /
 * {@code _HEADERS} / {@code _TIMEOUT}, {@code OTEL_TRACES_SAMPLER}, {@code OTEL_PROPAGATORS}, {@code OTEL_BSP_*}.
 * Only traces are exported: metrics and logs exporters default to {@code none} here. Spans go through the batch
 * span processor: ending a span only puts it in a bounded queue ({@code OTEL_BSP_MAX_QUEUE_SIZE}, default 2048;
 * full means the span is dropped), and the export, with its timeouts and retries, runs on the SDK's own threads.
 * So an unreachable collector costs dropped spans, never a slower or blocked mirror.
 * <p>
 * Threading: immutable after construction; {@link #sender} and {@link #close} may be called from any thread.
 */
public final class Tracing {

  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
  /** {@code service.name} when neither {@code OTEL_SERVICE_NAME} nor {@code OTEL_RESOURCE_ATTRIBUTES} sets one. */
  public static final String DEFAULT_SERVICE_NAME = "vertx-mirror-maker";
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final Tracing DISABLED = new Tracing(null);

  private final OpenTelemetrySdk sdk;
  private final KafkaTelemetry telemetry;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.telemetry = sdk == null ? null : KafkaTelemetry.create(sdk);
  }

  /** Tracing off: the one shared instance; {@link #sender} returns null and {@link #close} does nothing. */
  public static Tracing disabled() {
    return DISABLED;
  }

  /**
   * Tracing as {@code spec} asks: {@link #disabled()} when it is off, else an SDK from the {@code OTEL_*}
   * environment. Blocking-free (no connection is made until the first export).
   *
   * @throws ConfigException when the {@code OTEL_*} settings are invalid (an unknown exporter or sampler, a bad
   *                         endpoint): a config error, as for the config file
   */
  public static Tracing start(TracingSpec spec) {
    if (!spec.enabled()) {
      return DISABLED;
    }
    OpenTelemetrySdk sdk;
    try {
      sdk = AutoConfiguredOpenTelemetrySdk.builder()
          .addPropertiesSupplier(() -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
          .addResourceCustomizer(Tracing::defaultServiceName)
          .disableShutdownHook() // closed by the supervisor's stop, within Budgets.TRACING_CLOSE_MS
          .build().getOpenTelemetrySdk();
    } catch (ConfigurationException e) {
      throw new ConfigException("tracing: the OTEL_* settings are invalid: " + e.getMessage());
    }
    LOG.info("tracing on: OpenTelemetry, one producer span per mirrored record; exporter, sampler and service name "
        + "from the OTEL_* environment variables");
    return new Tracing(sdk);
  }

  /** Tracing on with a given SDK (tests: an in-memory exporter); {@link #close} shuts the SDK down. */
  public static Tracing of(OpenTelemetrySdk sdk) {
    return new Tracing(sdk);
  }

  /** Autoconfigure's fallback {@code unknown_service:java} becomes {@value #DEFAULT_SERVICE_NAME}. */
  private static Resource defaultServiceName(Resource resource, ConfigProperties config) {
    String name = resource.getAttribute(SERVICE_NAME);
    return name == null || name.startsWith("unknown_service")
        ? resource.merge(Resource.create(Attributes.of(SERVICE_NAME, DEFAULT_SERVICE_NAME)))
        : resource;
  }

  /** Whether mirrored records are traced. */
  public boolean enabled() {
    return sdk != null;
  }

  /**
   * The per-record hook of one target producer: sends through the instrumentation's wrapper of {@code producer}.
   * Null when tracing is off: the caller then sends with {@code producer} itself.
   */
  public TracedSender sender(Producer<byte[], byte[]> producer) {
    return sdk == null ? null : new TracedSender(telemetry.wrap(producer),
        sdk.getPropagators().getTextMapPropagator());
  }

  /**
   * Exports what is queued and shuts the SDK down, on a worker thread, waiting at most
   * {@link Budgets#TRACING_CLOSE_MS}; spans not exported by then are dropped. Never fails; completes on the
   * caller's context (Vert.x) when called from one. Call it after the producers are closed.
   */
  public Future<Void> close(Vertx vertx) {
    if (sdk == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      long started = System.nanoTime();
      boolean done = sdk.shutdown().join(Budgets.TRACING_CLOSE_MS, TimeUnit.MILLISECONDS).isDone();
      long ms = (System.nanoTime() - started) / 1_000_000;
      if (done) {
        LOG.info("tracing closed in {} ms", ms);
      } else {
        LOG.warn("tracing: spans not exported within {} ms were dropped (collector slow or unreachable)", ms);
      }
      return null;
    }, false).<Void>mapEmpty().otherwiseEmpty();
  }
}
