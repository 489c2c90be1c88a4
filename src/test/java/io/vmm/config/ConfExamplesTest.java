package io.vmm.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vmm.testkit.SecretsDir;
import io.vmm.testkit.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every example in conf/ is a valid configuration, read as MirrorMain reads it ({@link ConfigSource}), with the
 * Secrets the secured example names mounted in a temporary {@code VMM_SECRETS_DIR}.
 */
@ExtendWith(VertxExtension.class)
class ConfExamplesTest {

  /** The Secrets of conf/strimzi-secured.yaml, as Strimzi's operators would create them. */
  private static Environment secrets(Path dir) {
    TestCertificates pki = TestCertificates.get();
    SecretsDir s = SecretsDir.at(dir);
    s.put("my-source-cluster-ca-cert", "ca.crt", pki.caPem());
    s.put("my-mirror-user", "user.crt", pki.userCertPem());
    s.put("my-mirror-user", "user.key", pki.userKeyPem());
    s.put("my-target-cluster-ca-cert", "ca.crt", pki.caPem());
    s.put("my-mirror-user-scram", "password", "a-password\n");
    return new Environment(Map.of(Environment.SECRETS_DIR, dir.toString()));
  }

  private static JsonObject load(Vertx vertx, String conf) throws Exception {
    return ConfigSource.load(vertx, conf).await(10, TimeUnit.SECONDS);
  }

  @Test
  void everyExampleIsValid(Vertx vertx, @TempDir Path tmp) throws Exception {
    Environment env = secrets(tmp);
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("conf"))) {
      files = s.filter(p -> p.toString().matches(".*\\.(json|ya?ml|properties)")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (Path f : files) {
      MirrorMakerConfig config = ConfigParser.parse(load(vertx, f.toString()), env);
      assertFalse(config.flows().isEmpty(), f.toString());
    }
    MirrorMakerConfig activePassive = ConfigParser.parse(load(vertx, "conf/active-passive.json"));
    assertEquals("orders", activePassive.flows().get(0).replicationPolicy().formatRemoteTopic("primary", "orders"));
    assertEquals(2, ConfigParser.parse(load(vertx, "conf/active-active.json")).flows().size());
    MirrorMakerConfig properties = ConfigParser.parse(load(vertx, "conf/connect-mirror-maker.properties"));
    assertEquals(List.of("primary->backup"), properties.flows().stream().map(FlowSpec::name).toList());
    assertEquals(2, properties.flows().get(0).sourceConnector().tasksMax());
    MirrorMakerConfig secured = ConfigParser.parse(load(vertx, "conf/strimzi-secured.yaml"), env);
    assertEquals("SSL", secured.flows().get(0).source().security().get("security.protocol"));
    assertEquals("SASL_SSL", secured.flows().get(0).target().security().get("security.protocol"));
    assertEquals(5, secured.flows().get(0).source().secretFiles().size()
        + secured.flows().get(0).target().secretFiles().size(), "every Secret file is watched");
  }
}
