package io.vmm.config;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a config reload changes, flow by flow, comparing the documents as written (so any change of a mirror's
 * entry or of either of its clusters' entries counts).
 *
 * @param added        flows only in the new config: start them
 * @param removed      flows only in the old config: stop them (progress is stored)
 * @param changed      flows whose settings changed, a connector block added or removed included: restart them
 *                     with the new settings
 * @param stateChanged flows whose only change is a connector {@code state} (or Strimzi's deprecated {@code pause}):
 *                     pause, resume or stop those connectors, nothing else
 * @param needsRestart service settings that only take effect after a process restart (http.port, metrics.port,
 *                     cluster, tracing), as {@code path: old -> new}
 */
public record ConfigDiff(List<String> added, List<String> removed, List<String> changed, List<String> stateChanged,
                         List<String> needsRestart) {

  private static final List<String> CONNECTORS = List.of("sourceConnector", "checkpointConnector",
      "heartbeatConnector");

  /** True when nothing about flows changes. */
  public boolean flowsUnchanged() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && stateChanged.isEmpty();
  }

  /**
   * @param oldDoc    the running document (Strimzi spec form)
   * @param oldConfig its parsed config
   * @param newDoc    the new document
   * @param newConfig its parsed config
   */
  public static ConfigDiff of(JsonObject oldDoc, MirrorMakerConfig oldConfig, JsonObject newDoc,
                              MirrorMakerConfig newConfig) {
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> stateChanged = new ArrayList<>();
    for (FlowSpec f : newConfig.flows()) {
      FlowSpec old = oldConfig.flow(f.name());
      if (old == null) {
        added.add(f.name());
      } else if (!Objects.equals(settings(oldDoc, old, false), settings(newDoc, f, false))) {
        changed.add(f.name());
      } else if (!Objects.equals(settings(oldDoc, old, true), settings(newDoc, f, true))) {
        stateChanged.add(f.name());
      }
    }
    for (FlowSpec f : oldConfig.flows()) {
      if (newConfig.flow(f.name()) == null) {
        removed.add(f.name());
      }
    }
    List<String> needsRestart = new ArrayList<>();
    if (oldConfig.httpPort() != newConfig.httpPort()) {
      needsRestart.add("http.port: " + oldConfig.httpPort() + " -> " + newConfig.httpPort());
    }
    if (oldConfig.metricsPort() != newConfig.metricsPort()) {
      needsRestart.add("metrics.port: " + oldConfig.metricsPort() + " -> " + newConfig.metricsPort());
    }
    if (!oldConfig.cluster().equals(newConfig.cluster())) {
      needsRestart.add("cluster: " + oldConfig.cluster() + " -> " + newConfig.cluster());
    }
    if (!oldConfig.tracing().equals(newConfig.tracing())) {
      needsRestart.add("tracing: " + oldConfig.tracing().label() + " -> " + newConfig.tracing().label());
    }
    return new ConfigDiff(added, removed, changed, stateChanged, needsRestart);
  }

  /**
   * A flow's part of a document: its {@code mirrors[]} entry and both cluster entries; with {@code withStates}
   * false, the connectors' {@code state} and {@code pause} fields are left out. A connector block added or
   * removed (even {@code {}}) changes the settings: it starts or ends that connector, so the flow restarts.
   */
  static JsonObject settings(JsonObject doc, FlowSpec flow, boolean withStates) {
    JsonObject mirror = null;
    for (Object m : doc.getJsonArray("mirrors", new io.vertx.core.json.JsonArray())) {
      if (m instanceof JsonObject o && flow.id().source().equals(o.getString("sourceCluster"))
          && flow.id().target().equals(o.getString("targetCluster"))) {
        mirror = o.copy();
      }
    }
    if (mirror != null && !withStates) {
      for (String c : CONNECTORS) {
        if (mirror.getValue(c) instanceof JsonObject conn) {
          conn.remove("state");
          conn.remove("pause"); // an empty block stays: {} runs the connector, an absent one does not
        }
      }
    }
    return new JsonObject().put("mirror", mirror)
        .put("source", cluster(doc, flow.id().source())).put("target", cluster(doc, flow.id().target()));
  }

  private static JsonObject cluster(JsonObject doc, String alias) {
    for (Object c : doc.getJsonArray("clusters", new io.vertx.core.json.JsonArray())) {
      if (c instanceof JsonObject o && alias.equals(o.getString("alias"))) {
        return o;
      }
    }
    return null;
  }
}
