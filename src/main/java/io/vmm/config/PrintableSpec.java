package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration document in a form safe to print ({@code --print-config}): every {@code config} map (of a
 * cluster or a connector) through {@link Secrets#redacted} (sorted, secret values {@link Secrets#HIDDEN}), and
 * anywhere else every scalar whose key {@link Secrets#isSecret} (e.g. {@code http.token}) hidden too. Values
 * holding a config-provider reference ({@code ${file:...}}) are printed as written (they name, not hold, the
 * secret) unless their key is a secret. Pure; any thread.
 */
public final class PrintableSpec {

  private PrintableSpec() {
  }

  /** A redacted deep copy of {@code doc}; {@code doc} is not changed. */
  public static JsonObject redacted(JsonObject doc) {
    return object(doc);
  }

  private static JsonObject object(JsonObject in) {
    JsonObject out = new JsonObject(new LinkedHashMap<>());
    for (Map.Entry<String, Object> e : in) {
      String key = e.getKey();
      Object v = e.getValue();
      if (key.equals("config") && v instanceof JsonObject config) {
        out.put(key, new JsonObject(new LinkedHashMap<>(Secrets.redacted(config.getMap()))));
      } else {
        out.put(key, value(key, v));
      }
    }
    return out;
  }

  private static Object value(String key, Object v) {
    if (v instanceof JsonObject o) {
      return object(o);
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(item -> out.add(value(key, item)));
      return out;
    }
    return v != null && Secrets.isSecret(key) ? Secrets.HIDDEN : v;
  }
}
