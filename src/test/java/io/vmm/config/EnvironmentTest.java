package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The environment variables the service reads, unset or blank counting as absent. */
class EnvironmentTest {

  private static final Environment EMPTY = new Environment(Map.of());

  @Test
  void httpToken() {
    assertEquals("s3cr3t", new Environment(Map.of("VMM_HTTP_TOKEN", "s3cr3t")).httpToken());
    assertNull(new Environment(Map.of("VMM_HTTP_TOKEN", "  ")).httpToken());
    assertNull(EMPTY.httpToken());
  }

  @Test
  void memberNamePrefersVmmMemberNameThenHostname() {
    assertEquals("vmm-1", new Environment(Map.of("VMM_MEMBER_NAME", "vmm-1", "HOSTNAME", "pod-7")).memberName());
    assertEquals("pod-7", new Environment(Map.of("HOSTNAME", "pod-7")).memberName());
    assertEquals("pod-7", new Environment(Map.of("VMM_MEMBER_NAME", " ", "HOSTNAME", "pod-7")).memberName());
    assertEquals("vmm-1", new Environment(Map.of("VMM_MEMBER_NAME", " vmm-1 ")).memberName());
    assertNull(EMPTY.memberName());
  }

  @Test
  void podIp() {
    assertEquals("10.1.2.3", new Environment(Map.of("POD_IP", "10.1.2.3")).podIp());
    assertNull(new Environment(Map.of("POD_IP", "")).podIp());
    assertNull(EMPTY.podIp());
  }

  @Test
  void environmentTokenWinsOverHttpTokenWhenSetAndNotBlank() {
    MirrorMakerConfig withToken = ConfigParser.parse(ConfigParserTest.valid()
        .put("http", new JsonObject().put("token", "from-config")), EMPTY);
    MirrorMakerConfig without = ConfigParser.parse(ConfigParserTest.valid(), EMPTY);
    Environment env = new Environment(Map.of("VMM_HTTP_TOKEN", "from-env"));
    assertEquals("from-env", Environment.effectiveHttpToken(withToken, env));
    assertEquals("from-env", Environment.effectiveHttpToken(without, env));
    assertEquals("from-config", Environment.effectiveHttpToken(withToken, EMPTY));
    assertEquals("from-config", Environment.effectiveHttpToken(withToken,
        new Environment(Map.of("VMM_HTTP_TOKEN", " "))));
    assertNull(Environment.effectiveHttpToken(without, EMPTY));
  }

  @Test
  void systemIsTheProcessEnvironmentAndToStringHasNoValues() {
    assertNotNull(Environment.system());
    assertEquals(System.getenv("POD_IP") == null || System.getenv("POD_IP").isBlank() ? null
        : System.getenv("POD_IP"), Environment.system().podIp());
    String text = new Environment(Map.of("VMM_HTTP_TOKEN", "s3cr3t", "POD_IP", "10.1.2.3")).toString();
    assertFalse(text.contains("s3cr3t") || text.contains("10.1.2.3"), text);
  }
}
