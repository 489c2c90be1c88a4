package io.vmm.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * Serves the replica's Prometheus registry as text at {@code GET /metrics} on {@code metrics.port} (default
 * 9404, Strimzi's metrics port; 0 picks a free port). Scrapes run on this verticle's event loop; every gauge
 * read is a short synchronized getter.
 */
public final class MetricsVerticle extends VerticleBase {

  private final PrometheusMeterRegistry registry;
  private final int port;
  private volatile int actualPort = -1;
  private HttpServer server;

  public MetricsVerticle(PrometheusMeterRegistry registry, int port) {
    this.registry = registry;
    this.port = port;
  }

  /** The bound port once started, else -1. */
  public int actualPort() {
    return actualPort;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    server = vertx.createHttpServer();
    return server.requestHandler(router).listen(port).onSuccess(s -> actualPort = s.actualPort());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
