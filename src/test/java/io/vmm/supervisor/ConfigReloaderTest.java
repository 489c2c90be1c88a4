package io.vmm.supervisor;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConfigParser;
import io.vmm.config.MirrorMakerConfig;
import io.vmm.metrics.MetricsSetup;
import io.vmm.testkit.LogCapture;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The running document read again (as the config watcher's first scan may) is no reload: no "config reload
 * applied" line, nothing counted, no summary. The supervisor is not started: no cluster is needed.
 */
class ConfigReloaderTest {

  static JsonObject doc() {
    return new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", "127.0.0.1:19092"))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", "127.0.0.1:29092")))
        .put("mirrors", new JsonArray().add(new JsonObject()
            .put("sourceCluster", "A").put("targetCluster", "B").put("topicsPattern", "orders").put("sourceConnector", new JsonObject())));
  }

  @Test
  void theRunningDocumentAgainIsNoReload() throws Exception {
    Vertx vertx = Vertx.vertx();
    var registry = MetricsSetup.newRegistry();
    try (LogCapture logs = LogCapture.start(Map.of("io.vmm.supervisor", "INFO"))) {
      MirrorMakerConfig config = ConfigParser.parse(doc());
      Supervisor supervisor = new Supervisor(vertx, config, doc(), registry);
      assertNull(supervisor.reload(doc().copy()).await(10, TimeUnit.SECONDS));
      assertEquals(java.util.List.of(), logs.messagesContaining("config reload"));
      assertEquals(0.0, registry.get("vmm_config_reloads").tag("result", "applied").counter().count());
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      registry.close();
    }
  }
}
