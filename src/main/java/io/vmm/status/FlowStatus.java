package io.vmm.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.metrics.FlowMetrics;
import io.vmm.metrics.PartitionMetrics;

import java.util.List;

/**
 * One flow on one member, as {@code GET /api/flows} shows it (before {@link StatusMerge} combines members).
 * Lag is summed (records) and the largest (ms) over the flow's partitions on this member; unknown numbers are null.
 *
 * @param flow       {@code A->B}
 * @param state      the source connector's state; without one, the first connector's
 * @param connectors the connectors the mirror names, of source, checkpoint and heartbeat in that order (a
 *                   connector left out of the mirror is not run and not listed)
 * @param failures   the FAILED partitions ({@code PartitionFailure.toJson})
 * @param member     this member
 * @param owners     unit name to the member owning it
 */
public record FlowStatus(String flow, String source, String target, String state, List<ConnectorStatus> connectors,
                         List<JsonObject> failures, long sourceResets, String member, JsonObject owners) {

  /**
   * {@code {"flow","source","target","state","recordCount","byteCount","lagRecords","lagMs","heartbeatAgeMs",
   * "failedPartitions","sourceResets","connectors":{"source"?,"checkpoint"?,"heartbeat"?},"failures","member",
   * "owners"}}, with the counters read from {@code metrics} at {@code nowMs}; {@code connectors} has a key
   * ({@link ConnectorStatus#key}) only for a connector the mirror names.
   */
  public JsonObject toJson(FlowMetrics metrics, long nowMs) {
    long records = 0;
    long bytes = 0;
    long lagRecords = 0;
    boolean lagKnown = false;
    double lagMs = -1;
    for (PartitionMetrics pm : metrics.partitions()) {
      records += pm.recordCount();
      bytes += pm.byteCount();
      long lag = pm.lagRecords();
      if (lag >= 0) {
        lagKnown = true;
        lagRecords += lag;
      }
      double ms = pm.lagMs(nowMs);
      if (!Double.isNaN(ms)) {
        lagMs = Math.max(lagMs, ms);
      }
    }
    long heartbeatAge = metrics.heartbeatAgeMs();
    JsonObject byKey = new JsonObject();
    connectors.forEach(c -> byKey.put(c.key(), c.toJson()));
    return new JsonObject().put("flow", flow).put("source", source).put("target", target).put("state", state)
        .put("recordCount", records).put("byteCount", bytes)
        .put("lagRecords", lagKnown ? lagRecords : null).put("lagMs", lagMs < 0 ? null : (long) lagMs)
        .put("heartbeatAgeMs", heartbeatAge < 0 ? null : heartbeatAge)
        .put("failedPartitions", failures.size()).put("sourceResets", sourceResets)
        .put("connectors", byKey)
        .put("failures", new JsonArray(List.copyOf(failures)))
        .put("member", member).put("owners", owners);
  }
}
