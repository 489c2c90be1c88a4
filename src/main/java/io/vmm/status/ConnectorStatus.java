package io.vmm.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConnectorKind;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * One connector of a flow, as the status API shows it (merged across members by {@link StatusMerge}).
 *
 * @param name        Strimzi's name, {@code A->B.MirrorSourceConnector}
 * @param state       Connect's state name
 * @param error       the error while FAILED, else null
 * @param workerId    the member that owns the connector unit
 * @param tasks       the tasks running on this member
 * @param autoRestart Strimzi's {@code autoRestart} status on this member, or null when {@code autoRestart} is off
 */
public record ConnectorStatus(String name, String state, String error, String workerId, List<TaskStatus> tasks,
                              AutoRestartStatus autoRestart) {

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

  /** Without an {@code autoRestart} status. */
  public ConnectorStatus(String name, String state, String error, String workerId, List<TaskStatus> tasks) {
    this(name, state, error, workerId, tasks, null);
  }

  /**
   * Strimzi's {@code AutoRestartStatus} of one connector (its own restarts and its tasks' on this member).
   *
   * @param count         automatic restarts in the current series (0 after a successful run)
   * @param connectorName the connector, {@code A->B.MirrorSourceConnector}
   * @param lastRestartMs when the last automatic restart started, epoch ms; -1 for none
   * @param nextRestartMs when the next one is due, epoch ms; -1 when none is scheduled
   */
  public record AutoRestartStatus(int count, String connectorName, long lastRestartMs, long nextRestartMs) {

    /**
     * {@code {"count","connectorName","lastRestartTimestamp","nextRestartTimestamp"?}}: timestamps as Strimzi
     * writes them ({@code yyyy-MM-ddTHH:mm:ssZ}, UTC) or null; {@code nextRestartTimestamp} only while one is due.
     */
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("count", count).put("connectorName", connectorName)
          .put("lastRestartTimestamp", timestamp(lastRestartMs));
      if (nextRestartMs >= 0) {
        json.put("nextRestartTimestamp", timestamp(nextRestartMs));
      }
      return json;
    }

    private static String timestamp(long epochMs) {
      return epochMs < 0 ? null : Instant.ofEpochMilli(epochMs).truncatedTo(ChronoUnit.SECONDS).toString();
    }
  }

  /** {@code {"name","type":"source","state","error","worker_id","tasks":[...][,"autoRestart":{...}]}}. */
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    tasks.forEach(t -> list.add(t.toJson()));
    JsonObject json = new JsonObject().put("name", name).put("type", "source").put("state", state).put("error", error)
        .put("worker_id", workerId).put("tasks", list);
    if (autoRestart != null) {
      json.put("autoRestart", autoRestart.toJson());
    }
    return json;
  }
}
