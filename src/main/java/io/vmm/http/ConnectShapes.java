package io.vmm.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Renders the supervisor's status JSON in the shapes of Kafka Connect's REST API ({@code /connectors/...}), as
 * Strimzi reads them. Input shapes: a supervisor status {@code {"flows":[{"source":"A","target":"B",
 * "connectors":{"source"?,"checkpoint"?,"heartbeat"?:<connector>}}]}} (a connector left out of its mirror has no
 * key), a connector status {@code {"name","state",
 * "worker_id"?,"error"?,"tasks":[{"id","state","worker_id"?,"error"?}]}}. Stateless; pure functions.
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
}
