package io.vmm.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ClusterSpec;
import io.vmm.config.ConnectorKind;
import io.vmm.config.ConnectorSpec;
import io.vmm.config.FlowSpec;
import io.vmm.config.MirrorMakerConfig;
import io.vmm.config.Secrets;

import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the supervisor's status JSON in the shapes of Kafka Connect's REST API ({@code /connectors/...}), as
 * Strimzi reads them. Input shapes: a supervisor status {@code {"flows":[{"source":"A","target":"B",
 * "connectors":{"source"?,"checkpoint"?,"heartbeat"?:<connector>}}]}} (a connector left out of its mirror has no
 * key), a connector status {@code {"name","state",
 * "worker_id"?,"error"?,"tasks":[{"id","state","worker_id"?,"error"?}]}}; for {@link #config}, the running
 * {@link MirrorMakerConfig}. Stateless; pure functions.
 */
final class ConnectShapes {

  private ConnectShapes() {
  }

  /**
   * The connector status named {@code name} in a supervisor status, with its flow's aliases added
   * ({@code sourceAlias}, {@code targetAlias}); a copy. Null when no flow has it, which includes a connector its
   * mirror leaves out (a flow status lists only the connectors it runs).
   */
  static JsonObject find(JsonObject status, String name) {
    for (Object f : status.getJsonArray("flows")) {
      JsonObject flow = (JsonObject) f;
      for (String kind : new String[]{"source", "checkpoint", "heartbeat"}) {
        JsonObject c = flow.getJsonObject("connectors", new JsonObject()).getJsonObject(kind);
        if (c != null && name.equals(c.getString("name"))) {
          return c.copy().put("sourceAlias", flow.getString("source")).put("targetAlias", flow.getString("target"));
        }
      }
    }
    return null;
  }

  /** Every connector name of a supervisor status, flow by flow (only the connectors the flows run). */
  static JsonArray names(JsonObject status) {
    JsonArray names = new JsonArray();
    status.getJsonArray("flows").forEach(f -> ((JsonObject) f).getJsonObject("connectors", new JsonObject())
        .forEach(e -> names.add(((JsonObject) e.getValue()).getString("name"))));
    return names;
  }

  /**
   * {@code GET /connectors/{name}}: {@code {"name","type":"source","tasks":[{"connector","task"}],"config":{"name",
   * "connector.class","source.cluster.alias","target.cluster.alias"}}}, from a connector as {@link #find} gives it.
   */
  static JsonObject info(String name, JsonObject c) {
    String className = name.substring(name.lastIndexOf('.') + 1);
    JsonArray tasks = new JsonArray();
    c.getJsonArray("tasks").forEach(t -> tasks.add(new JsonObject().put("connector", name)
        .put("task", ((JsonObject) t).getInteger("id"))));
    return new JsonObject().put("name", name).put("type", "source").put("tasks", tasks)
        .put("config", new JsonObject().put("name", name)
            .put("connector.class", "org.apache.kafka.connect.mirror." + className)
            .put("source.cluster.alias", c.getString("sourceAlias"))
            .put("target.cluster.alias", c.getString("targetAlias")));
  }

  /** {@code GET /connectors/{name}/tasks}: {@code [{"id":{"connector","task"},"config":{}}]}. */
  static JsonArray tasks(JsonObject c) {
    JsonArray tasks = new JsonArray();
    c.getJsonArray("tasks").forEach(t -> tasks.add(new JsonObject().put("id", new JsonObject()
        .put("connector", c.getString("name")).put("task", ((JsonObject) t).getInteger("id")))
        .put("config", new JsonObject())));
    return tasks;
  }

  /**
   * {@code GET /connectors/{name}/status}: {@code {"name","connector":{"state","worker_id","trace"?},
   * "tasks":[<task>],"type":"source"}}.
   */
  static JsonObject status(JsonObject c) {
    JsonObject connector = new JsonObject().put("state", c.getString("state"))
        .put("worker_id", c.getString("worker_id", "local"));
    if (c.getString("error") != null) {
      connector.put("trace", c.getString("error"));
    }
    JsonArray tasks = new JsonArray();
    c.getJsonArray("tasks").forEach(t -> tasks.add(task((JsonObject) t)));
    return new JsonObject().put("name", c.getString("name")).put("connector", connector).put("tasks", tasks)
        .put("type", "source");
  }

  /** A task's status: {@code {"id","state","worker_id","trace"?}} ({@code worker_id} defaults to {@code local}). */
  static JsonObject task(JsonObject t) {
    JsonObject task = new JsonObject().put("id", t.getInteger("id")).put("state", t.getString("state"))
        .put("worker_id", t.getString("worker_id", "local"));
    if (t.getString("error") != null) {
      task.put("trace", t.getString("error"));
    }
    return task;
  }

  /**
   * {@code GET /connectors/{name}/config}: the connector's configuration as Kafka Connect serves a MirrorMaker 2
   * connector's (a flat JSON object of strings, keys sorted), or null when no flow runs a connector of that name.
   * Keys: {@code name}, {@code connector.class}, {@code tasks.max}, {@code source.cluster.alias},
   * {@code target.cluster.alias}, {@code source.cluster.bootstrap.servers}, {@code target.cluster.bootstrap.servers},
   * every MM2 key of the connector with its value (MM2's default where none was given, e.g. {@code topics},
   * {@code groups}, {@code replication.factor}), its client overrides ({@code producer.override.*},
   * {@code producer.*}, {@code consumer.*}), and each cluster's client settings prefixed {@code source.cluster.} /
   * {@code target.cluster.} (its {@code config} and its {@code tls}/{@code authentication} settings), as Strimzi
   * passes them to MM2. The value of every secret key ({@link Secrets#isSecret}) is {@link Secrets#HIDDEN}.
   */
  static JsonObject config(MirrorMakerConfig config, String name) {
    if (config == null) {
      return null;
    }
    for (FlowSpec flow : config.flows()) {
      for (ConnectorKind kind : ConnectorKind.values()) {
        ConnectorSpec spec = flow.connector(kind);
        if (spec != null && spec.present() && name.equals(flow.name() + "." + kind.mm2Name())) {
          return connectConfig(flow, kind, spec, name);
        }
      }
    }
    return null;
  }

  private static JsonObject connectConfig(FlowSpec flow, ConnectorKind kind, ConnectorSpec spec, String name) {
    Map<String, Object> out = new TreeMap<>();
    cluster(out, "source.cluster.", flow.source());
    cluster(out, "target.cluster.", flow.target());
    spec.config().values().forEach((k, v) -> {
      if (v != null) {
        out.put(k, v);
      }
    });
    // the mirror's filters are what runs (topicsPattern and friends, or the same config keys)
    filter(out, "topics", flow.topicFilter());
    filter(out, "groups", flow.groupFilter());
    spec.config().clients().producerOverride().forEach((k, v) -> out.put("producer.override." + k, v));
    spec.config().clients().producer().forEach((k, v) -> out.put("producer." + k, v));
    spec.config().clients().consumer().forEach((k, v) -> out.put("consumer." + k, v));
    out.put("name", name);
    out.put("connector.class", "org.apache.kafka.connect.mirror." + kind.mm2Name());
    out.put("tasks.max", kind == ConnectorKind.HEARTBEAT ? 1 : spec.tasksMax());
    out.put("source.cluster.alias", flow.id().source());
    out.put("target.cluster.alias", flow.id().target());
    JsonObject json = new JsonObject();
    Secrets.redacted(out).forEach((k, v) -> json.put(k, String.valueOf(v)));
    return json;
  }

  private static void filter(Map<String, Object> out, String key, io.vmm.config.TopicFilter filter) {
    if (filter != null && filter.includes() != null) {
      out.put(key, filter.includes());
    }
    if (filter != null && filter.excludes() != null) {
      out.put(key + ".exclude", filter.excludes());
    }
  }

  private static void cluster(Map<String, Object> out, String prefix, ClusterSpec cluster) {
    cluster.config().forEach((k, v) -> out.put(prefix + k, v));
    cluster.security().forEach((k, v) -> out.put(prefix + k, v));
    out.put(prefix + "bootstrap.servers", cluster.bootstrapServers());
  }
}
