package io.vmm.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * StatusMerge: merging the members' {@code FlowRunner.status()} snapshots into the cluster's status. Checks the
 * figures (counts and record lag summed, lag in ms the largest, heartbeat age the smallest known), the
 * connectors (state from the member named by {@code worker_id}, tasks of every member by id, no
 * {@code reporter} left over), the base fields from the member running the source connector, the
 * {@code members}/{@code member} fields, the order of the flows, and that one member's status merges to itself.
 */
class StatusMergeTest {

  private static final String FLOW = "A->B";
  private static final String SOURCE = FLOW + ".MirrorSourceConnector";
  private static final String CHECKPOINT = FLOW + ".MirrorCheckpointConnector";
  private static final String HEARTBEAT = FLOW + ".MirrorHeartbeatConnector";

  // ------------------------------------------------------------------ fixtures shaped as FlowRunner.status()

  private static JsonObject task(int id, String state, String workerId, JsonObject... partitions) {
    return new JsonObject().put("id", id).put("state", state).put("error", null).put("worker_id", workerId)
        .put("partitions", new JsonArray(List.of((Object[]) partitions)));
  }

  /** A checkpoint or heartbeat task: no partitions. */
  private static JsonObject singleTask(String state, String workerId) {
    return new JsonObject().put("id", 0).put("state", state).put("error", null).put("worker_id", workerId);
  }

  private static JsonObject partition(String topic, int partition) {
    return new JsonObject().put("topic", topic).put("partition", partition).put("remoteTopic", "A." + topic);
  }

  private static JsonObject connector(String name, String state, String workerId, JsonObject... tasks) {
    return new JsonObject().put("name", name).put("type", "source").put("state", state).put("error", null)
        .put("worker_id", workerId).put("tasks", new JsonArray(List.of((Object[]) tasks)));
  }

  /** Who runs what in the two-member fixture: source and checkpoint on m1, heartbeat on m2. */
  private static JsonObject owners() {
    return new JsonObject().put(SOURCE, "m1").put(CHECKPOINT, "m1").put(HEARTBEAT, "m2")
        .put(SOURCE + "/0", "m2").put(SOURCE + "/1", "m1").put(SOURCE + "/2", "m2");
  }

  private static JsonObject flowStatus(String flow, String member, String state, JsonObject connectors) {
    return new JsonObject().put("flow", flow).put("source", "A").put("target", "B").put("state", state)
        .put("recordCount", 0L).put("byteCount", 0L).put("lagRecords", null).put("lagMs", null)
        .put("heartbeatAgeMs", null).put("failedPartitions", 0).put("sourceResets", 0L)
        .put("connectors", connectors).put("failures", new JsonArray()).put("member", member)
        .put("owners", owners());
  }

  private static JsonObject memberStatus(String member, JsonObject... flows) {
    return new JsonObject().put("flows", new JsonArray(List.of((Object[]) flows))).put("member", member);
  }

  /** m1: runs the source connector, task 1 and the checkpoint connector; sees the heartbeat as UNASSIGNED. */
  private static JsonObject m1Flow() {
    return flowStatus(FLOW, "m1", "RUNNING", new JsonObject()
        .put("source", connector(SOURCE, "RUNNING", "m1", task(1, "RUNNING", "m1", partition("t", 1))))
        .put("checkpoint", connector(CHECKPOINT, "RUNNING", "m1", singleTask("RUNNING", "m1")))
        .put("heartbeat", connector(HEARTBEAT, "UNASSIGNED", "m2")))
        .put("recordCount", 100L).put("byteCount", 1_000L).put("lagRecords", 5L).put("lagMs", 200L)
        .put("heartbeatAgeMs", null).put("failedPartitions", 1).put("sourceResets", 2L)
        .put("failures", new JsonArray().add(new JsonObject().put("topic", "t").put("partition", 1)
            .put("offset", 7L).put("error", "boom")));
  }

