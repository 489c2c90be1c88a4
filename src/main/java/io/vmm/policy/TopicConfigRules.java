package io.vmm.policy;

import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.TopicFilter;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which topic config entries a flow copies to remote topics, and what to write (after MM2
 * {@code MirrorSourceConnector.targetConfig} / {@code DefaultConfigPropertyFilter}, 4.1.1 rules):
 * an entry is synced if it is not read-only, not sensitive, not from the static broker config, and not matched by
 * {@code config.properties.exclude}. At creation the remote topic gets the source's non-default entries (all
 * syncable entries with {@code use.defaults.from=source}). A periodic sync SETs every non-default entry and
 * DELETEs (target default applies) every default one, or SETs it with {@code use.defaults.from=source}.
 * <p>
 * <b>Unlike MM2, target-owned settings are not clobbered.</b> The first sync of a topic in this process writes
 * everything, as MM2 does; after that only keys whose <em>source</em> value changed since the last sync are
 * written. A setting an operator changed on the remote topic therefore stays until the same key changes on the
 * source. The memory of the last synced values is per process: after a restart the first sync writes
 * everything again.
 * <p>
 * Not thread-safe: owned by one verticle.
 */
public final class TopicConfigRules {

  private final String excludePattern;
  private final TopicFilter excluded;
  private final boolean defaultsFromSource;
  /** Remote topic → key → source value at the last sync (null value = source default). */
  private final Map<String, Map<String, String>> lastSynced = new HashMap<>();

  /**
   * @param excludeList        {@code config.properties.exclude}: comma-separated regexes
   * @param defaultsFromSource {@code use.defaults.from=source}
   */
  public TopicConfigRules(String excludeList, boolean defaultsFromSource) {
    this.excludePattern = excludeList;
    this.excluded = new TopicFilter(excludeList, null);
    this.defaultsFromSource = defaultsFromSource;
  }

  public static TopicConfigRules of(ConnectorConfig sourceConfig) {
    return new TopicConfigRules(sourceConfig.getString(ConnectorKeys.CONFIG_PROPERTIES_EXCLUDE),
        "source".equals(sourceConfig.getString(ConnectorKeys.USE_DEFAULTS_FROM)));
  }

  /** MM2's property filter: copied at all? */
  public boolean shouldSync(ConfigEntry entry) {
    return !entry.isReadOnly() && !entry.isSensitive()
        && entry.source() != ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG
        && !excluded.test(entry.name());
  }

  private static boolean isDefault(ConfigEntry entry) {
    return entry.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG;
  }

  /** Entries for a remote topic being created: the source's non-default syncable entries. */
  public Map<String, String> creationConfigs(Config source) {
    Map<String, String> out = new HashMap<>();
    for (ConfigEntry e : source.entries()) {
      if (shouldSync(e) && (defaultsFromSource || !isDefault(e)) && e.value() != null) {
        out.put(e.name(), e.value());
      }
    }
    return out;
  }

  /**
   * The incremental alter operations to apply to {@code remoteTopic} now, given the source topic's current
   * config; remembers the source values as synced. Empty when nothing changed since the last sync.
   */
  public List<AlterConfigOp> plan(String remoteTopic, Config source) {
    Map<String, String> previous = lastSynced.get(remoteTopic);
    Map<String, String> now = new HashMap<>();
    List<AlterConfigOp> ops = new ArrayList<>();
    for (ConfigEntry e : source.entries()) {
      if (!shouldSync(e)) {
        continue;
      }
      String value = isDefault(e) && !defaultsFromSource ? null : e.value();
      now.put(e.name(), value);
      boolean changed = previous == null || !previous.containsKey(e.name())
          || !java.util.Objects.equals(previous.get(e.name()), value);
      if (!changed) {
        continue;
      }
      ops.add(value == null
          ? new AlterConfigOp(new ConfigEntry(e.name(), null), AlterConfigOp.OpType.DELETE)
          : new AlterConfigOp(new ConfigEntry(e.name(), value), AlterConfigOp.OpType.SET));
    }
    lastSynced.put(remoteTopic, now);
    return ops;
  }

  /** Forgets what was synced for a topic (e.g. after a failed alter), so the next sync writes it all again. */
  public void forget(String remoteTopic) {
    lastSynced.remove(remoteTopic);
  }

  @Override
  public String toString() {
    return "exclude=" + excludePattern + " defaultsFrom=" + (defaultsFromSource ? "source" : "target");
  }
}
