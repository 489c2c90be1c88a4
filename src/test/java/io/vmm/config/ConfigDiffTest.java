package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ConfigDiff: which flows a reload adds, removes, restarts or only re-states, and which settings need a restart. */
class ConfigDiffTest {

  /** Clusters A, B, C; flows A->B, A->C and B->C. */
  private static JsonObject doc() {
    return new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", "127.0.0.1:19092"))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", "127.0.0.1:29092"))
            .add(new JsonObject().put("alias", "C").put("bootstrapServers", "127.0.0.1:39092")))
        .put("mirrors", new JsonArray()
            .add(new JsonObject().put("sourceCluster", "A").put("targetCluster", "B").put("topicsPattern", "orders")
                .put("sourceConnector", new JsonObject().put("tasksMax", 2)
                    .put("config", new JsonObject().put("replication.factor", 1))))
            .add(new JsonObject().put("sourceCluster", "A").put("targetCluster", "C").put("topicsPattern", ".*")
                .put("sourceConnector", new JsonObject().put("tasksMax", 1)))
            .add(new JsonObject().put("sourceCluster", "B").put("targetCluster", "C").put("topicsPattern", ".*")
                .put("sourceConnector", new JsonObject())));
  }

  private static JsonObject mirror(JsonObject doc, String source, String target) {
    for (Object m : doc.getJsonArray("mirrors")) {
      JsonObject o = (JsonObject) m;
      if (source.equals(o.getString("sourceCluster")) && target.equals(o.getString("targetCluster"))) {
        return o;
      }
    }
    throw new AssertionError("no mirror " + source + "->" + target);
  }

  private static JsonObject cluster(JsonObject doc, String alias) {
    for (Object c : doc.getJsonArray("clusters")) {
      if (alias.equals(((JsonObject) c).getString("alias"))) {
        return (JsonObject) c;
      }
    }
    throw new AssertionError("no cluster " + alias);
  }

  private static ConfigDiff diff(JsonObject oldDoc, JsonObject newDoc) {
    return ConfigDiff.of(oldDoc, ConfigParser.parse(oldDoc), newDoc, ConfigParser.parse(newDoc));
  }

  private static void assertNoFlowChanges(ConfigDiff d) {
    assertTrue(d.flowsUnchanged(), d.toString());
    assertEquals(List.of(), d.added());
    assertEquals(List.of(), d.removed());
    assertEquals(List.of(), d.changed());
    assertEquals(List.of(), d.stateChanged());
  }

  @Test
  void identicalDocumentsChangeNothing() {
    ConfigDiff d = diff(doc(), doc());
    assertNoFlowChanges(d);
    assertEquals(List.of(), d.needsRestart());
  }

  @Test
  void reorderedMirrorsAndClustersChangeNothing() {
    JsonObject next = doc();
    JsonArray mirrors = next.getJsonArray("mirrors");
    next.put("mirrors", new JsonArray().add(mirrors.getValue(2)).add(mirrors.getValue(0)).add(mirrors.getValue(1)));
    JsonArray clusters = next.getJsonArray("clusters");
    next.put("clusters", new JsonArray().add(clusters.getValue(2)).add(clusters.getValue(1)).add(clusters.getValue(0)));
    assertNoFlowChanges(diff(doc(), next));
  }

  @Test
  void newMirrorIsAdded() {
    JsonObject next = doc();
    next.getJsonArray("mirrors").add(new JsonObject().put("sourceCluster", "C").put("targetCluster", "A")
        .put("sourceConnector", new JsonObject()));
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("C->A"), d.added());
    assertEquals(List.of(), d.removed());
    assertEquals(List.of(), d.changed());
    assertEquals(List.of(), d.stateChanged());
    assertFalse(d.flowsUnchanged());
  }

  @Test
  void droppedMirrorIsRemoved() {
    JsonObject next = doc();
    next.getJsonArray("mirrors").remove(1); // A->C
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("A->C"), d.removed());
    assertEquals(List.of(), d.added());
    assertEquals(List.of(), d.changed());
    assertEquals(List.of(), d.stateChanged());
    assertFalse(d.flowsUnchanged());
  }

  @Test
  void changedTopicsPatternRestartsOnlyThatFlow() {
    JsonObject next = doc();
    mirror(next, "A", "B").put("topicsPattern", "orders|payments");
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("A->B"), d.changed());
    assertEquals(List.of(), d.stateChanged());
    assertEquals(List.of(), d.added());
    assertEquals(List.of(), d.removed());
  }

  @Test
  void changedConnectorConfigRestartsTheFlow() {
    JsonObject next = doc();
    mirror(next, "A", "B").getJsonObject("sourceConnector").getJsonObject("config").put("replication.factor", 3);
    assertEquals(List.of("A->B"), diff(doc(), next).changed());
  }

  @Test
  void changedClusterBootstrapServersRestartsEveryFlowUsingTheCluster() {
    JsonObject next = doc();
    cluster(next, "A").put("bootstrapServers", "127.0.0.1:19093");
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("A->B", "A->C"), d.changed());
    assertFalse(d.changed().contains("B->C"));
    assertEquals(List.of(), d.stateChanged());
  }

  @Test
  void changedClusterConfigRestartsFlowsOnEitherSide() {
    JsonObject next = doc();
    cluster(next, "B").put("config", new JsonObject().put("producer.linger.ms", 20));
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("A->B", "B->C"), d.changed()); // B is the target of one and the source of the other
  }

  @Test
  void unusedClusterChangeTouchesNoFlow() {
    JsonObject old = doc();
    old.getJsonArray("clusters").add(new JsonObject().put("alias", "D").put("bootstrapServers", "127.0.0.1:49092"));
    JsonObject next = old.copy();
    cluster(next, "D").put("bootstrapServers", "127.0.0.1:49093");
    assertNoFlowChanges(diff(old, next));
  }

  @Test
  void onlyAConnectorStateChangeIsAStateChange() {
    JsonObject next = doc();
    mirror(next, "A", "B").getJsonObject("sourceConnector").put("state", "paused");
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("A->B"), d.stateChanged());
    assertEquals(List.of(), d.changed());
    assertFalse(d.flowsUnchanged());
    assertEquals(List.of(), d.needsRestart());
  }

  @Test
  void stateChangeBackToRunningIsAStateChange() {
    JsonObject old = doc();
    mirror(old, "A", "B").getJsonObject("sourceConnector").put("state", "stopped");
    JsonObject next = doc();
    mirror(next, "A", "B").getJsonObject("sourceConnector").put("state", "running");
    ConfigDiff d = diff(old, next);
    assertEquals(List.of("A->B"), d.stateChanged());
    assertEquals(List.of(), d.changed());
  }

  @Test
  void deprecatedPauseChangeIsAStateChange() {
    JsonObject next = doc();
    mirror(next, "A", "B").getJsonObject("sourceConnector").put("pause", true);
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("A->B"), d.stateChanged());
    assertEquals(List.of(), d.changed());
  }

  @Test
  void stateChangeWithAnotherChangeIsAChange() {
    JsonObject next = doc();
    mirror(next, "A", "B").getJsonObject("sourceConnector").put("state", "paused").put("tasksMax", 3);
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("A->B"), d.changed());
    assertEquals(List.of(), d.stateChanged());
  }

  @Test
  void addingAConnectorBlockRestartsTheFlow() {
    // an absent connector is not run, {} runs it: a presence change is a flow change, even with only a state
    for (JsonObject block : List.of(new JsonObject(), new JsonObject().put("state", "paused"))) {
      JsonObject next = doc();
      mirror(next, "A", "C").put("checkpointConnector", block);
      ConfigDiff d = diff(doc(), next);
      assertEquals(List.of("A->C"), d.changed(), block.encode());
      assertEquals(List.of(), d.stateChanged());
    }
  }

  @Test
  void removingAConnectorBlockRestartsTheFlow() {
    JsonObject old = doc();
    mirror(old, "A", "B").put("heartbeatConnector", new JsonObject());
    ConfigDiff d = diff(old, doc());
    assertEquals(List.of("A->B"), d.changed());
    assertEquals(List.of(), d.stateChanged());
  }

  @Test
  void stateOfAnEmptyConnectorBlockIsAStateChange() {
    JsonObject old = doc();
    mirror(old, "A", "C").put("heartbeatConnector", new JsonObject());
    JsonObject next = doc();
    mirror(next, "A", "C").put("heartbeatConnector", new JsonObject().put("state", "stopped"));
    ConfigDiff d = diff(old, next);
    assertEquals(List.of("A->C"), d.stateChanged());
    assertEquals(List.of(), d.changed());
  }

  @Test
  void unrelatedFlowsAreInNoList() {
    JsonObject next = doc();
    mirror(next, "A", "B").put("topicsPattern", "x");
    mirror(next, "A", "C").getJsonObject("sourceConnector").put("state", "stopped");
    next.getJsonArray("mirrors").add(new JsonObject().put("sourceCluster", "C").put("targetCluster", "A")
        .put("sourceConnector", new JsonObject()));
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("C->A"), d.added());
    assertEquals(List.of("A->B"), d.changed());
    assertEquals(List.of("A->C"), d.stateChanged());
    for (List<String> list : List.of(d.added(), d.removed(), d.changed(), d.stateChanged())) {
      assertFalse(list.contains("B->C"), d.toString());
    }
  }

  @Test
  void httpPortChangeNeedsARestartButChangesNoFlow() {
    JsonObject next = doc().put("http", new JsonObject().put("port", 9000));
    ConfigDiff d = diff(doc(), next);
    assertEquals(List.of("http.port: 8083 -> 9000"), d.needsRestart());
    assertNoFlowChanges(d);
  }

  @Test
  void metricsPortChangeNeedsARestart() {
    JsonObject old = doc().put("metrics", new JsonObject().put("port", 9404));
    JsonObject next = doc().put("metrics", new JsonObject().put("port", 9500));
    assertEquals(List.of("metrics.port: 9404 -> 9500"), diff(old, next).needsRestart());
  }

  @Test
  void sameEffectivePortWrittenOutNeedsNoRestart() {
    JsonObject next = doc().put("http", new JsonObject().put("port", 8083));
    assertEquals(List.of(), diff(doc(), next).needsRestart());
  }

  @Test
  void loggingChangeNeitherRestartsNorChangesFlows() {
    JsonObject next = doc().put("logging", new JsonObject().put("loggers", new JsonObject().put("io.vmm", "DEBUG")));
    ConfigDiff d = diff(doc(), next);
    assertNoFlowChanges(d);
    assertEquals(List.of(), d.needsRestart());
  }
}
