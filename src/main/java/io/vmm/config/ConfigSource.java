package io.vmm.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way the configuration document is read, at start-up and on reload: the {@code -conf} argument through
 * vertx-config. The argument is a file, JSON or YAML by extension ({@code .yaml}/{@code .yml}, any case; anything
 * else is JSON), or inline JSON when it starts with <code>{</code> (as the Vert.x launcher allows). A Strimzi
 * {@code KafkaMirrorMaker2} resource (with {@code kind} and {@code spec}) is accepted as well: its {@code spec}
 * is the document ({@link #unwrap}). The document holds plain JSON types throughout (nested objects are
 * {@link JsonObject}s, lists {@link io.vertx.core.json.JsonArray}s, no Java types such as a YAML date's).
 * <p>
 * A file is read by a {@link ConfigRetriever} with one {@code file} store ({@link #retriever}); the same
 * definition backs {@link ConfigWatcher}, so a reload reads the file exactly as the start did.
 * Environment variables are not part of the document: {@link Environment} reads them.
 * <p>
 * A {@code .properties} file (any case) is MM2's dedicated-mode file: the {@code file} store reads it in the
 * {@code properties} format with string values and flat keys, and {@link Mm2Properties} translates it into the
 * document, on every read (start and reload alike), limited to the flows into the {@code --clusters} aliases
 * its reader passes ({@link #load(Vertx, String, Set)}; {@link ConfigWatcher} is given the same set). Translation
 * warnings are logged once per file and distinct set of warnings.
 * <p>
 * Errors are {@link ConfigException}s with one line naming the file, never parser internals:
 * {@code <file>: file not found}, {@code <file>: cannot read: <reason>},
 * {@code <file>: not a text file (control byte 0x00 at offset N)}, {@code <file>: not UTF-8 text (byte 0xE9 at
 * offset N, line L, ...)} ({@link TextFormats}), {@code <file>: not valid JSON: <reason> at line L, column C}
 * (a truncated file: {@code unexpected end of input at line L, column C (the object opened at line 1, column 1 is
 * not closed)}), {@code <file>: not valid YAML: <reason> at line L, column C},
 * {@code <file>: expected a mapping at the top level}. Inline JSON is named {@value #INLINE}.
 */
public final class ConfigSource {

  /** Where problems of an inline JSON argument are reported. */
  static final String INLINE = "-conf (inline JSON)";
  /** Jackson's location, e.g. {@code [Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 17]}. */
  private static final Pattern JACKSON_LOCATION =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+)(?:, column: (\\d+))?]");
  /** Jackson's truncated-object reason once located, e.g. {@code ...close marker for Array (start marker at line 1, column 14)}. */
  private static final Pattern END_OF_INPUT_CLOSE_MARKER =
      Pattern.compile("close marker for (Object|Array) \\(start marker at (line \\d+(?:, column \\d+)?)\\)");
  /** SnakeYAML's location line, e.g. {@code  in 'string', line 1, column 5:}. */
  private static final Pattern YAML_LOCATION = Pattern.compile("\\s*in '[^']*', line (\\d+), column (\\d+):?\\s*");

  private static final Logger LOG = LoggerFactory.getLogger(ConfigSource.class);
  /** The translation warnings last logged per properties file (absolute normalized path). */
  private static final Map<String, List<String>> WARNED = new ConcurrentHashMap<>();

  private ConfigSource() {
  }

  /**
   * Reads the document once.
   *
   * @param vertx any Vert.x instance; the file is read on its file-system threads, YAML parsed on a worker
   * @param conf  a file path or inline JSON (the {@code -conf} argument)
   * @return the unwrapped document; fails with a {@link ConfigException} (one problem, naming the file).
   *         Completes on a Vert.x context of {@code vertx} (inline JSON: at once, on the caller's thread).
   */
  public static Future<JsonObject> load(Vertx vertx, String conf) {
    return load(vertx, conf, Set.of());
  }

  /**
   * Reads the document once, limiting an MM2 properties file to the flows into {@code onlyTargets}.
   *
   * @param onlyTargets the {@code --clusters} aliases; empty for every flow; only for a {@code .properties} file
   * @return as {@link #load(Vertx, String)}; a translation error is a {@link ConfigException} with one line per
   *         problem, each naming the property key
   */
  public static Future<JsonObject> load(Vertx vertx, String conf, Set<String> onlyTargets) {
    if (isInline(conf)) {
      try {
        return Future.succeededFuture(unwrap(plain(new JsonObject(conf.trim()), INLINE)));
      } catch (RuntimeException e) {
        return Future.failedFuture(problem(INLINE, false, e));
      }
    }
    ConfigRetriever retriever;
    try {
      retriever = retriever(vertx, conf, onlyTargets);
    } catch (RuntimeException e) {
      return Future.failedFuture(problem(conf, isYaml(conf), e));
    }
    return retriever.getConfig()
        .recover(e -> Future.failedFuture(problem(conf, isYaml(conf), e)))
        .andThen(ar -> retriever.close());
  }

  /** True when {@code conf} is inline JSON rather than a path: it starts with <code>{</code>. */
  public static boolean isInline(String conf) {
    return conf.trim().startsWith("{");
  }

  /**
   * The {@code spec} of a Strimzi {@code KafkaMirrorMaker2} resource, the translation of a legacy
   * {@code KafkaMirrorMaker} resource or spec ({@link Mm1Spec#toMm2}; its problems are {@link ConfigException}s), or
   * {@code doc} itself.
   */
  public static JsonObject unwrap(JsonObject doc) {
    if (Mm1Spec.isMm1(doc)) {
      return Mm1Spec.toMm2(doc);
    }
    if ("KafkaMirrorMaker2".equals(doc.getString("kind")) && doc.getValue("spec") instanceof JsonObject spec) {
      return spec;
    }
    return doc;
  }

  /**
   * The retriever both {@link #load} and {@link ConfigWatcher} read {@code path} with: one {@code file} store
   * (format by extension), no default stores (no system properties or environment merged in), no periodic scan
   * of its own; its documents are plain JSON and unwrapped, and a processing error is a {@link ConfigException}.
   * A properties file is translated with {@code onlyTargets} (MM2's {@code --clusters}; empty: every flow).
   * Create it on the context that will read with it; close it after use.
   */
  static ConfigRetriever retriever(Vertx vertx, String path, Set<String> onlyTargets) {
    if (Mm2Properties.isProperties(path)) {
      Set<String> targets = Set.copyOf(onlyTargets);
      return ConfigRetriever.create(vertx, retrieverOptions(path))
          .setConfigurationProcessor(doc -> translate(doc, path, targets));
    }
    return ConfigRetriever.create(vertx, retrieverOptions(path))
        .setConfigurationProcessor(doc -> unwrap(plain(doc, path)));
  }

  private static JsonObject translate(JsonObject flat, String path, Set<String> targets) {
    Map<String, String> props = new TreeMap<>();
    flat.forEach(e -> props.put(e.getKey(), e.getValue() == null ? "" : String.valueOf(e.getValue())));
    Mm2Properties.Translation t;
    try {
      t = Mm2Properties.translate(props, targets);
    } catch (ConfigException e) {
      throw new ConfigException(e.problems().stream().map(p -> path + ": " + p).toList());
    }
    String key = Path.of(path).toAbsolutePath().normalize().toString();
    if (!t.warnings().equals(WARNED.put(key, t.warnings()))) {
      t.warnings().forEach(w -> LOG.warn("{}: {}", path, w));
    }
    return t.spec();
  }

  /**
   * The store definition of {@code path}: absolute (never a class-path resource), JSON, YAML or MM2 properties by
   * extension, each behind {@link TextFormats}' check that the file is text.
   */
  static ConfigRetrieverOptions retrieverOptions(String path) {
    JsonObject config = new JsonObject().put("path", Path.of(path).toAbsolutePath().toString())
        .put(TextFormats.NAME, path);
    String format = isYaml(path) ? TextFormats.YAML : TextFormats.JSON; // behind a text check (TextFormats)
    if (Mm2Properties.isProperties(path)) {
      format = TextFormats.PROPERTIES;
      config.put("raw-data", true).put("hierarchical", false); // strings as written, keys as written
    }
    ConfigStoreOptions store = new ConfigStoreOptions().setType("file").setFormat(format).setConfig(config);
    return new ConfigRetrieverOptions().setIncludeDefaultStores(false).setScanPeriod(0).addStore(store);
  }

  static boolean isYaml(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return lower.endsWith(".yaml") || lower.endsWith(".yml");
  }

  /** A copy holding plain JSON types (the YAML processor leaves maps inside lists, dates, ... as they are). */
  private static JsonObject plain(JsonObject doc, String where) {
    try {
      return new JsonObject(doc.encode());
    } catch (RuntimeException e) {
      throw new ConfigException(where + ": cannot be represented as JSON: " + oneLine(e.getMessage()));
    }
  }

  /**
   * The one-line problem for a failed read of {@code where}.
   *
   * @param yaml whether the file was parsed as YAML
   */
  static ConfigException problem(String where, boolean yaml, Throwable e) {
    if (e instanceof ConfigException ce) {
      return ce;
    }
    if (e instanceof FileSystemException) {
      Throwable cause = e.getCause();
      if (cause instanceof NoSuchFileException) {
        return new ConfigException(where + ": file not found");
      }
      if (cause instanceof AccessDeniedException) {
        return new ConfigException(where + ": cannot read: permission denied");
      }
      return new ConfigException(where + ": cannot read: "
          + oneLine(cause == null || cause.getMessage() == null ? e.getMessage() : cause.getMessage()));
    }
    if (yaml) {
      // vertx-config's YAML processor: a non-mapping document fails its cast to a Map; a document that is
      // only comments is null, which its merge step does not expect
      if (e instanceof DecodeException && e.getCause() instanceof ClassCastException
          || e instanceof NullPointerException) {
        return new ConfigException(where + ": expected a mapping at the top level");
      }
      if (e.getClass().getName().startsWith("org.yaml.snakeyaml.")) {
        return new ConfigException(where + ": not valid YAML: " + yamlReason(e.getMessage()));
      }
    } else if (e instanceof DecodeException) {
      String reason = jsonReason(e.getMessage());
      // Jackson's messages when the top-level value cannot become a Map: an array, a string, a number, null
      if (reason.contains("java.util.LinkedHashMap") || reason.startsWith("Invalid JSON object")) {
        return new ConfigException(where + ": expected a mapping at the top level");
      }
      return new ConfigException(where + ": not valid JSON: " + reason);
    }
    if (e instanceof java.nio.charset.CharacterCodingException) { // "Input length = 1": say what it means
      return new ConfigException(where + ": not UTF-8 text (save the file as UTF-8)");
    }
    return new ConfigException(where + ": cannot read: " + oneLine(String.valueOf(e.getMessage())));
  }

  /**
   * A Jackson message without Vert.x's prefix and Jackson's {@code [Source: REDACTED ...]} text: the reason,
   * then {@code at line L, column C} where the parser stopped.
   */
  static String jsonReason(String message) {
    String m = message == null ? "" : message;
    if (m.startsWith("Failed to decode:")) {
      m = m.substring("Failed to decode:".length());
    }
    String where = null;
    int at = m.lastIndexOf("\n at [Source:");
    if (at >= 0) {
      Matcher loc = JACKSON_LOCATION.matcher(m.substring(at));
      if (loc.find()) {
        where = location(loc.group(1), loc.group(2));
      }
      m = m.substring(0, at);
    }
    Matcher inner = JACKSON_LOCATION.matcher(m); // e.g. "(for Array starting at [Source: ...; line: 1, column: 15])"
    StringBuilder out = new StringBuilder();
    while (inner.find()) {
      inner.appendReplacement(out, Matcher.quoteReplacement(location(inner.group(1), inner.group(2))));
    }
    inner.appendTail(out);
    String reason = oneLine(out.toString().replace("Source: REDACTED", ""));
    if (reason.startsWith("No content to map")) {
      return "the document is empty";
    }
    if (reason.startsWith("Unexpected end-of-input")) { // a truncated document
      String detail = endOfInputDetail(reason);
      return "unexpected end of input" + (where == null ? "" : " at " + where)
          + (detail == null ? "" : " (" + detail + ")");
    }
    return where == null ? reason : reason + " at " + where;
  }

  /** Jackson's end-of-input reasons (after {@link #jsonReason}'s location rewrite) in plain words; null if unknown. */
  private static String endOfInputDetail(String reason) {
    Matcher open = END_OF_INPUT_CLOSE_MARKER.matcher(reason);
    if (open.find()) {
      return "the " + ("Array".equals(open.group(1)) ? "array" : "object") + " opened at " + open.group(2)
          + " is not closed";
    }
    if (reason.contains("Object entries")) {
      return "inside an object";
    }
    if (reason.contains("Array entries")) {
      return "inside an array";
    }
    if (reason.contains("closing quote") || reason.contains("VALUE_STRING")) {
      return "inside a string: its closing quote is missing";
    }
    if (reason.contains("field name")) {
      return "inside a field name";
    }
    return null;
  }

  /**
   * A SnakeYAML message in one line: its context and problem lines joined with {@code ; }, without the quoted
   * snippets, then {@code at line L, column C} of the problem.
   */
  static String yamlReason(String message) {
    List<String> parts = new ArrayList<>();
    String where = null;
    boolean snippet = false;
    for (String line : (message == null ? "" : message).split("\\R")) {
      Matcher loc = YAML_LOCATION.matcher(line);
      if (loc.matches()) {
        where = location(loc.group(1), loc.group(2));
        snippet = true; // the next indented lines quote the document and point at the column
      } else if (line.isBlank() || snippet && Character.isWhitespace(line.charAt(0))) {
        continue;
      } else {
        snippet = false;
        parts.add(line.trim());
      }
    }
    String reason = String.join("; ", parts);
    if (reason.contains("\\t(TAB)")) { // SnakeYAML's "found character '\t(TAB)' that cannot start any token ..."
      return "tab character" + (where == null ? "" : " at " + where) + " (YAML indents with spaces only)";
    }
    return where == null ? reason : reason + " at " + where;
  }

  private static String location(String line, String column) {
    return "line " + line + (column == null ? "" : ", column " + column);
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
