package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * What remains of ConfigLoader: {@link ConfigLoader#unwrap}. Loading itself (YAML Strimzi resource, inline JSON,
 * errors naming the file) moved to {@link ConfigSource}: see {@link ConfigSourceTest}.
 */
class ConfigLoaderTest {

  @Test
  void unwrapTakesTheSpecOfAStrimziResourceOnly() {
    JsonObject spec = new JsonObject().put("clusters", new io.vertx.core.json.JsonArray());
    assertEquals(spec, ConfigLoader.unwrap(new JsonObject().put("kind", "KafkaMirrorMaker2").put("spec", spec)));
    JsonObject plain = new JsonObject().put("clusters", new io.vertx.core.json.JsonArray());
    assertSame(plain, ConfigLoader.unwrap(plain));
    JsonObject otherKind = new JsonObject().put("kind", "KafkaConnect").put("spec", spec);
    assertSame(otherKind, ConfigLoader.unwrap(otherKind));
    JsonObject noSpec = new JsonObject().put("kind", "KafkaMirrorMaker2");
    assertSame(noSpec, ConfigLoader.unwrap(noSpec));
  }
}
