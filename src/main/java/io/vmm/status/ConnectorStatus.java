package io.vmm.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vmm.config.ConnectorKind;

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

  /** The connector kinds, by the key a flow status lists them under. */
  public static final List<String> KEYS = List.of("source", "checkpoint", "heartbeat");

  /**
   * Its key in a flow status's {@code connectors} object: {@code source}, {@code checkpoint} or {@code heartbeat},
   * from the name's suffix ({@code .MirrorSourceConnector}, ...).
   *
   * @throws IllegalStateException if the name has none of the three suffixes
   */
  public String key() {
    for (ConnectorKind k : ConnectorKind.values()) {
      if (name.endsWith("." + k.mm2Name())) {
        return KEYS.get(k.ordinal());
      }
    }
    throw new IllegalStateException("not an MM2 connector name: " + name);
  }

  /** {@code {"name","type":"source","state","error","worker_id","tasks":[...]}}. */
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    tasks.forEach(t -> list.add(t.toJson()));
    return new JsonObject().put("name", name).put("type", "source").put("state", state).put("error", error)
        .put("worker_id", workerId).put("tasks", list);
  }
}
