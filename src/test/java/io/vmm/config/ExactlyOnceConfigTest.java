package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vmm.config.ConfigParserTest.mirror0;
import static io.vmm.config.ConfigParserTest.problems;
import static io.vmm.config.ConfigParserTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exactly-once switch: MM2's {@code exactly.once.source.support} in the target cluster's config. */
class ExactlyOnceConfigTest {

  private static JsonObject targetConfig(JsonObject doc) {
    return doc.getJsonArray("clusters").getJsonObject(1).getJsonObject("config");
  }

  @Test
  void offByDefaultOnWithEnabled() {
    assertFalse(ConfigParser.parse(valid()).flows().get(0).exactlyOnce());
    JsonObject doc = valid();
    targetConfig(doc).put("exactly.once.source.support", "Enabled");
    FlowSpec flow = ConfigParser.parse(doc).flows().get(0);
    assertTrue(flow.exactlyOnce());
    targetConfig(doc).put("exactly.once.source.support", "preparing");
    assertFalse(ConfigParser.parse(doc).flows().get(0).exactlyOnce(), "preparing is at-least-once, as in Connect");
  }

  @Test
  void badValueIsAConfigError() {
    JsonObject doc = valid();
    targetConfig(doc).put("exactly.once.source.support", "yes");
    assertEquals(List.of("clusters[1].config.exactly.once.source.support: expected enabled, preparing or disabled, "
        + "got \"yes\""), problems(doc));
  }

  @Test
  void transactionalIdsAreStableAndDerivedAsConnectDoes() {
    JsonObject doc = valid();
    targetConfig(doc).put("exactly.once.source.support", "enabled");
    assertEquals("A-mm2-A->B.MirrorSourceConnector-3", ConfigParser.parse(doc).flows().get(0).transactionalId(3));
    targetConfig(doc).put("group.id", "mirrormaker2-cluster");
    assertEquals("mirrormaker2-cluster-A->B.MirrorSourceConnector-0",
        ConfigParser.parse(doc).flows().get(0).transactionalId(0));
  }

  @Test
  void commitIntervalFallsBackToTheFlushIntervalAtMost100Ms() {
    JsonObject doc = valid();
    assertEquals(100, ConfigParser.parse(doc).flows().get(0).transactionIntervalMs());
    mirror0(doc).getJsonObject("sourceConnector").getJsonObject("config").put("offset.flush.interval.ms", 2_000);
    assertEquals(100, ConfigParser.parse(doc).flows().get(0).transactionIntervalMs());
    mirror0(doc).getJsonObject("sourceConnector").getJsonObject("config").put("transaction.boundary.interval.ms", 250);
    assertEquals(250, ConfigParser.parse(doc).flows().get(0).transactionIntervalMs());
  }

  @Test
  void readUncommittedWithExactlyOnceIsRefused() {
    JsonObject doc = valid();
    targetConfig(doc).put("exactly.once.source.support", "enabled");
    doc.getJsonArray("clusters").getJsonObject(0).put("config", new JsonObject()
        .put("consumer.isolation.level", "read_uncommitted"));
    assertEquals(List.of("mirrors[0]: exactly-once (exactly.once.source.support=enabled in cluster \"B\"'s config) "
        + "reads the source with isolation.level=read_committed, but the source consumer sets "
        + "isolation.level=read_uncommitted: remove it or set read_committed"), problems(doc));
    targetConfig(doc).remove("exactly.once.source.support");
    assertFalse(ConfigParser.parse(doc).flows().get(0).exactlyOnce(), "at-least-once may read uncommitted data");
  }
}
