package io.vmm.config;

import io.vertx.core.json.JsonObject;

/**
 * What remains of the former blocking loader: {@link #unwrap}, kept for callers not yet moved to
 * {@link ConfigSource} (whose documents, and {@link ConfigWatcher}'s, are already unwrapped). Read the
 * configuration with {@link ConfigSource#load} and watch it with {@link ConfigWatcher}.
 */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  /** The {@code spec} of a Strimzi {@code KafkaMirrorMaker2} resource, or {@code doc} itself: {@link ConfigSource#unwrap}. */
  public static JsonObject unwrap(JsonObject doc) {
    return ConfigSource.unwrap(doc);
  }
}
