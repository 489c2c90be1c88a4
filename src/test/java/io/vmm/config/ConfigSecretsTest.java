package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No toString of the config prints a secret: client secrets and the HTTP token are {@code [hidden]}. */
class ConfigSecretsTest {

  private static final List<String> SECRETS = List.of("jaas-pw", "trust-pw", "key-pw", "ks-pw", "PEM-KEY-BYTES",
      "http-tok", "my-secret", "my-token");

  static JsonObject withSecrets() {
    JsonObject doc = ConfigParserTest.valid().put("http", new JsonObject().put("token", "http-tok"))
        .put("cluster", new JsonObject().put("memberName", "vmm-0"));
    doc.getJsonArray("clusters").getJsonObject(0).put("config", new JsonObject()
        .put("security.protocol", "SASL_SSL").put("sasl.mechanism", "PLAIN")
        .put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"u\" password=\"jaas-pw\";")
        .put("ssl.truststore.password", "trust-pw")
        .put("ssl.key.password", "key-pw")
        .put("producer.ssl.keystore.password", "ks-pw")
        .put("ssl.keystore.key", "PEM-KEY-BYTES"));
    return doc;
  }

  private static void assertNoSecret(Object o) {
    String text = o.toString();
    for (String secret : SECRETS) {
      assertFalse(text.contains(secret), secret + " printed: " + text);
    }
  }

  @Test
  void parsedConfigPrintsNoSecret() {
    MirrorMakerConfig config = ConfigParser.parse(withSecrets(), new Environment(Map.of()));
    assertNoSecret(config);
    assertNoSecret(config.cluster());
    assertNoSecret(config.clusters().get(0));
    assertNoSecret(config.flows().get(0));
    assertNoSecret(config.flows().get(0).sourceConnector());
    String text = config.toString();
    assertTrue(text.contains("httpToken=[hidden]"), text);
    assertTrue(text.contains("security.protocol=SASL_SSL") && text.contains("sasl.mechanism=PLAIN"), text);
    assertTrue(text.contains("sasl.jaas.config=[hidden]") && text.contains("ssl.keystore.key=[hidden]")
        && text.contains("producer.ssl.keystore.password=[hidden]"), text);
    assertTrue(text.contains("A->B") && text.contains("vmm-0"), text);
    assertTrue(config.flows().get(0).toString().contains("sasl.jaas.config=[hidden]"));
    assertTrue(ConfigParser.parse(ConfigParserTest.valid()).toString().contains("httpToken=null"));
  }

  @Test
  void clusterSpecHidesEverySecretKind() {
    ClusterSpec spec = new ClusterSpec("A", "h:1", Map.of("sasl.jaas.config", "jaas-pw",
        "some.client.secret", "my-secret", "sasl.oauthbearer.token", "my-token", "SSL.KEY.PASSWORD", "key-pw",
        "admin.ssl.keystore.key", "PEM-KEY-BYTES", "client.id", "visible-id"));
    assertNoSecret(spec);
    assertTrue(spec.toString().contains("client.id=visible-id"), spec.toString());
    assertTrue(spec.config().get("sasl.jaas.config").equals("jaas-pw"), "the value itself is kept");
  }

  @Test
  void secretKeys() {
    for (String key : List.of("ssl.key.password", "ssl.keystore.password", "sasl.jaas.config",
        "producer.sasl.jaas.config", "ssl.keystore.key", "x.client.secret", "sasl.oauthbearer.token.endpoint.url")) {
      assertTrue(Secrets.isSecret(key), key);
    }
    for (String key : List.of("security.protocol", "sasl.mechanism", "ssl.keystore.location", "key.converter",
        "ssl.truststore.certificates", "client.id")) {
      assertFalse(Secrets.isSecret(key), key);
    }
  }
}
