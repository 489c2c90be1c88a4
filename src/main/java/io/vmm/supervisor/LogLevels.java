package io.vmm.supervisor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.vmm.config.LoggingSpec;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Applies {@code logging.loggers} levels to Logback at start and on every config reload. The environment sets
 * the defaults ({@code LOG_LEVEL} for the root logger, {@code VMM_LOG_LEVEL} for {@code io.vmm}, read by
 * logback.xml); a level in the config wins. A logger that leaves the config gets its level from before back.
 * Thread-safe (Logback's loggers are); calls are serialized by the caller.
 */
final class LogLevels {

  /** Levels in force before this class changed them: logger name to level (null = inherited). */
  private final Map<String, Level> original = new HashMap<>();

  /** Sets every level of {@code loggers} and restores loggers set before but absent now. */
  synchronized void apply(Map<String, String> loggers) {
    for (Map.Entry<String, Level> e : new HashMap<>(original).entrySet()) {
      String name = e.getKey();
      if (!loggers.containsKey(name)) {
        logger(name).setLevel(e.getValue());
        original.remove(name);
      }
    }
    loggers.forEach((name, level) -> {
      Logger logger = logger(name);
      if (!original.containsKey(name)) {
        original.put(name, logger.getLevel());
      }
      logger.setLevel(Level.toLevel(level));
    });
  }

  private static Logger logger(String name) {
    return (Logger) LoggerFactory.getLogger(LoggingSpec.ROOT.equals(name) ? org.slf4j.Logger.ROOT_LOGGER_NAME : name);
  }
}
