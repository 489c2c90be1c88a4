package io.vmm.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * Errors are {@link ConfigException}s with one line naming the file, never parser internals:
 * {@code <file>: file not found}, {@code <file>: cannot read: <reason>},
 * {@code <file>: not valid JSON: <reason> at line L, column C}, {@code <file>: not valid YAML: <reason> at line L,
 * column C}, {@code <file>: expected a mapping at the top level}.
 */
public final class ConfigSource {

  /** Where problems of an inline JSON argument are reported. */
  static final String INLINE = "-conf (inline JSON)";
  /** Jackson's location, e.g. {@code [Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 17]}. */
  private static final Pattern JACKSON_LOCATION =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+)(?:, column: (\\d+))?]");
  /** SnakeYAML's location line, e.g. {@code  in 'string', line 1, column 5:}. */
  private static final Pattern YAML_LOCATION = Pattern.compile("\\s*in '[^']*', line (\\d+), column (\\d+):?\\s*");

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
    if (isInline(conf)) {
      try {
        return Future.succeededFuture(unwrap(plain(new JsonObject(conf.trim()), INLINE)));
      } catch (RuntimeException e) {
        return Future.failedFuture(problem(INLINE, false, e));
      }
    }
    ConfigRetriever retriever;
    try {
      retriever = retriever(vertx, conf);
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
   * Create it on the context that will read with it; close it after use.
   */
  static ConfigRetriever retriever(Vertx vertx, String path) {
    return ConfigRetriever.create(vertx, retrieverOptions(path))
        .setConfigurationProcessor(doc -> unwrap(plain(doc, path)));
  }

  /** The store definition of {@code path}: absolute (never a class-path resource), JSON or YAML by extension. */
  static ConfigRetrieverOptions retrieverOptions(String path) {
    ConfigStoreOptions store = new ConfigStoreOptions().setType("file")
        .setFormat(isYaml(path) ? "yaml" : "json")
        .setConfig(new JsonObject().put("path", Path.of(path).toAbsolutePath().toString()));
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
    return where == null ? reason : reason + " at " + where;
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
    return where == null ? reason : reason + " at " + where;
  }

  private static String location(String line, String column) {
    return "line " + line + (column == null ? "" : ", column " + column);
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
