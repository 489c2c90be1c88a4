package io.vmm.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the {@code -conf} argument into a JSON document: a JSON or YAML file (by extension {@code .yaml}/{@code
 * .yml}, else JSON), or inline JSON when the argument starts with <code>{</code>, as the Vert.x launcher allows.
 * A Strimzi {@code KafkaMirrorMaker2} resource (with {@code kind} and {@code spec}) is accepted too: its
 * {@code spec} is used. Blocking file I/O: call from the main thread, never an event loop.
 */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  /**
   * @param conf a path or inline JSON
   * @return the document
   * @throws ConfigException naming the file when it is missing, unreadable or not valid JSON/YAML
   */
  public static JsonObject load(String conf) {
    String trimmed = conf.trim();
    if (trimmed.startsWith("{")) {
      return unwrap(parseJson(trimmed, "-conf (inline JSON)"));
    }
    Path path = Path.of(conf);
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new ConfigException(conf + ": file not found");
    } catch (IOException e) {
      throw new ConfigException(conf + ": cannot read: " + e.getMessage());
    }
    String name = path.getFileName().toString().toLowerCase();
    return unwrap(name.endsWith(".yaml") || name.endsWith(".yml") ? parseYaml(text, conf) : parseJson(text, conf));
  }

  private static JsonObject parseJson(String text, String where) {
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException(where + ": not valid JSON: " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject parseYaml(String text, String where) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new ConfigException(where + ": not valid YAML: " + e.getMessage());
    }
    if (!(doc instanceof Map)) {
      throw new ConfigException(where + ": expected a YAML mapping at the top level");
    }
    // JsonObject wraps nested Maps/Lists lazily; a round trip gives plain JSON types throughout
    return new JsonObject(new JsonObject((Map<String, Object>) doc).encode());
  }

  /** The {@code spec} of a Strimzi {@code KafkaMirrorMaker2} resource, or {@code doc} itself. */
  public static JsonObject unwrap(JsonObject doc) {
    if ("KafkaMirrorMaker2".equals(doc.getString("kind")) && doc.getValue("spec") instanceof JsonObject spec) {
      return spec;
    }
    return doc;
  }
}
