package io.vmm.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Combines the statuses of several members (each {@code {"flows":[...], "member":"m"}}, see
 * {@code FlowRunner.status()}) into the cluster's status. Per flow: counts and record lag are summed over the
 * members (each reports only the partitions it mirrors), lag in ms is the largest, heartbeat age the smallest;
 * each connector's state comes from the member that runs it ({@code worker_id}); tasks are every member's tasks
 * by id, each carrying its {@code worker_id}; the unit owners come from the member that runs the source
 * connector (without one: the first connector the flow has). A connector no member reports (left out of the
 * mirror) stays absent. Pure.
 */
public final class StatusMerge {

  private StatusMerge() {
  }

  /** The flows of {@code memberStatuses} merged, in the order the first status lists them. */
  public static JsonArray flows(List<JsonObject> memberStatuses) {
    Map<String, List<JsonObject>> byFlow = new LinkedHashMap<>();
    for (JsonObject member : memberStatuses) {
      for (Object f : member.getJsonArray("flows", new JsonArray())) {
        JsonObject flow = (JsonObject) f;
        byFlow.computeIfAbsent(flow.getString("flow"), k -> new ArrayList<>()).add(flow);
      }
    }
    JsonArray out = new JsonArray();
    byFlow.values().forEach(parts -> out.add(flow(parts)));
    return out;
  }

  /** One flow's statuses from several members, merged. */
  static JsonObject flow(List<JsonObject> parts) {
    JsonObject base = ownerOf(parts, lead(parts));
    JsonObject merged = base.copy();
    merged.put("recordCount", sum(parts, "recordCount")).put("byteCount", sum(parts, "byteCount"))
        .put("lagRecords", sumOrNull(parts, "lagRecords")).put("lagMs", extreme(parts, "lagMs", true))
        .put("heartbeatAgeMs", extreme(parts, "heartbeatAgeMs", false))
        .put("failedPartitions", sum(parts, "failedPartitions")).put("sourceResets", sum(parts, "sourceResets"));
    JsonArray failures = new JsonArray();
    parts.forEach(p -> p.getJsonArray("failures", new JsonArray()).forEach(failures::add));
    merged.put("failures", failures);
    JsonObject connectors = new JsonObject();
    for (String c : ConnectorStatus.KEYS) {
      List<JsonObject> each = new ArrayList<>();
      parts.forEach(p -> {
        JsonObject conn = p.getJsonObject("connectors", new JsonObject()).getJsonObject(c);
        if (conn != null) {
          each.add(conn.copy().put("reporter", p.getString("member")));
        }
      });
      if (!each.isEmpty()) {
        connectors.put(c, connector(each));
      }
    }
    merged.put("connectors", connectors);
    List<String> members = new ArrayList<>();
    parts.forEach(p -> members.add(p.getString("member")));
    merged.put("members", new JsonArray(members));
    merged.remove("member");
    return merged;
  }

  /**
   * One connector's statuses from several members, each with {@code "reporter"} (the member that reported it):
   * state and error from the member that runs it (reporter equal to {@code worker_id}), else the first; tasks
   * from all, by id. {@code autoRestart} (Strimzi's status, present when enabled) comes from that member too,
   * unless another member reports a higher {@code count}: each member restarts the tasks it runs, so the member
   * whose tasks restarted most shows.
   */
  public static JsonObject connector(List<JsonObject> each) {
    JsonObject owner = each.get(0);
    for (JsonObject c : each) {
      if (c.getString("worker_id") != null && c.getString("worker_id").equals(c.getString("reporter"))) {
        owner = c;
        break;
      }
    }
    List<JsonObject> tasks = new ArrayList<>();
    each.forEach(c -> c.getJsonArray("tasks", new JsonArray()).forEach(t -> tasks.add((JsonObject) t)));
    tasks.sort(Comparator.comparingInt(t -> t.getInteger("id", 0)));
    JsonObject merged = owner.copy().put("tasks", new JsonArray(new ArrayList<>(tasks)));
    merged.remove("reporter");
    JsonObject autoRestart = owner.getJsonObject("autoRestart");
    for (JsonObject c : each) {
      JsonObject other = c.getJsonObject("autoRestart");
      if (other != null && (autoRestart == null
          || other.getInteger("count", 0) > autoRestart.getInteger("count", 0))) {
        autoRestart = other;
      }
    }
    if (autoRestart != null) {
      merged.put("autoRestart", autoRestart.copy());
    }
    return merged;
  }

  /** The first of source, checkpoint and heartbeat that any part lists (the flow's lead connector), or source. */
  private static String lead(List<JsonObject> parts) {
    for (String c : ConnectorStatus.KEYS) {
      for (JsonObject p : parts) {
        if (p.getJsonObject("connectors", new JsonObject()).containsKey(c)) {
          return c;
        }
      }
    }
    return "source";
  }

  /** The part reported by the member running connector {@code connector}, else the first. */
  private static JsonObject ownerOf(List<JsonObject> parts, String connector) {
    for (JsonObject p : parts) {
      JsonObject c = p.getJsonObject("connectors", new JsonObject()).getJsonObject(connector);
      if (c != null && p.getString("member") != null && p.getString("member").equals(c.getString("worker_id"))) {
        return p;
      }
    }
    return parts.get(0);
  }

  private static long sum(List<JsonObject> parts, String field) {
    long sum = 0;
    for (JsonObject p : parts) {
      Number n = p.getNumber(field);
      sum += n == null ? 0 : n.longValue();
    }
    return sum;
  }

  private static Long sumOrNull(List<JsonObject> parts, String field) {
    Long sum = null;
    for (JsonObject p : parts) {
      Number n = p.getNumber(field);
      if (n != null) {
        sum = (sum == null ? 0 : sum) + n.longValue();
      }
    }
    return sum;
  }

  private static Long extreme(List<JsonObject> parts, String field, boolean max) {
    Long best = null;
    for (JsonObject p : parts) {
      Number n = p.getNumber(field);
      if (n != null && (best == null || (max ? n.longValue() > best : n.longValue() < best))) {
        best = n.longValue();
      }
    }
    return best;
  }
}
