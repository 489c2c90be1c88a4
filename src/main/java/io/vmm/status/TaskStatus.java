package io.vmm.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One task of a connector, as the status API shows it.
 *
 * @param id         task id (0 for the checkpoint and heartbeat connectors)
 * @param state      Connect's state name
 * @param error      the error while FAILED, else null
 * @param workerId   the member running it ({@code local} alone)
 * @param partitions source tasks: their partitions ({@code PartitionMetrics.toJson} shape); null for others
 */
public record TaskStatus(int id, String state, String error, String workerId, JsonArray partitions) {

  /** {@code {"id","state","error","worker_id"[,"partitions"]}}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("state", state).put("error", error).put("worker_id", workerId);
    if (partitions != null) {
      json.put("partitions", partitions);
    }
    return json;
  }
}