  /** m2: runs tasks 0 and 2 and the heartbeat connector; sees the source connector as UNASSIGNED. */
  private static JsonObject m2Flow() {
    return flowStatus(FLOW, "m2", "UNASSIGNED", new JsonObject()
        .put("source", connector(SOURCE, "UNASSIGNED", "m1",
            task(0, "RUNNING", "m2", partition("t", 0)), task(2, "PAUSED", "m2", partition("t", 2))))
        .put("checkpoint", connector(CHECKPOINT, "UNASSIGNED", "m1"))
        .put("heartbeat", connector(HEARTBEAT, "RUNNING", "m2", singleTask("RUNNING", "m2"))))
        .put("recordCount", 50L).put("byteCount", 500L).put("lagRecords", 3L).put("lagMs", 900L)
        .put("heartbeatAgeMs", 1_500L).put("failedPartitions", 0).put("sourceResets", 1L)
        .put("owners", owners().put(SOURCE + "/1", "m2")); // a lagging view: m2 not yet told m1 took task 1
  }

  /** The one merged flow of m2's and m1's statuses (m2 listed first, so "first" is never the right owner). */
  private static JsonObject mergedTwoMembers() {
    JsonArray flows = StatusMerge.flows(List.of(memberStatus("m2", m2Flow()), memberStatus("m1", m1Flow())));
    assertEquals(1, flows.size());
    return flows.getJsonObject(0);
  }

  // ------------------------------------------------------------------ figures

  @Test
  void countsAreSummedOverTheMembers() {
    JsonObject merged = mergedTwoMembers();
    assertEquals(150L, merged.getLong("recordCount"));
    assertEquals(1_500L, merged.getLong("byteCount"));
    assertEquals(1L, merged.getLong("failedPartitions"));
    assertEquals(3L, merged.getLong("sourceResets"));
    assertEquals(8L, merged.getLong("lagRecords"));
  }

  @Test
  void failuresOfEveryMemberAreKept() {
    JsonArray failures = mergedTwoMembers().getJsonArray("failures");
    assertEquals(1, failures.size());
    assertEquals("boom", failures.getJsonObject(0).getString("error"));
  }

  @Test
  void lagRecordsIgnoresUnknownAndIsNullWhenNoMemberKnowsIt() {
    JsonObject known = m1Flow().put("lagRecords", 5L);
    JsonObject unknown = m2Flow().put("lagRecords", null);
    assertEquals(5L, StatusMerge.flow(List.of(unknown, known)).getLong("lagRecords"));

    JsonObject merged = StatusMerge.flow(List.of(m1Flow().put("lagRecords", null), unknown));
    assertTrue(merged.containsKey("lagRecords"), "lagRecords stays in the status, as null");
    assertNull(merged.getValue("lagRecords"));
  }

  @Test
  void zeroLagRecordsIsKnownNotUnknown() {
    JsonObject merged = StatusMerge.flow(List.of(m1Flow().put("lagRecords", 0L), m2Flow().put("lagRecords", null)));
    assertEquals(0L, merged.getLong("lagRecords"));
  }

  @Test
  void lagMsIsTheLargestKnown() {
    assertEquals(900L, mergedTwoMembers().getLong("lagMs"));
    assertEquals(200L, StatusMerge.flow(List.of(m1Flow(), m2Flow().put("lagMs", null))).getLong("lagMs"));
    assertNull(StatusMerge.flow(List.of(m1Flow().put("lagMs", null), m2Flow().put("lagMs", null)))
        .getValue("lagMs"));
  }

  @Test
  void heartbeatAgeIsTheSmallestKnown() {
    assertEquals(1_500L, mergedTwoMembers().getLong("heartbeatAgeMs"), "m1 knows none: m2's");
    assertEquals(40L, StatusMerge.flow(List.of(m1Flow().put("heartbeatAgeMs", 40L), m2Flow()))
        .getLong("heartbeatAgeMs"));
    assertNull(StatusMerge.flow(List.of(m1Flow(), m2Flow().put("heartbeatAgeMs", null)))
        .getValue("heartbeatAgeMs"));
  }

  // ------------------------------------------------------------------ connectors

  @Test
  void sourceTasksOfEveryMemberAreMergedByIdWithTheirWorker() {
    JsonArray tasks = mergedTwoMembers().getJsonObject("connectors").getJsonObject("source").getJsonArray("tasks");
    assertEquals(3, tasks.size());
    assertEquals(List.of(0, 1, 2), tasks.stream().map(t -> ((JsonObject) t).getInteger("id")).toList());
    assertEquals(List.of("m2", "m1", "m2"),
        tasks.stream().map(t -> ((JsonObject) t).getString("worker_id")).toList());
    assertEquals(List.of("RUNNING", "RUNNING", "PAUSED"),
        tasks.stream().map(t -> ((JsonObject) t).getString("state")).toList());
    assertEquals(partition("t", 2), tasks.getJsonObject(2).getJsonArray("partitions").getJsonObject(0));
  }

