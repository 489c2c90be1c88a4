package io.vmm.bench;

import io.vertx.core.json.JsonObject;
import io.vmm.config.ClusterSpec;
import io.vmm.config.ConfigParser;
import io.vmm.config.Environment;
import io.vmm.config.FlowSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tuned plain loops' client settings come from our own config code (bench/README.md "plain"). */
class LoopSettingsTest {

  private static FlowSpec flow(String sourceConnectorConfig) {
    return ConfigParser.parse(new JsonObject("""
        { "clusters": [ { "alias": "A", "bootstrapServers": "a:9092", "config": {} },
                        { "alias": "B", "bootstrapServers": "b:9092", "config": {} } ],
          "mirrors": [ { "sourceCluster": "A", "targetCluster": "B", "topicsPattern": "bench",
                         "sourceConnector": { "config": %s } } ] }
        """.formatted(sourceConnectorConfig)), new Environment(Map.of())).flows().get(0);
  }

  @Test
  void sameAsOurMirrorsDataPath() {
    LoopSettings s = LoopSettings.of(flow("{}"));
    // the record path's replication consumer (the loop decodes every record, as that path does)
    Map<String, Object> ourConsumer = new ClusterSpec("A", "a:9092", Map.of()).consumerConfig("plain-loop-consumer",
        ClusterSpec.RECORD_PATH_FETCH_MAX_BYTES);
    Map<String, Object> ourProducer = new ClusterSpec("B", "b:9092", Map.of()).producerConfig("plain-loop-producer");
    ourConsumer.remove("bootstrap.servers");
    ourProducer.remove("bootstrap.servers");
    assertEquals(ourConsumer, s.consumer());
    assertEquals(ourProducer, s.producer());
    assertEquals(String.valueOf(128 * 1024), s.producer().get("batch.size"));
    assertEquals("all", s.producer().get("acks"));
    assertTrue(s.consumer().containsKey("max.poll.records"));
    assertEquals(String.valueOf(2 << 20), s.consumer().get("fetch.max.bytes"));
    assertFalse(s.summary().contains("bootstrap") || s.summary().contains("Serializer"), s.summary());
  }

  @Test
  void connectorOverridesAndExactlyOnce(@TempDir Path dir) throws Exception {
    LoopSettings s = LoopSettings.of(flow("{ \"consumer.max.poll.records\": 77, \"producer.override.linger.ms\": 9 }"));
    assertEquals("77", s.consumer().get("max.poll.records"));
    assertEquals("9", s.producer().get("linger.ms"));
    LoopSettings eos = s.exactlyOnce(TransactionalLoop.TRANSACTIONAL_ID, 5_000);
    assertEquals("read_committed", eos.consumer().get("isolation.level"));
    assertEquals(TransactionalLoop.TRANSACTIONAL_ID, eos.producer().get("transactional.id"));
    assertTrue(eos.producer().containsKey("transaction.timeout.ms"));
    Path file = dir.resolve("plain-eos.properties");
    eos.write(file, "test");
    Properties c = PlainLoop.settings(file, "consumer.");
    Properties p = PlainLoop.settings(file, "producer.");
    assertEquals("read_committed", c.getProperty("isolation.level"));
    assertEquals("9", p.getProperty("linger.ms"));
    assertFalse(c.containsKey("bootstrap.servers") || p.containsKey("bootstrap.servers"));
  }
}
