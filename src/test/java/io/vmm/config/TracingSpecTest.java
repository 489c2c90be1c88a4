package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vmm.config.ConfigParserTest.problems;
import static io.vmm.config.ConfigParserTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strimzi's {@code tracing} block: parsed, not ignored; Strimzi's removed jaeger type is an error with a hint. */
class TracingSpecTest {

  private static JsonObject withTracing(JsonObject tracing) {
    return valid().put("tracing", tracing);
  }

  @Test
  void absentMeansOff() {
    assertSame(TracingSpec.OFF, ConfigParser.parse(valid()).tracing());
    assertFalse(TracingSpec.OFF.enabled());
  }

  @Test
  void opentelemetryTurnsTracingOn() {
    TracingSpec spec = ConfigParser.parse(withTracing(new JsonObject().put("type", "opentelemetry"))).tracing();
    assertTrue(spec.enabled());
    assertEquals("opentelemetry", spec.type());
  }

  @Test
  void jaegerIsAnErrorWithAHint() {
    List<String> problems = problems(withTracing(new JsonObject().put("type", "jaeger")));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("tracing.type: "), problems.get(0));
    assertTrue(problems.get(0).contains("use \"opentelemetry\""), problems.get(0));
  }

  @Test
  void otherTypesAndFieldsAreErrors() {
    assertEquals(List.of("tracing.type: expected \"opentelemetry\", got \"zipkin\""),
        problems(withTracing(new JsonObject().put("type", "zipkin"))));
    assertTrue(problems(withTracing(new JsonObject())).get(0).startsWith("tracing.type"));
    assertTrue(problems(withTracing(new JsonObject().put("type", "opentelemetry").put("sampler", "x")))
        .get(0).startsWith("tracing.sampler"));
  }

  @Test
  void aChangeNeedsARestart() {
    JsonObject before = valid();
    JsonObject after = withTracing(new JsonObject().put("type", "opentelemetry"));
    ConfigDiff diff = ConfigDiff.of(before, ConfigParser.parse(before), after, ConfigParser.parse(after));
    assertEquals(List.of("tracing: off -> opentelemetry"), diff.needsRestart());
    assertTrue(diff.flowsUnchanged());
  }
}
