package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vmm.config.ConfigParserTest.mirror0;
import static io.vmm.config.ConfigParserTest.problems;
import static io.vmm.config.ConfigParserTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Defaults that depend on the data path ({@code vmm.data.path}): the record path keeps fewer decoded records on the
 * heap (smaller fetch answers, a lower task mark); a value the user sets wins on both paths.
 */
class DataPathDefaultsTest {

  private static JsonObject sourceConfig(JsonObject doc) {
    return mirror0(doc).getJsonObject("sourceConnector").getJsonObject("config");
  }

  @Test
  void taskMarkIs8MiBOnTheBatchPathAnd4MiBOnTheRecordPathUnlessSet() {
    ConnectorConfig unset = ConfigParser.parse(valid()).flows().get(0).sourceConnector().config();
    assertEquals(8 << 20, ConnectorKeys.inflightTaskMaxBytes(unset, true));
    assertEquals(4 << 20, ConnectorKeys.inflightTaskMaxBytes(unset, false));

    JsonObject doc = valid();
    sourceConfig(doc).put("vmm.inflight.task.max.bytes", 2048);
    ConnectorConfig set = ConfigParser.parse(doc).flows().get(0).sourceConnector().config();
    assertEquals(2048, ConnectorKeys.inflightTaskMaxBytes(set, true));
    assertEquals(2048, ConnectorKeys.inflightTaskMaxBytes(set, false));
  }

  @Test
  void taskMarkBelow1024IsAConfigError() {
    JsonObject doc = valid();
    sourceConfig(doc).put("vmm.inflight.task.max.bytes", 100);
    List<String> problems = problems(doc);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("vmm.inflight.task.max.bytes")
        && problems.get(0).contains("at least 1024"), problems.get(0));
  }

  @Test
  void consumerFetchMaxBytesDefaultIsTheCallersUnlessTheClusterSetsIt() {
    ClusterSpec source = ConfigParser.parse(valid()).flows().get(0).source();
    assertEquals("8388608", source.consumerConfig("c").get("fetch.max.bytes"));
    assertEquals("2097152", source.consumerConfig("c", ClusterSpec.RECORD_PATH_FETCH_MAX_BYTES)
        .get("fetch.max.bytes"));

    JsonObject doc = valid();
    doc.getJsonArray("clusters").getJsonObject(0).put("config", new JsonObject().put("fetch.max.bytes", "1000000"));
    ClusterSpec tuned = ConfigParser.parse(doc).flows().get(0).source();
    assertEquals("1000000", String.valueOf(tuned.consumerConfig("c", ClusterSpec.RECORD_PATH_FETCH_MAX_BYTES)
        .get("fetch.max.bytes")));
  }
}
