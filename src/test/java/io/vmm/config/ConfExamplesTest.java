package io.vmm.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every example in conf/ is a valid configuration. */
class ConfExamplesTest {

  @Test
  void everyExampleIsValid() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("conf"))) {
      files = s.filter(p -> p.toString().matches(".*\\.(json|ya?ml)")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (Path f : files) {
      MirrorMakerConfig config = ConfigParser.parse(ConfigLoader.load(f.toString()));
      assertFalse(config.flows().isEmpty(), f.toString());
    }
    MirrorMakerConfig activePassive = ConfigParser.parse(ConfigLoader.load("conf/active-passive.json"));
    assertEquals("orders", activePassive.flows().get(0).replicationPolicy().formatRemoteTopic("primary", "orders"));
    assertEquals(2, ConfigParser.parse(ConfigLoader.load("conf/active-active.json")).flows().size());
  }
}
