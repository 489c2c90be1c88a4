package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Unwrapping a Strimzi resource: {@link ConfigSource#unwrap}. Loading itself (YAML Strimzi resource, inline JSON,
 * errors naming the file) moved to {@link ConfigSource}: see {@link ConfigSourceTest}.
 */
class ConfigUnwrapTest {

  @Test
  void unwrapTakesTheSpecOfAStrimziResourceOnly() {
    JsonObject spec = new JsonObject().put("clusters", new io.vertx.core.json.JsonArray());
    assertEquals(spec, ConfigSource.unwrap(new JsonObject().put("kind", "KafkaMirrorMaker2").put("spec", spec)));
    JsonObject plain = new JsonObject().put("clusters", new io.vertx.core.json.JsonArray());
    assertSame(plain, ConfigSource.unwrap(plain));
    JsonObject otherKind = new JsonObject().put("kind", "KafkaConnect").put("spec", spec);
    assertSame(otherKind, ConfigSource.unwrap(otherKind));
    JsonObject noSpec = new JsonObject().put("kind", "KafkaMirrorMaker2");
    assertSame(noSpec, ConfigSource.unwrap(noSpec));
  }
}
