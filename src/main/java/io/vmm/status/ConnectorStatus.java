package io.vmm.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One connector of a flow, as the status API shows it (merged across members by {@link StatusMerge}).
 *
 * @param name     Strimzi's name, {@code A->B.MirrorSourceConnector}
 * @param state    Connect's state name
 * @param error    the error while FAILED, else null
 * @param workerId the member that owns the connector unit
 * @param tasks    the tasks running on this member
 */
public record ConnectorStatus(String name, String state, String error, String workerId, List<TaskStatus> tasks) {

  /** {@code {"name","type":"source","state","error","worker_id","tasks":[...]}}. */
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    tasks.forEach(t -> list.add(t.toJson()));
    return new JsonObject().put("name", name).put("type", "source").put("state", state).put("error", error)
        .put("worker_id", workerId).put("tasks", list);
  }
}
