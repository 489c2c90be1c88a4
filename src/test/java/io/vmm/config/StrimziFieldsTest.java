package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Strimzi field table: the README lists every field as the code handles it; reasons; {@code rack}. */
class StrimziFieldsTest {

  @Test
  void readmeTableListsEveryField() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    StrimziFields.FIELDS.forEach((path, f) -> assertTrue(readme.contains("| `" + path + "` | "
        + f.handling().name().toLowerCase() + " | " + f.note() + " |"), "README row for " + path));
  }

  @Test
  void ignoredReasonsByPath() {
    assertEquals(StrimziFields.FIELDS.get("replicas").note(), StrimziFields.ignoredReason("replicas"));
    assertEquals(StrimziFields.FIELDS.get("mirrors[].*Connector.listOffsets").note(),
        StrimziFields.ignoredReason("mirrors[0].heartbeatConnector.listOffsets"));
    assertEquals("it has no meaning for this mirror", StrimziFields.ignoredReason("somethingNew"));
  }

  private static JsonObject doc() {
    return new JsonObject("""
        {"clusters":[{"alias":"A","bootstrapServers":"a:9092"},{"alias":"B","bootstrapServers":"b:9092"}],
         "mirrors":[{"sourceCluster":"A","targetCluster":"B","sourceConnector":{}}],
         "replicas":3,"jmxOptions":{},"rack":{"topologyKey":"topology.kubernetes.io/zone"}}""");
  }

  @Test
  void rackGivesClientRackFromTheEnvironment() {
    MirrorMakerConfig withId = ConfigParser.parse(doc(), new Environment(Map.of(Environment.RACK_ID, "zone-a")));
    assertEquals("zone-a", withId.clientRack());
    assertNull(ConfigParser.parse(doc(), new Environment(Map.of())).clientRack());
    JsonObject noRack = doc();
    noRack.remove("rack");
    assertNull(ConfigParser.parse(noRack, new Environment(Map.of(Environment.RACK_ID, "zone-a"))).clientRack());
  }
}
