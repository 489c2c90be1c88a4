package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON object at a known path, with typed getters that report type errors to {@link Problems} instead of
 * throwing, so that one parse reports every problem. A getter that finds a bad value reports it and returns
 * {@code null} (or the default), and the caller carries on.
 */
final class JsonNode {

  private final JsonObject json;
  private final String path;
  private final Problems problems;

  JsonNode(JsonObject json, String path, Problems problems) {
    this.json = json;
    this.path = path;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  /** The object itself (not a copy). */
  JsonObject json() {
    return json;
  }

  Problems problems() {
    return problems;
  }

  String pathOf(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  boolean has(String field) {
    return json.containsKey(field) && json.getValue(field) != null;
  }

  /**
   * Reports every field not in {@code known}; fields in {@code ignored} (Strimzi-only fields with no meaning
   * here) are accepted and returned so the caller can log them.
   */
  List<String> checkFields(Collection<String> known, Collection<String> ignored) {
    List<String> ignoredPresent = new ArrayList<>();
    for (String field : json.fieldNames()) {
      if (known.contains(field)) {
        continue;
      }
      if (ignored.contains(field)) {
        ignoredPresent.add(pathOf(field));
        continue;
      }
      String hint = closest(field, known);
      problems.add(pathOf(field), "unknown field" + (hint == null ? "" : " (did you mean " + hint + "?)")
          + "; known fields: " + String.join(", ", known));
    }
    return ignoredPresent;
  }

  String string(String field, boolean required) {
    Object v = json.getValue(field);
    if (v == null) {
      if (required) {
        problems.add(pathOf(field), "required field is missing");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      problems.add(pathOf(field), "expected a string, got " + describe(v));
      return null;
    }
    if (required && s.isBlank()) {
      problems.add(pathOf(field), "must not be empty");
      return null;
    }
    return s;
  }

  Integer integer(String field, Integer defaultValue, int min, int max) {
    Object v = json.getValue(field);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Integer || v instanceof Long) ) {
      problems.add(pathOf(field), "expected an integer, got " + describe(v));
      return defaultValue;
    }
    long l = ((Number) v).longValue();
    if (l < min || l > max) {
      problems.add(pathOf(field), "must be between " + min + " and " + max + ", got " + l);
      return defaultValue;
    }
    return (int) l;
  }

  Boolean bool(String field, Boolean defaultValue) {
    Object v = json.getValue(field);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Boolean b)) {
      problems.add(pathOf(field), "expected true or false, got " + describe(v));
      return defaultValue;
    }
    return b;
  }

  /** The elements of an array of non-blank strings; absent gives an empty list, bad elements are reported. */
  List<String> strings(String field) {
    Object v = json.getValue(field);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof JsonArray a)) {
      problems.add(pathOf(field), "expected an array of strings, got " + describe(v));
      return out;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.getValue(i) instanceof String s && !s.isBlank()) {
        out.add(s.trim());
      } else {
        problems.add(pathOf(field) + "[" + i + "]", "expected a non-empty string, got " + describe(a.getValue(i)));
      }
    }
    return out;
  }

  /** The child object, or null when absent (a non-object value is reported). */
  JsonNode object(String field) {
    Object v = json.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      problems.add(pathOf(field), "expected an object, got " + describe(v));
      return null;
    }
    return new JsonNode(o, pathOf(field), problems);
  }

  /** The elements of an array of objects; absent gives an empty list, bad elements are reported and skipped. */
  List<JsonNode> objects(String field, boolean required) {
    Object v = json.getValue(field);
    List<JsonNode> out = new ArrayList<>();
    if (v == null) {
      if (required) {
        problems.add(pathOf(field), "required field is missing");
      }
      return out;
    }
    if (!(v instanceof JsonArray a)) {
      problems.add(pathOf(field), "expected an array, got " + describe(v));
      return out;
    }
    for (int i = 0; i < a.size(); i++) {
      Object e = a.getValue(i);
      String p = pathOf(field) + "[" + i + "]";
      if (e instanceof JsonObject o) {
        out.add(new JsonNode(o, p, problems));
      } else {
        problems.add(p, "expected an object, got " + describe(e));
      }
    }
    return out;
  }

  /**
   * A flat map of scalar values (string, number, boolean; arrays of scalars are joined with commas, as Kafka
   * lists are written). Nested objects and nulls are reported. Absent gives an empty map.
   */
  Map<String, String> scalarMap(String field) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode node = object(field);
    if (node == null) {
      return out;
    }
    for (Map.Entry<String, Object> e : node.json) {
      String p = node.pathOf(e.getKey());
      Object v = e.getValue();
      if (v instanceof String || v instanceof Boolean) {
        out.put(e.getKey(), v.toString());
      } else if (v instanceof Number n) {
        out.put(e.getKey(), numberText(n));
      } else if (v instanceof JsonArray a && a.stream().allMatch(x -> x instanceof String || x instanceof Number)) {
        List<String> parts = new ArrayList<>();
        a.forEach(x -> parts.add(x instanceof Number n ? numberText(n) : x.toString()));
        out.put(e.getKey(), String.join(",", parts));
      } else {
        problems.add(p, "expected a string, number or boolean, got " + describe(v));
      }
    }
    return out;
  }

  private static String numberText(Number n) {
    if (n instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return Long.toString(d.longValue());
    }
    return n.toString();
  }

  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return "string \"" + s + "\"";
    }
    if (v instanceof Number) {
      return "number " + v;
    }
    if (v instanceof Boolean) {
      return "boolean " + v;
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    return v.getClass().getSimpleName();
  }

  /** The known name closest to {@code field} by edit distance, if it is close enough to be a typo. */
  static String closest(String field, Collection<String> known) {
    return known.stream()
        .min(Comparator.comparingInt(k -> distance(field.toLowerCase(), k.toLowerCase())))
        .filter(k -> distance(field.toLowerCase(), k.toLowerCase()) <= Math.max(2, k.length() / 4))
        .orElse(null);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  static Set<String> set(String... names) {
    return new java.util.LinkedHashSet<>(List.of(names));
  }
}
