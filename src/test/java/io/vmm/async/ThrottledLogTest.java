package io.vmm.async;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At most one WARN per {@link ThrottledLog#PERIOD_MS}, the first saying how often repeats appear; repeats in
 * between at DEBUG only. (The end of a period is not tested: the class reads the wall clock and its period is 30 s.)
 */
class ThrottledLogTest {

  private Logger logger;
  private ListAppender<ILoggingEvent> appender;

  /** A fresh logger per test, not additive (nothing reaches the console), with a list appender. */
  private Logger logger(TestInfo test, Level level) {
    logger = (Logger) LoggerFactory.getLogger("io.vmm.async.ThrottledLogTest." + test.getDisplayName()
        .replaceAll("\\W", ""));
    logger.setLevel(level);
    logger.setAdditive(false);
    appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    return logger;
  }

  @AfterEach
  void detach() {
    if (logger != null) {
      logger.detachAppender(appender);
      logger.setLevel(null);
      logger.setAdditive(true);
    }
  }

  private List<ILoggingEvent> at(Level level) {
    return appender.list.stream().filter(e -> e.getLevel() == level).toList();
  }

  @Test
  void firstWarnIsLoggedWithTheRepeatNote(TestInfo test) {
    ThrottledLog log = new ThrottledLog(logger(test, Level.DEBUG));
    log.warn("{} poll of {} failed: {}", "A->B", "orders-0", "timeout");
    List<ILoggingEvent> warns = at(Level.WARN);
    assertEquals(1, warns.size());
    assertEquals("A->B poll of orders-0 failed: timeout (repeats are logged every 30 s)",
        warns.get(0).getFormattedMessage());
  }

  @Test
  void repeatsWithinThePeriodAreNotWarnings(TestInfo test) {
    ThrottledLog log = new ThrottledLog(logger(test, Level.DEBUG));
    for (int i = 0; i < 5; i++) {
      log.warn("{} send failed: {}", "A->B", "attempt " + i);
    }
    List<ILoggingEvent> warns = at(Level.WARN);
    assertEquals(1, warns.size(), "one WARN per period");
    assertEquals("A->B send failed: attempt 0 (repeats are logged every 30 s)", warns.get(0).getFormattedMessage());
    List<ILoggingEvent> debugs = at(Level.DEBUG);
    assertEquals(4, debugs.size(), "repeats at DEBUG");
    assertEquals("A->B send failed: attempt 1", debugs.get(0).getFormattedMessage(), "without the repeat note");
    assertEquals("A->B send failed: attempt 4", debugs.get(3).getFormattedMessage());
    assertEquals(5, appender.list.size());
  }

  @Test
  void repeatsAreSilentWithoutDebug(TestInfo test) {
    ThrottledLog log = new ThrottledLog(logger(test, Level.INFO));
    for (int i = 0; i < 5; i++) {
      log.warn("refresh failed: {}", i);
    }
    assertEquals(1, appender.list.size());
    assertEquals(Level.WARN, appender.list.get(0).getLevel());
  }

  @Test
  void aDifferentMessageIsThrottledToo(TestInfo test) {
    // one throttle per ThrottledLog, not per message text
    ThrottledLog log = new ThrottledLog(logger(test, Level.DEBUG));
    log.warn("first {}", 1);
    log.warn("second {}", 2);
    assertEquals(1, at(Level.WARN).size());
    assertEquals("second 2", at(Level.DEBUG).get(0).getFormattedMessage());
  }

  @Test
  void eachInstanceHasItsOwnPeriod(TestInfo test) {
    Logger l = logger(test, Level.INFO);
    ThrottledLog polls = new ThrottledLog(l);
    ThrottledLog sends = new ThrottledLog(l);
    polls.warn("poll failed");
    sends.warn("send failed");
    polls.warn("poll failed");
    assertEquals(List.of("poll failed (repeats are logged every 30 s)", "send failed (repeats are logged every 30 s)"),
        at(Level.WARN).stream().map(ILoggingEvent::getFormattedMessage).toList());
  }

  @Test
  void throwableArgumentIsKept(TestInfo test) {
    ThrottledLog log = new ThrottledLog(logger(test, Level.INFO));
    IllegalStateException e = new IllegalStateException("boom");
    log.warn("{} failed", "A->B", e);
    ILoggingEvent event = at(Level.WARN).get(0);
    assertEquals("A->B failed (repeats are logged every 30 s)", event.getFormattedMessage());
    assertEquals("boom", event.getThrowableProxy().getMessage());
  }

  @Test
  void periodIsThirtySeconds() {
    assertEquals(30_000, ThrottledLog.PERIOD_MS);
  }

  @Test
  void noMessageAtAllWhenWarnIsOff(TestInfo test) {
    ThrottledLog log = new ThrottledLog(logger(test, Level.ERROR));
    log.warn("hidden");
    log.warn("hidden");
    assertTrue(appender.list.isEmpty());
    assertFalse(logger.isWarnEnabled());
  }
}
