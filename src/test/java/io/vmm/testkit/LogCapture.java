package io.vmm.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Captures every log event of the JVM (an appender on logback's root logger) while open, with some loggers made
 * more verbose (e.g. Kafka clients' settings dumps at INFO, {@code io.vmm} at DEBUG); {@link #close()} restores
 * their levels and the root logger's (which code under test may have changed) and detaches. Thread-safe reads of what was captured so far.
 */
public final class LogCapture implements AutoCloseable {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Map<String, Level> previous = new LinkedHashMap<>();

  private LogCapture(Map<String, String> levels) {
    // the root level too: code under test may change it (a config's logging block)
    previous.put(org.slf4j.Logger.ROOT_LOGGER_NAME, root().getLevel());
    levels.forEach((name, level) -> {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      previous.putIfAbsent(name, logger.getLevel());
      logger.setLevel(Level.toLevel(level));
    });
    appender.start();
    root().addAppender(appender);
  }

  /**
   * Starts capturing, with {@code levels} (logger name to level name) applied until {@link #close()}.
   */
  public static LogCapture start(Map<String, String> levels) {
    return new LogCapture(levels);
  }

  /**
   * Starts capturing with the levels under which secrets would show if anything printed them: Kafka clients',
   * config and security loggers at INFO (clients dump their settings there) and {@code io.vmm} at DEBUG.
   */
  public static LogCapture verbose() {
    Map<String, String> levels = new LinkedHashMap<>();
    levels.put("org.apache.kafka.clients", "INFO");
    levels.put("org.apache.kafka.common.config", "INFO");
    levels.put("org.apache.kafka.common.security", "INFO");
    levels.put("io.vmm", "DEBUG");
    return new LogCapture(levels);
  }

  /** The events captured so far, in order. */
  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return new ArrayList<>(appender.list);
    }
  }

  /** The events so far that match {@code filter}. */
  public List<ILoggingEvent> events(Predicate<ILoggingEvent> filter) {
    return events().stream().filter(filter).toList();
  }

  /** Formatted messages so far containing {@code text}. */
  public List<String> messagesContaining(String text) {
    return events().stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(text)).toList();
  }

  /**
   * Everything captured so far as one text: per event the logger name and the formatted message, then every
   * throwable in the cause chain (class and message), one per line.
   */
  public String text() {
    StringBuilder text = new StringBuilder();
    for (ILoggingEvent e : events()) {
      text.append(e.getLoggerName()).append(' ').append(e.getLevel()).append(' ').append(e.getFormattedMessage())
          .append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        text.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    return text.toString();
  }

  @Override
  public void close() {
    root().detachAppender(appender);
    appender.stop();
    previous.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
