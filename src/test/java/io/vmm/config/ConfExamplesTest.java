package io.vmm.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every example in conf/ is a valid configuration, read as MirrorMain reads it ({@link ConfigSource}). */
@ExtendWith(VertxExtension.class)
class ConfExamplesTest {

  private static JsonObject load(Vertx vertx, String conf) throws Exception {
    return ConfigSource.load(vertx, conf).await(10, TimeUnit.SECONDS);
  }

  @Test
  void everyExampleIsValid(Vertx vertx) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("conf"))) {
      files = s.filter(p -> p.toString().matches(".*\\.(json|ya?ml)")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (Path f : files) {
      MirrorMakerConfig config = ConfigParser.parse(load(vertx, f.toString()));
      assertFalse(config.flows().isEmpty(), f.toString());
    }
    MirrorMakerConfig activePassive = ConfigParser.parse(load(vertx, "conf/active-passive.json"));
    assertEquals("orders", activePassive.flows().get(0).replicationPolicy().formatRemoteTopic("primary", "orders"));
    assertEquals(2, ConfigParser.parse(load(vertx, "conf/active-active.json")).flows().size());
  }
}