  @Test
  void eachConnectorsStateComesFromTheMemberRunningIt() {
    JsonObject connectors = mergedTwoMembers().getJsonObject("connectors");
    JsonObject source = connectors.getJsonObject("source");
    JsonObject checkpoint = connectors.getJsonObject("checkpoint");
    JsonObject heartbeat = connectors.getJsonObject("heartbeat");
    assertEquals("RUNNING", source.getString("state"), "m1 runs it, m2 (listed first) says UNASSIGNED");
    assertEquals("m1", source.getString("worker_id"));
    assertEquals("RUNNING", checkpoint.getString("state"));
    assertEquals("RUNNING", heartbeat.getString("state"), "m2 runs it, m1 says UNASSIGNED");
    assertEquals("m2", heartbeat.getString("worker_id"));
    assertEquals(List.of(singleTask("RUNNING", "m2")), heartbeat.getJsonArray("tasks").getList());
    assertEquals(List.of(singleTask("RUNNING", "m1")), checkpoint.getJsonArray("tasks").getList());
  }

  @Test
  void reporterDoesNotLeakIntoTheOutput() {
    JsonObject connectors = mergedTwoMembers().getJsonObject("connectors");
    for (String c : List.of("source", "checkpoint", "heartbeat")) {
      assertFalse(connectors.getJsonObject(c).containsKey("reporter"), c);
    }
  }

  @Test
  void inputsAreNotModified() {
    JsonObject m1 = m1Flow();
    JsonObject m2 = m2Flow();
    StatusMerge.flow(List.of(m2, m1));
    assertEquals(m1Flow(), m1);
    assertEquals(m2Flow(), m2);
  }

  // ------------------------------------------------------------------ base fields, members, order

  @Test
  void baseFieldsComeFromTheMemberRunningTheSourceConnector() {
    JsonObject merged = mergedTwoMembers();
    assertEquals("RUNNING", merged.getString("state"), "m1's, not m2's UNASSIGNED");
    assertEquals(owners(), merged.getJsonObject("owners"));
    assertEquals(FLOW, merged.getString("flow"));
    assertEquals("A", merged.getString("source"));
    assertEquals("B", merged.getString("target"));
  }

  @Test
  void connectorsLeftOutOfTheMirrorStayAbsent() {
    JsonObject m1 = m1Flow();
    JsonObject m2 = m2Flow();
    for (JsonObject f : List.of(m1, m2)) {
      f.getJsonObject("connectors").remove("checkpoint");
      f.getJsonObject("connectors").remove("heartbeat");
    }
    JsonObject connectors = StatusMerge.flow(List.of(m2, m1)).getJsonObject("connectors");
    assertEquals(List.of("source"), List.copyOf(connectors.fieldNames()));
  }

  @Test
  void withoutASourceConnectorBaseFieldsComeFromTheMemberRunningTheFirstConnector() {
    // a heartbeat-only flow: m2 runs the heartbeat connector, m1 sees it UNASSIGNED
    JsonObject m1 = flowStatus(FLOW, "m1", "UNASSIGNED", new JsonObject()
        .put("heartbeat", connector(HEARTBEAT, "UNASSIGNED", "m2")));
    JsonObject m2 = flowStatus(FLOW, "m2", "RUNNING", new JsonObject()
        .put("heartbeat", connector(HEARTBEAT, "RUNNING", "m2", singleTask("RUNNING", "m2"))));
    JsonObject merged = StatusMerge.flow(List.of(m1, m2));
    assertEquals("RUNNING", merged.getString("state"), "m2's: it runs the flow's only connector");
    assertEquals(List.of("heartbeat"), List.copyOf(merged.getJsonObject("connectors").fieldNames()));
    assertEquals("RUNNING", merged.getJsonObject("connectors").getJsonObject("heartbeat").getString("state"));
  }

