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

  /** {@code GET /connectors/{name}/config}: Connect's flat string map; secrets hidden; null for unknown names. */
  @Test
  void configIsAFlatStringMapWithSecretsHidden() {
    JsonObject doc = new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", "a:9092").put("config", new JsonObject()
                .put("security.protocol", "SASL_PLAINTEXT").put("sasl.mechanism", "PLAIN")
                .put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                    + "username=\"u\" password=\"s3cret-a\";")))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", "b:9092")))
        .put("mirrors", new JsonArray().add(new JsonObject()
            .put("sourceCluster", "A").put("targetCluster", "B").put("topicsPattern", "orders.*")
            .put("sourceConnector", new JsonObject().put("tasksMax", 3).put("config", new JsonObject()
                .put("replication.factor", 1).put("producer.override.ssl.key.password", "s3cret-b")))
            .put("heartbeatConnector", new JsonObject())));
    io.vmm.config.MirrorMakerConfig config = io.vmm.config.ConfigParser.parse(doc);

    JsonObject source = ConnectShapes.config(config, "A->B.MirrorSourceConnector");
    assertEquals("A->B.MirrorSourceConnector", source.getString("name"));
    assertEquals("org.apache.kafka.connect.mirror.MirrorSourceConnector", source.getString("connector.class"));
    assertEquals("3", source.getString("tasks.max"));
    assertEquals("A", source.getString("source.cluster.alias"));
    assertEquals("B", source.getString("target.cluster.alias"));
    assertEquals("a:9092", source.getString("source.cluster.bootstrap.servers"));
    assertEquals("b:9092", source.getString("target.cluster.bootstrap.servers"));
    assertEquals("SASL_PLAINTEXT", source.getString("source.cluster.security.protocol"));
    assertEquals("orders.*", source.getString("topics"));
    assertEquals("1", source.getString("replication.factor"));
    assertEquals("[hidden]", source.getString("source.cluster.sasl.jaas.config"));
    assertEquals("[hidden]", source.getString("producer.override.ssl.key.password"));
    source.forEach(e -> org.junit.jupiter.api.Assertions.assertInstanceOf(String.class, e.getValue(), e.getKey()));
    org.junit.jupiter.api.Assertions.assertFalse(source.encode().contains("s3cret"), source.encode());

    JsonObject heartbeat = ConnectShapes.config(config, "A->B.MirrorHeartbeatConnector");
    assertEquals("org.apache.kafka.connect.mirror.MirrorHeartbeatConnector", heartbeat.getString("connector.class"));
    assertEquals("1", heartbeat.getString("tasks.max"));
    assertNull(ConnectShapes.config(config, "A->B.MirrorCheckpointConnector"), "left out of its mirror");
    assertNull(ConnectShapes.config(config, "X->Y.MirrorSourceConnector"));
    assertNull(ConnectShapes.config(null, "A->B.MirrorSourceConnector"));
  }
}
