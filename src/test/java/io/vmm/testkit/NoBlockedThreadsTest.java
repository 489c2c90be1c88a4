package io.vmm.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proves the watch sees Vert.x's warning: blocks an event loop on purpose and checks the logger got it. */
class NoBlockedThreadsTest {

  @Test
  void vertxBlockedThreadWarningReachesTheWatchedLogger() throws Exception {
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new ch.qos.logback.core.read.ListAppender<>();
    appender.start();
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(NoBlockedThreads.LOGGER);
    logger.addAppender(appender);
    Vertx vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(50).setMaxEventLoopExecuteTimeUnit(
        TimeUnit.MILLISECONDS).setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    try {
      vertx.runOnContext(v -> {
        long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < end) {
          Thread.onSpinWait(); // block the event loop on purpose
        }
      });
      Await.until("a blocked-thread warning", java.time.Duration.ofSeconds(10), () -> !appender.list.isEmpty());
      assertTrue(appender.list.get(0).getFormattedMessage().contains("blocked"));
    } finally {
      logger.detachAppender(appender);
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }
}
