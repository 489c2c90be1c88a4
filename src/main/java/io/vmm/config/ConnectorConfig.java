package io.vmm.config;

import org.apache.kafka.common.config.ConfigDef;

import java.time.Duration;
import java.util.Map;

/**
 * One connector's parsed config: every key of its {@link ConnectorKeys} definition, with MM2's default where
 * the user gave none, and its own client settings ({@link ClientOverrides}: {@code producer.override.*},
 * {@code producer.*}, {@code consumer.*}). Immutable. Values are typed by the definition (INT as Integer, LONG
 * as Long, SHORT as Short, BOOLEAN as Boolean, STRING as String).
 */
public final class ConnectorConfig {

  private final ConnectorKind kind;
  private final Map<String, Object> values;
  private final ClientOverrides clients;

  ConnectorConfig(ConnectorKind kind, Map<String, Object> values) {
    this(kind, values, ClientOverrides.NONE);
  }

  ConnectorConfig(ConnectorKind kind, Map<String, Object> values, ClientOverrides clients) {
    this.kind = kind;
    Map<String, Object> set = new java.util.HashMap<>(values);
    set.values().removeIf(java.util.Objects::isNull); // optional keys without a default (left out when unset)
    this.values = Map.copyOf(set);
    this.clients = clients;
  }

  /** The config with only defaults, for tests and for connectors absent from the document. */
  public static ConnectorConfig defaults(ConnectorKind kind) {
    return new ConnectorConfig(kind, ConnectorKeys.of(kind).parse(Map.of()));
  }

  public ConnectorKind kind() {
    return kind;
  }

  public String getString(String key) {
    return (String) value(key);
  }

  public int getInt(String key) {
    return ((Number) value(key)).intValue();
  }

  public long getLong(String key) {
    return ((Number) value(key)).longValue();
  }

  public short getShort(String key) {
    return ((Number) value(key)).shortValue();
  }

  public boolean getBoolean(String key) {
    return (Boolean) value(key);
  }

  /** A {@code *.interval.seconds} key as a Duration. */
  public Duration getSeconds(String key) {
    return Duration.ofSeconds(getLong(key));
  }

  /** Every MM2 key with its value, defaults included (client overrides are in {@link #clients()}); immutable. */
  public Map<String, Object> values() {
    return values;
  }

  /** The connector's own client settings; {@link ClientOverrides#NONE} when it has none. */
  public ClientOverrides clients() {
    return clients;
  }

  /** The kind, every value and every client override, sorted by key; secret values ({@link Secrets#isSecret}) hidden. */
  @Override
  public String toString() {
    return kind.field() + Secrets.redacted(values) + (clients.isEmpty() ? "" : clients.redacted());
  }

  private Object value(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("no key " + key + " in " + kind.field() + " config");
    }
    return values.get(key);
  }

  /**
   * Parses user values against the definition, reporting one problem per bad key; keeps MM2 defaults. Client
   * keys ({@code producer.override.*}, {@code producer.*}, {@code consumer.*}) go to {@link #clients()}, checked
   * by {@link ClientOverrides}.
   */
  static ConnectorConfig parse(ConnectorKind kind, Map<String, String> raw, String path, Problems problems,
                               java.util.List<String> ignoredKeys) {
    ConfigDef def = ConnectorKeys.of(kind);
    Map<String, Object> parsed = new java.util.HashMap<>(def.parse(Map.of()));
    ClientOverrides.Builder clients = new ClientOverrides.Builder(kind);
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = e.getKey();
      String keyPath = path + "." + key;
      ConfigDef.ConfigKey configKey = def.configKeys().get(key);
      if (configKey == null) {
        if (ConnectorKeys.SPEC_OWNED.containsKey(key)) {
          problems.add(keyPath, "set by the mirror spec; use " + ConnectorKeys.SPEC_OWNED.get(key) + " instead");
        } else if (ConnectorKeys.IGNORED.contains(key)) {
          ignoredKeys.add(keyPath);
        } else if (clients.take(key, e.getValue(), keyPath, problems, ignoredKeys)) {
          // a client override: recorded or reported
        } else if (key.startsWith("source.cluster.") || key.startsWith("target.cluster.")) {
          problems.add(keyPath, "cluster settings belong in clusters[].config (with a consumer., producer. or "
              + "admin. prefix to target one client kind)");
        } else {
          String hint = JsonNode.closest(key, def.names());
          problems.add(keyPath, "unknown " + kind.mm2Name() + " config key"
              + (hint == null ? "" : " (did you mean " + hint + "?)"));
        }
        continue;
      }
      try {
        Object value = ConfigDef.parseType(key, e.getValue(), configKey.type);
        if (configKey.validator != null) {
          configKey.validator.ensureValid(key, value);
        }
        parsed.put(key, value);
      } catch (org.apache.kafka.common.config.ConfigException ex) {
        problems.add(keyPath, ex.getMessage());
      }
    }
    return new ConnectorConfig(kind, parsed, clients.build());
  }
}
