package io.vmm.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Fails the test class if Vert.x reported a blocked event-loop or worker thread while it ran: blocked-thread
 * warnings are bugs here. Listens to Vert.x's {@code io.vertx.core.impl.BlockedThreadChecker} logger through
 * SLF4J/logback.
 */
public final class NoBlockedThreads implements BeforeAllCallback, AfterAllCallback {

  /** The logger name Vert.x 5's BlockedThreadChecker writes to. */
  public static final String LOGGER = "io.vertx.core.impl.BlockedThreadChecker";

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoBlockedThreads.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setName("no-blocked-threads");
    appender.start();
    ((Logger) LoggerFactory.getLogger(LOGGER)).addAppender(appender);
    context.getStore(NS).put("appender", appender);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void afterAll(ExtensionContext context) {
    ListAppender<ILoggingEvent> appender = context.getStore(NS).remove("appender", ListAppender.class);
    if (appender == null) {
      return; // beforeAll did not run (another extension failed first)
    }
    ((Logger) LoggerFactory.getLogger(LOGGER)).detachAppender(appender);
    List<ILoggingEvent> events = appender.list;
    if (!events.isEmpty()) {
      throw new AssertionError(events.size() + " blocked-thread warning(s), first: "
          + events.get(0).getFormattedMessage());
    }
  }
}
