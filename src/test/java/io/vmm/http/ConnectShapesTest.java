package io.vmm.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Kafka Connect REST shapes rendered from a supervisor status. */
class ConnectShapesTest {

  private static JsonObject connector(String name, String state) {
    return new JsonObject().put("name", name).put("state", state).put("tasks", new JsonArray()
        .add(new JsonObject().put("id", 0).put("state", "RUNNING"))
        .add(new JsonObject().put("id", 1).put("state", "FAILED").put("error", "boom").put("worker_id", "m2")));
  }

  private static final JsonObject STATUS = new JsonObject().put("flows", new JsonArray().add(new JsonObject()
      .put("source", "A").put("target", "B").put("connectors", new JsonObject()
          .put("source", connector("A->B.MirrorSourceConnector", "RUNNING"))
          .put("checkpoint", connector("A->B.MirrorCheckpointConnector", "PAUSED"))
          .put("heartbeat", connector("A->B.MirrorHeartbeatConnector", "RUNNING")))));

  @Test
  void aConnectorLeftOutOfItsMirrorIsNeitherFoundNorListed() {
    JsonObject sourceOnly = new JsonObject().put("flows", new JsonArray().add(new JsonObject()
        .put("source", "A").put("target", "B").put("connectors", new JsonObject()
            .put("source", connector("A->B.MirrorSourceConnector", "RUNNING")))));
    assertNull(ConnectShapes.find(sourceOnly, "A->B.MirrorHeartbeatConnector"));
    assertNull(ConnectShapes.find(sourceOnly, "A->B.MirrorCheckpointConnector"));
    assertEquals("RUNNING", ConnectShapes.find(sourceOnly, "A->B.MirrorSourceConnector").getString("state"));
    assertEquals(new JsonArray().add("A->B.MirrorSourceConnector"), ConnectShapes.names(sourceOnly));
  }

  @Test
  void findsConnectorWithAliases() {
    JsonObject c = ConnectShapes.find(STATUS, "A->B.MirrorCheckpointConnector");
    assertEquals("PAUSED", c.getString("state"));
    assertEquals("A", c.getString("sourceAlias"));
    assertEquals("B", c.getString("targetAlias"));
    assertNull(ConnectShapes.find(STATUS, "X->Y.MirrorSourceConnector"));
    assertEquals(new JsonArray().add("A->B.MirrorSourceConnector").add("A->B.MirrorCheckpointConnector")
        .add("A->B.MirrorHeartbeatConnector"), ConnectShapes.names(STATUS));
  }

  @Test
  void rendersConnectShapes() {
    String name = "A->B.MirrorSourceConnector";
    JsonObject c = ConnectShapes.find(STATUS, name);
    assertEquals(new JsonObject("""
        {"name":"A->B.MirrorSourceConnector","type":"source","tasks":[
          {"connector":"A->B.MirrorSourceConnector","task":0},{"connector":"A->B.MirrorSourceConnector","task":1}],
         "config":{"name":"A->B.MirrorSourceConnector",
           "connector.class":"org.apache.kafka.connect.mirror.MirrorSourceConnector",
           "source.cluster.alias":"A","target.cluster.alias":"B"}}"""), ConnectShapes.info(name, c));
    assertEquals(new JsonObject("""
        {"name":"A->B.MirrorSourceConnector","connector":{"state":"RUNNING","worker_id":"local"},
         "tasks":[{"id":0,"state":"RUNNING","worker_id":"local"},
                  {"id":1,"state":"FAILED","worker_id":"m2","trace":"boom"}],
         "type":"source"}"""), ConnectShapes.status(c));
    assertEquals(new JsonArray("""
        [{"id":{"connector":"A->B.MirrorSourceConnector","task":0},"config":{}},
         {"id":{"connector":"A->B.MirrorSourceConnector","task":1},"config":{}}]"""), ConnectShapes.tasks(c));
  }
}