  @Test
  void membersListsTheReportingMembersAndMemberIsRemoved() {
    JsonObject merged = mergedTwoMembers();
    assertEquals(new JsonArray().add("m2").add("m1"), merged.getJsonArray("members"));
    assertFalse(merged.containsKey("member"));
  }

  @Test
  void flowsKeepTheFirstStatusesOrderAndAddOthersAfter() {
    JsonObject first = memberStatus("m1",
        flowStatus("X->Y", "m1", "RUNNING", new JsonObject()), flowStatus(FLOW, "m1", "RUNNING", new JsonObject()));
    JsonObject second = memberStatus("m2", flowStatus("C->D", "m2", "RUNNING", new JsonObject()),
        flowStatus(FLOW, "m2", "RUNNING", new JsonObject()), flowStatus("X->Y", "m2", "RUNNING", new JsonObject()));
    JsonArray flows = StatusMerge.flows(List.of(first, second));
    assertEquals(List.of("X->Y", FLOW, "C->D"), flows.stream().map(f -> ((JsonObject) f).getString("flow")).toList());
    assertEquals(new JsonArray().add("m1").add("m2"), flows.getJsonObject(0).getJsonArray("members"));
    assertEquals(new JsonArray().add("m2"), flows.getJsonObject(2).getJsonArray("members"));
  }

  @Test
  void aMemberWithoutFlowsContributesNothing() {
    JsonArray flows = StatusMerge.flows(List.of(memberStatus("m1", m1Flow()), new JsonObject().put("member", "m3")));
    assertEquals(new JsonArray().add("m1"), flows.getJsonObject(0).getJsonArray("members"));
    assertEquals(0, StatusMerge.flows(List.of()).size());
  }

  @Test
  void singleMembersStatusMergesToItself() {
    JsonObject alone = m1Flow();
    JsonArray flows = StatusMerge.flows(List.of(memberStatus("m1", alone)));
    JsonObject expected = alone.copy().put("members", new JsonArray().add("m1"));
    expected.remove("member");
    assertEquals(expected, flows.getJsonObject(0));
  }

  // ------------------------------------------------------------------ connector(list) directly

  @Test
  void connectorTakesStateAndErrorFromTheReporterThatRunsIt() {
    JsonObject fromM1 = connector(HEARTBEAT, "UNASSIGNED", "m2").put("reporter", "m1");
    JsonObject fromM2 = connector(HEARTBEAT, "FAILED", "m2", singleTask("FAILED", "m2"))
        .put("error", "cannot produce").put("reporter", "m2");
    JsonObject merged = StatusMerge.connector(List.of(fromM1, fromM2));
    assertEquals("FAILED", merged.getString("state"));
    assertEquals("cannot produce", merged.getString("error"));
    assertEquals("m2", merged.getString("worker_id"));
    assertEquals(HEARTBEAT, merged.getString("name"));
    assertEquals(List.of(singleTask("FAILED", "m2")), merged.getJsonArray("tasks").getList());
    assertFalse(merged.containsKey("reporter"));
  }

  @Test
  void connectorFallsBackToTheFirstWhenNoReporterRunsIt() {
    // its owner m3 did not answer
    JsonObject fromM1 = connector(SOURCE, "UNASSIGNED", "m3", task(1, "RUNNING", "m1")).put("reporter", "m1");
    JsonObject fromM2 = connector(SOURCE, "PAUSED", "m3", task(0, "RUNNING", "m2")).put("reporter", "m2");
    JsonObject merged = StatusMerge.connector(List.of(fromM1, fromM2));
    assertEquals("UNASSIGNED", merged.getString("state"));
    assertEquals("m3", merged.getString("worker_id"));
    assertEquals(List.of(0, 1),
        merged.getJsonArray("tasks").stream().map(t -> ((JsonObject) t).getInteger("id")).toList());
    assertFalse(merged.containsKey("reporter"));
  }

