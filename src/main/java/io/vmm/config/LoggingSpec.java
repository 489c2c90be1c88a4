package io.vmm.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code logging} block, in the shapes of Strimzi's logging: logger name (or {@link #ROOT}) to level.
 * <ul>
 *   <li><b>Inline</b>: <pre>{@code "logging": {"type": "inline", "loggers": {"rootLogger.level": "INFO",
 *       "io.vmm.source": "DEBUG"}}}</pre> A key of {@code loggers} is a logger name, or one of Strimzi's/log4j's
 *       spellings: {@code rootLogger.level}, {@code connect.root.logger.level} and {@code log4j.rootLogger}
 *       (value {@code "INFO, CONSOLE"}: the first word) for the root logger; {@code log4j.logger.<name>};
 *       {@code logger.<id>.name} with {@code logger.<id>.level}.</li>
 *   <li><b>External</b>: <pre>{@code "logging": {"type": "external", "valueFrom": {"configMapKeyRef":
 *       {"name": "my-logging", "key": "log4j2.properties"}}}}</pre> reads the file
 *       {@code <Environment.configMapsDir()>/<name>/<key>} (a ConfigMap mounted as a volume, one file per key, the
 *       same rule as Secrets). The file is Strimzi's log4j2 or log4j properties; the same spellings as inline
 *       give the levels ({@code rootLogger = INFO, STDOUT} too), {@code ${name}} takes the value of another key
 *       ({@code name} or log4j2's {@code property.name}), and every other key (appenders, layouts, filters,
 *       additivity, {@code status}, ...) is ignored. The file is read by {@link #parse} only, that is at start
 *       and at each config reload: a changed file takes effect at the next reload, not on its own.</li>
 * </ul>
 * Levels: TRACE, DEBUG, INFO, WARN, ERROR, OFF (any case). Problems name the JSON path, and for a file its path
 * and line: a missing or unreadable file, a line that is not {@code key=value} ({@code key: value},
 * {@code key value}), an unknown level, a {@code logger.<id>.level} without its name ({@code optional: true},
 * as in Kubernetes' {@code configMapKeyRef}, lets the file be absent). Pure but for reading that one file
 * (blocking, small).
 */
public final class LoggingSpec {

  /** Logger name used for the root logger in the parsed map. */
  public static final String ROOT = "ROOT";
  static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
  private static final Pattern ID_KEY = Pattern.compile("logger\\.([^.]+)\\.(name|level)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

  private LoggingSpec() {
  }

  /**
   * Logger name → upper-case level; empty when {@code node} is null. Problems name the JSON path.
   *
   * @param env where external logging files are ({@link Environment#configMapsDir()})
   */
  static Map<String, String> parse(JsonNode node, Problems problems, Environment env) {
    if (node == null) {
      return new LinkedHashMap<>();
    }
    node.checkFields(JsonNode.set("type", "loggers", "valueFrom"), Set.of());
    String type = node.string("type", false);
    if (type != null && !type.equals("inline") && !type.equals("external")) {
      problems.add(node.pathOf("type"), "expected \"inline\" or \"external\", got \"" + type + "\"");
      return new LinkedHashMap<>();
    }
    if ("external".equals(type)) {
      if (node.has("loggers")) {
        problems.add(node.pathOf("loggers"), "only with type inline; external logging takes its levels from the "
            + "file named by valueFrom");
      }
      return external(node, problems, env);
    }
    if (node.has("valueFrom")) {
      problems.add(node.pathOf("valueFrom"), "only with type external");
    }
    return levels(node.scalarMap("loggers"), true, (key, message) -> problems.add(node.pathOf("loggers") + "."
        + key, message));
  }

  /** Where a problem of {@code key} goes. */
  private interface Report {
    void add(String key, String message);
  }

  /**
   * The levels of {@code raw} (inline {@code loggers}, or a file's properties). {@code anyKeyIsALogger}: a key
   * with no known spelling is a logger name (inline); else it is ignored (a file's appenders, layouts, ...).
   */
  private static Map<String, String> levels(Map<String, String> raw, boolean anyKeyIsALogger, Report report) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> idNames = new LinkedHashMap<>();
    Map<String, String> idLevels = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = e.getKey();
      Matcher id = ID_KEY.matcher(key);
      if (id.matches() && id.group(2).equals("name")) {
        idNames.put(id.group(1), e.getValue().trim());
        continue;
      }
      String name = loggerOf(key, anyKeyIsALogger);
      if (name == null && !id.matches()) {
        continue;
      }
      boolean firstWord = key.equals("log4j.rootLogger") || key.startsWith("log4j.logger.")
          || (!anyKeyIsALogger && key.equals("rootLogger"));
      String level = level(e.getValue(), firstWord, key, report);
      if (level == null) {
        continue;
      }
      if (id.matches()) {
        idLevels.put(id.group(1), level);
      } else {
        out.put(name, level);
      }
    }
    idLevels.forEach((id, level) -> {
      String name = idNames.get(id);
      if (name == null) {
        report.add("logger." + id + ".level", "has no logger." + id + ".name");
      } else {
        out.put(name, level);
      }
    });
    return out;
  }

  /** The logger a key sets the level of, {@link #ROOT}, or null when the key sets no level. */
  private static String loggerOf(String key, boolean anyKeyIsALogger) {
    if (key.equals("rootLogger.level") || key.equals("connect.root.logger.level") || key.equals("log4j.rootLogger")
        || key.equalsIgnoreCase("root") || (!anyKeyIsALogger && key.equals("rootLogger"))) {
      return ROOT;
    }
    if (key.startsWith("log4j.logger.")) {
      return key.substring("log4j.logger.".length());
    }
    return anyKeyIsALogger && !ID_KEY.matcher(key).matches() ? key : null;
  }

  private static String level(String value, boolean firstWord, String key, Report report) {
    String v = value.trim();
    if (firstWord && v.contains(",")) {
      v = v.substring(0, v.indexOf(',')).trim();
    }
    String upper = v.toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(upper)) {
      report.add(key, "unknown level \"" + value.trim() + "\"; use one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
      return null;
    }
    return upper;
  }

  // ------------------------------------------------------------------------------------------ external

  private static Map<String, String> external(JsonNode node, Problems problems, Environment env) {
    Map<String, String> none = new LinkedHashMap<>();
    JsonNode valueFrom = node.object("valueFrom");
    if (valueFrom == null) {
      if (!node.has("valueFrom")) {
        problems.add(node.pathOf("valueFrom"), "required with type external: {\"configMapKeyRef\": {\"name\": ..., "
            + "\"key\": ...}}");
      }
      return none;
    }
    valueFrom.checkFields(JsonNode.set("configMapKeyRef"), Set.of());
    JsonNode ref = valueFrom.object("configMapKeyRef");
    if (ref == null) {
      if (!valueFrom.has("configMapKeyRef")) {
        problems.add(valueFrom.pathOf("configMapKeyRef"), "required field is missing");
      }
      return none;
    }
    ref.checkFields(JsonNode.set("name", "key", "optional"), Set.of());
    String name = ref.string("name", true);
    String key = ref.string("key", true);
    boolean optional = ref.bool("optional", false);
    for (String[] part : new String[][]{{"name", name}, {"key", key}}) {
      if (part[1] != null && (!SAFE_NAME.matcher(part[1]).matches() || part[1].equals(".")
          || part[1].equals(".."))) {
        problems.add(ref.pathOf(part[0]), "\"" + part[1] + "\" must be letters, digits, '.', '_' or '-' (a "
            + "ConfigMap " + part[0] + ")");
        return none;
      }
    }
    if (name == null || key == null) {
      return none;
    }
    Path file = env.configMapsDir().resolve(name).resolve(key);
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      if (optional) {
        return none; // Kubernetes' optional ConfigMap key: absent means no levels
      }
      problems.add(ref.path(), "file " + file + " not found (ConfigMap " + name + " mounted under "
          + env.configMapsDir() + ", $" + Environment.CONFIGMAPS_DIR + ")");
      return none;
    } catch (IOException | RuntimeException e) {
      problems.add(ref.path(), "cannot read file " + file + ": " + e);
      return none;
    }
    Map<String, Integer> lines = new LinkedHashMap<>();
    Map<String, String> properties = properties(text, file, ref.path(), problems, lines);
    return levels(resolve(properties), false, (k, message) -> problems.add(ref.path(), "file " + file + " line "
        + lines.get(k) + " (" + k + "): " + message));
  }

  /**
   * The {@code key=value} pairs of a properties text, in order (a later key wins); lines ending in an odd number
   * of backslashes continue on the next; {@code #} and {@code !} start comments. {@code lines} receives each
   * key's line number.
   */
  static Map<String, String> properties(String text, Path file, String path, Problems problems,
                                        Map<String, Integer> lines) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] physical = text.split("\r\n|\r|\n", -1);
    for (int i = 0; i < physical.length; i++) {
      int lineNo = i + 1;
      StringBuilder logical = new StringBuilder(physical[i].stripLeading());
      while (endsWithContinuation(logical) && i + 1 < physical.length) {
        logical.setLength(logical.length() - 1);
        logical.append(physical[++i].stripLeading());
      }
      String line = logical.toString().strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
        continue;
      }
      int sep = separator(line);
      String key = sep < 0 ? line : line.substring(0, sep).strip();
      String value = sep < 0 ? "" : line.substring(sep).strip();
      if (!value.isEmpty() && (value.charAt(0) == '=' || value.charAt(0) == ':')) {
        value = value.substring(1).strip(); // "key=value", "key = value", "key: value"
      }
      if (sep < 0 || key.isEmpty()) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        problems.add(path, "file " + file + " line " + lineNo + ": expected key=value, got \"" + shown + "\"");
        continue;
      }
      out.put(key, value);
      lines.put(key, lineNo);
    }
    return out;
  }

  private static boolean endsWithContinuation(CharSequence s) {
    int backslashes = 0;
    for (int i = s.length() - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  /** The first unescaped {@code =}, {@code :} or whitespace, or -1. */
  private static int separator(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '=' || c == ':' || Character.isWhitespace(c)) {
        return i;
      }
    }
    return -1;
  }

  /** {@code ${name}} replaced by the value of key {@code name} or {@code property.name}; unknown ones stay. */
  private static Map<String, String> resolve(Map<String, String> properties) {
    Map<String, String> out = new LinkedHashMap<>();
    properties.forEach((k, v) -> {
      String value = v;
      for (int depth = 0; depth < 5 && value.contains("${"); depth++) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
          String ref = properties.getOrDefault(m.group(1), properties.get("property." + m.group(1)));
          m.appendReplacement(sb, Matcher.quoteReplacement(ref != null ? ref : m.group()));
        }
        m.appendTail(sb);
        value = sb.toString();
      }
      out.put(k, value);
    });
    return out;
  }
}
