package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  void yamlStrimziResourceIsUnwrapped() throws Exception {
    Path file = dir.resolve("mm2.yaml");
    Files.writeString(file, """
        apiVersion: kafka.strimzi.io/v1beta2
        kind: KafkaMirrorMaker2
        metadata:
          name: my-mm2
        spec:
          replicas: 1
          clusters:
            - alias: A
              bootstrapServers: 127.0.0.1:19092
            - alias: B
              bootstrapServers: 127.0.0.1:29092
          mirrors:
            - sourceCluster: A
              targetCluster: B
              topicsPattern: "orders"
              sourceConnector:
                tasksMax: 2
                config:
                  replication.factor: 1
                  sync.topic.acls.enabled: "false"
        """);
    JsonObject doc = ConfigLoader.load(file.toString());
    MirrorMakerConfig config = ConfigParser.parse(doc);
    assertEquals(2, config.flows().get(0).sourceConnector().tasksMax());
    assertEquals(false, config.flows().get(0).sourceConnector().config().getBoolean("sync.topic.acls.enabled"));
  }

  @Test
  void inlineJsonAndErrorsNameTheFile() throws Exception {
    assertEquals("A", ConfigLoader.load("{\"clusters\":[{\"alias\":\"A\"}]}").getJsonArray("clusters")
        .getJsonObject(0).getString("alias"));
    assertEquals(List.of("nope.json: file not found"),
        assertThrows(ConfigException.class, () -> ConfigLoader.load("nope.json")).problems());
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{ \"clusters\": [ }");
    String p = assertThrows(ConfigException.class, () -> ConfigLoader.load(bad.toString())).problems().get(0);
    assertTrue(p.startsWith(bad + ": not valid JSON"), p);
  }
}