  @Test
  void connectorMergesTasksOfEveryReporterSortedById() {
    JsonObject a = connector(SOURCE, "RUNNING", "m1", task(3, "RUNNING", "m1"), task(1, "RUNNING", "m1"))
        .put("reporter", "m1");
    JsonObject b = connector(SOURCE, "UNASSIGNED", "m1", task(2, "FAILED", "m2"), task(0, "RUNNING", "m2"))
        .put("reporter", "m2");
    JsonObject c = connector(SOURCE, "UNASSIGNED", "m1").put("reporter", "m3");
    JsonObject merged = StatusMerge.connector(List.of(b, c, a));
    JsonArray tasks = merged.getJsonArray("tasks");
    assertEquals(List.of(0, 1, 2, 3), tasks.stream().map(t -> ((JsonObject) t).getInteger("id")).toList());
    assertEquals(List.of("m2", "m1", "m2", "m1"),
        tasks.stream().map(t -> ((JsonObject) t).getString("worker_id")).toList());
    assertEquals("RUNNING", merged.getString("state"));
  }

  @Test
  void connectorOfOneReporterIsItselfWithoutReporter() {
    JsonObject only = connector(CHECKPOINT, "RUNNING", "m1", singleTask("RUNNING", "m1"));
    assertEquals(only, StatusMerge.connector(List.of(only.copy().put("reporter", "m1"))));
  }
  // ------------------------------------------------------------------ autoRestart (Strimzi's status)

  private static JsonObject autoRestart(int count) {
    return new JsonObject().put("count", count).put("connectorName", SOURCE)
        .put("lastRestartTimestamp", count == 0 ? null : "2024-05-01T10:00:0" + count + "Z");
  }

  @Test
  void autoRestartComesFromTheMemberRunningTheConnector() {
    JsonObject fromM1 = connector(SOURCE, "RUNNING", "m1").put("autoRestart", autoRestart(1)).put("reporter", "m1");
    JsonObject fromM2 = connector(SOURCE, "UNASSIGNED", "m1")
        .put("autoRestart", autoRestart(1).put("lastRestartTimestamp", "2024-05-01T11:00:00Z")).put("reporter", "m2");
    JsonObject merged = StatusMerge.connector(List.of(fromM2, fromM1));
    assertEquals(autoRestart(1), merged.getJsonObject("autoRestart"));
  }

  @Test
  void autoRestartWithAHigherCountOnAnotherMemberWins() {
    JsonObject fromM1 = connector(SOURCE, "RUNNING", "m1").put("autoRestart", autoRestart(0)).put("reporter", "m1");
    JsonObject fromM2 = connector(SOURCE, "UNASSIGNED", "m1", task(0, "FAILED", "m2"))
        .put("autoRestart", autoRestart(3)).put("reporter", "m2");
    JsonObject merged = StatusMerge.connector(List.of(fromM1, fromM2));
    assertEquals("RUNNING", merged.getString("state"));
    assertEquals(autoRestart(3), merged.getJsonObject("autoRestart"));
  }

  @Test
  void noAutoRestartAnywhereMeansNoField() {
    JsonObject fromM1 = connector(SOURCE, "RUNNING", "m1").put("reporter", "m1");
    assertFalse(StatusMerge.connector(List.of(fromM1)).containsKey("autoRestart"));
  }

  @Test
  void connectorStatusJsonShowsAutoRestartAsStrimzi() {
    ConnectorStatus none = new ConnectorStatus(SOURCE, "RUNNING", null, "m1", List.of());
    assertFalse(none.toJson().containsKey("autoRestart"));
    ConnectorStatus fresh = new ConnectorStatus(SOURCE, "RUNNING", null, "m1", List.of(),
        new ConnectorStatus.AutoRestartStatus(0, SOURCE, -1, -1));
    assertEquals(new JsonObject().put("count", 0).put("connectorName", SOURCE).put("lastRestartTimestamp", null),
        fresh.toJson().getJsonObject("autoRestart"));
    long last = java.time.Instant.parse("2024-05-01T10:00:00.750Z").toEpochMilli();
    ConnectorStatus failed = new ConnectorStatus(SOURCE, "FAILED", "boom", "m1", List.of(),
        new ConnectorStatus.AutoRestartStatus(2, SOURCE, last, last + 360_000));
    assertEquals(new JsonObject().put("count", 2).put("connectorName", SOURCE)
            .put("lastRestartTimestamp", "2024-05-01T10:00:00Z").put("nextRestartTimestamp", "2024-05-01T10:06:00Z"),
        failed.toJson().getJsonObject("autoRestart"));
  }
}
