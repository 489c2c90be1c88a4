package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strimzi's {@code autoRestart} on each connector: absent is off, present defaults {@code enabled} to true,
 * {@code maxRestarts} is an integer >= 0 (absent: no limit), {@code maxBackoffMinutes} >= 1 (default 60); bad
 * values and unknown fields are problems at their JSON path.
 */
class AutoRestartConfigTest {

  private static JsonObject withAutoRestart(String connector, JsonObject autoRestart) {
    JsonObject doc = ConfigParserTest.valid();
    JsonObject mirror = ConfigParserTest.mirror0(doc);
    JsonObject node = mirror.getJsonObject(connector, new JsonObject());
    mirror.put(connector, node.put("autoRestart", autoRestart));
    return doc;
  }

  private static FlowSpec flow(JsonObject doc) {
    return ConfigParser.parse(doc).flows().get(0);
  }

  @Test
  void absentIsOff() {
    FlowSpec f = flow(ConfigParserTest.valid());
    assertEquals(AutoRestartSpec.OFF, f.sourceConnector().autoRestart());
    assertFalse(f.checkpointConnector().autoRestart().enabled());
    assertFalse(f.heartbeatConnector().autoRestart().enabled());
  }

  @Test
  void presentObjectEnablesItWithNoLimit() {
    AutoRestartSpec a = flow(withAutoRestart("sourceConnector", new JsonObject())).sourceConnector().autoRestart();
    assertTrue(a.enabled());
    assertNull(a.maxRestarts());
    assertEquals(60, a.maxBackoffMinutes());
  }

  @Test
  void everyFieldOnEveryConnector() {
    JsonObject ar = new JsonObject().put("enabled", true).put("maxRestarts", 10).put("maxBackoffMinutes", 30);
    for (String connector : List.of("sourceConnector", "checkpointConnector", "heartbeatConnector")) {
      FlowSpec f = flow(withAutoRestart(connector, ar));
      AutoRestartSpec a = switch (connector) {
        case "sourceConnector" -> f.sourceConnector().autoRestart();
        case "checkpointConnector" -> f.checkpointConnector().autoRestart();
        default -> f.heartbeatConnector().autoRestart();
      };
      assertEquals(new AutoRestartSpec(true, 10, 30), a, connector);
    }
  }

  @Test
  void enabledFalseAndZeroRestarts() {
    assertEquals(new AutoRestartSpec(false, 0), flow(withAutoRestart("sourceConnector",
        new JsonObject().put("enabled", false).put("maxRestarts", 0))).sourceConnector().autoRestart());
  }

  @Test
  void badValuesAreProblemsAtTheirPath() {
    List<String> p = ConfigParserTest.problems(withAutoRestart("sourceConnector", new JsonObject()
        .put("enabled", "yes").put("maxRestarts", -1).put("maxBackoffMinutes", 0).put("maxRestart", 3)));
    assertEquals(4, p.size(), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.autoRestart.enabled: expected "
        + "true or false")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.autoRestart.maxRestarts: must be "
        + "between 0 and")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.autoRestart.maxBackoffMinutes: "
        + "must be between 1 and")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("mirrors[0].sourceConnector.autoRestart.maxRestart: unknown "
        + "field (did you mean maxRestarts?)")), p.toString());
  }

  @Test
  void notAnObjectIsAProblem() {
    JsonObject doc = ConfigParserTest.valid();
    ConfigParserTest.mirror0(doc).getJsonObject("sourceConnector").put("autoRestart", true);
    List<String> p = ConfigParserTest.problems(doc);
    assertEquals(List.of("mirrors[0].sourceConnector.autoRestart: expected an object, got boolean true"), p);
  }

  @Test
  void fractionalMaxRestartsIsAProblem() {
    List<String> p = ConfigParserTest.problems(withAutoRestart("heartbeatConnector",
        new JsonObject().put("maxRestarts", 1.5)));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("mirrors[0].heartbeatConnector.autoRestart.maxRestarts: expected an integer"),
        p.get(0));
  }
}
