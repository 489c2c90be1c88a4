package io.vmm.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code logging} block, in the shape of Strimzi's inline logging:
 * <pre>{@code "logging": {"type": "inline", "loggers": {"rootLogger.level": "INFO", "io.vmm.source": "DEBUG"}}}</pre>
 * A key of {@code loggers} is a logger name, or one of Strimzi's/log4j's spellings: {@code rootLogger.level},
 * {@code connect.root.logger.level} and {@code log4j.rootLogger} (value {@code "INFO, CONSOLE"}: the first word)
 * for the root logger; {@code log4j.logger.<name>}; {@code logger.<id>.name} with {@code logger.<id>.level}.
 * Levels: TRACE, DEBUG, INFO, WARN, ERROR, OFF (any case). {@code type: external} (a ConfigMap of log4j
 * properties) is not supported.
 */
public final class LoggingSpec {

  /** Logger name used for the root logger in the parsed map. */
  public static final String ROOT = "ROOT";
  static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  private LoggingSpec() {
  }

  /** Logger name → upper-case level; empty when {@code node} is null. Problems name the JSON path. */
  static Map<String, String> parse(JsonNode node, Problems problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    node.checkFields(JsonNode.set("type", "loggers"), Set.of());
    String type = node.string("type", false);
    if (type != null && !type.equals("inline")) {
      problems.add(node.pathOf("type"), "only \"inline\" logging is supported here, got \"" + type
          + "\"; list the levels under logging.loggers");
      return out;
    }
    Map<String, String> raw = node.scalarMap("loggers");
    String loggersPath = node.pathOf("loggers");
    Map<String, String> idNames = new LinkedHashMap<>();
    Map<String, String> idLevels = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = e.getKey();
      String path = loggersPath + "." + key;
      if (key.matches("logger\\.[^.]+\\.name")) {
        idNames.put(key.substring(7, key.length() - 5), e.getValue());
        continue;
      }
      String level = level(e.getValue(), key.equals("log4j.rootLogger"), path, problems);
      if (level == null) {
        continue;
      }
      if (key.equals("rootLogger.level") || key.equals("connect.root.logger.level") || key.equals("log4j.rootLogger")
          || key.equalsIgnoreCase("root")) {
        out.put(ROOT, level);
      } else if (key.startsWith("log4j.logger.")) {
        out.put(key.substring("log4j.logger.".length()), level);
      } else if (key.matches("logger\\.[^.]+\\.level")) {
        idLevels.put(key.substring(7, key.length() - 6), level);
      } else {
        out.put(key, level);
      }
    }
    idLevels.forEach((id, level) -> {
      String name = idNames.get(id);
      if (name == null) {
        problems.add(loggersPath + ".logger." + id + ".level", "has no logger." + id + ".name");
      } else {
        out.put(name, level);
      }
    });
    return out;
  }

  private static String level(String value, boolean firstWord, String path, Problems problems) {
    String v = value.trim();
    if (firstWord && v.contains(",")) {
      v = v.substring(0, v.indexOf(',')).trim();
    }
    String upper = v.toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(upper)) {
      problems.add(path, "unknown level \"" + value + "\"; use one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
      return null;
    }
    return upper;
  }
}
