package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The logging, http.token and reload blocks as ConfigParser validates them (LoggingSpec's spellings of levels). */
class LoggingSpecTest {

  private static JsonObject doc() {
    return new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", "127.0.0.1:19092"))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", "127.0.0.1:29092")))
        .put("mirrors", new JsonArray().add(new JsonObject().put("sourceCluster", "A").put("targetCluster", "B")
            .put("sourceConnector", new JsonObject())));
  }

  private static JsonObject withLoggers(JsonObject loggers) {
    return doc().put("logging", new JsonObject().put("type", "inline").put("loggers", loggers));
  }

  private static Map<String, String> loggers(JsonObject loggers) {
    return ConfigParser.parse(withLoggers(loggers)).loggers();
  }

  private static List<String> problems(JsonObject doc) {
    return assertThrows(ConfigException.class, () -> ConfigParser.parse(doc)).problems();
  }

  @Test
  void noLoggingBlockMeansNoLoggers() {
    assertEquals(Map.of(), ConfigParser.parse(doc()).loggers());
  }

  @Test
  void typeMayBeLeftOut() {
    JsonObject d = doc().put("logging", new JsonObject().put("loggers", new JsonObject().put("io.vmm", "DEBUG")));
    assertEquals(Map.of("io.vmm", "DEBUG"), ConfigParser.parse(d).loggers());
  }

  @Test
  void plainLoggerNames() {
    assertEquals(Map.of("io.vmm.source", "DEBUG", "org.apache.kafka", "WARN"),
        loggers(new JsonObject().put("io.vmm.source", "DEBUG").put("org.apache.kafka", "WARN")));
  }

  @Test
  void levelsAreCaseInsensitiveAndTrimmed() {
    assertEquals(Map.of("a", "TRACE", "b", "WARN", "c", "ERROR", "d", "OFF", "e", "INFO"),
        loggers(new JsonObject().put("a", "trace").put("b", "Warn").put("c", " error ").put("d", "off")
            .put("e", "iNfO")));
  }

  @Test
  void rootLoggerLevel() {
    assertEquals(Map.of(LoggingSpec.ROOT, "INFO"), loggers(new JsonObject().put("rootLogger.level", "INFO")));
  }

  @Test
  void connectRootLoggerLevel() {
    assertEquals(Map.of(LoggingSpec.ROOT, "WARN"),
        loggers(new JsonObject().put("connect.root.logger.level", "warn")));
  }

  @Test
  void log4jRootLoggerTakesTheFirstWord() {
    assertEquals(Map.of(LoggingSpec.ROOT, "INFO"), loggers(new JsonObject().put("log4j.rootLogger", "INFO, CONSOLE")));
    assertEquals(Map.of(LoggingSpec.ROOT, "DEBUG"), loggers(new JsonObject().put("log4j.rootLogger", "debug,A1,A2")));
    assertEquals(Map.of(LoggingSpec.ROOT, "ERROR"), loggers(new JsonObject().put("log4j.rootLogger", "ERROR")));
  }

  @Test
  void log4jLoggerPrefixIsStripped() {
    assertEquals(Map.of("x.y", "TRACE"), loggers(new JsonObject().put("log4j.logger.x.y", "TRACE")));
  }

  @Test
  void log4j2LoggerIdNameAndLevel() {
    Map<String, String> out = loggers(new JsonObject()
        .put("logger.a.name", "io.vmm.target").put("logger.a.level", "debug")
        .put("logger.b.level", "ERROR").put("logger.b.name", "org.apache.kafka.clients"));
    assertEquals(Map.of("io.vmm.target", "DEBUG", "org.apache.kafka.clients", "ERROR"), out);
  }

  @Test
  void allSpellingsTogether() {
    Map<String, String> out = loggers(new JsonObject()
        .put("rootLogger.level", "WARN")
        .put("log4j.logger.org.apache.kafka", "ERROR")
        .put("logger.v.name", "io.vmm").put("logger.v.level", "DEBUG")
        .put("io.vertx", "info"));
    assertEquals(Map.of(LoggingSpec.ROOT, "WARN", "org.apache.kafka", "ERROR", "io.vmm", "DEBUG", "io.vertx", "INFO"),
        out);
  }

  @Test
  void unknownLevelIsAProblemAtItsJsonPath() {
    List<String> p = problems(withLoggers(new JsonObject().put("io.vmm", "VERBOSE")));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("logging.loggers.io.vmm: unknown level \"VERBOSE\""), p.get(0));
  }

  @Test
  void unknownRootLevelIsAProblemAtItsJsonPath() {
    List<String> p = problems(withLoggers(new JsonObject().put("log4j.rootLogger", "LOUD, CONSOLE")));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("logging.loggers.log4j.rootLogger: unknown level"), p.get(0));
  }

  @Test
  void unknownLevelOfALoggerIdIsAProblem() {
    List<String> p = problems(withLoggers(new JsonObject().put("logger.a.name", "io.vmm").put("logger.a.level", "X")));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("logging.loggers.logger.a.level: unknown level"), p.get(0));
  }

  @Test
  void everyBadLevelIsReported() {
    List<String> p = problems(withLoggers(new JsonObject().put("a", "X").put("rootLogger.level", "Y")
        .put("c", "INFO")));
    assertEquals(2, p.size(), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("logging.loggers.a: ")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("logging.loggers.rootLogger.level: ")), p.toString());
  }

  @Test
  void unknownTypeIsAProblemAtType() {
    JsonObject d = doc().put("logging", new JsonObject().put("type", "file"));
    assertEquals(List.of("logging.type: expected \"inline\" or \"external\", got \"file\""), problems(d));
  }

  @Test
  void externalLoggingWithoutValueFromIsAProblem() {
    JsonObject d = doc().put("logging", new JsonObject().put("type", "external"));
    List<String> p = problems(d);
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("logging.valueFrom: required with type external"), p.get(0));
  }

  @Test
  void loggerIdLevelWithoutNameIsAProblem() {
    List<String> p = problems(withLoggers(new JsonObject().put("logger.a.level", "DEBUG")));
    assertEquals(List.of("logging.loggers.logger.a.level: has no logger.a.name"), p);
  }

  @Test
  void unknownFieldOfTheLoggingBlockIsAProblem() {
    JsonObject d = doc().put("logging", new JsonObject().put("type", "inline").put("levels", new JsonObject()));
    List<String> p = problems(d);
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("logging.levels: unknown field"), p.get(0));
  }

  @Test
  void nonScalarLevelIsAProblem() {
    List<String> p = problems(withLoggers(new JsonObject().put("io.vmm", new JsonObject().put("level", "DEBUG"))));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("logging.loggers.io.vmm: "), p.get(0));
  }

  @Test
  void httpTokenIsOptional() {
    assertNull(ConfigParser.parse(doc()).httpToken());
    assertEquals("s3cret",
        ConfigParser.parse(doc().put("http", new JsonObject().put("token", "s3cret"))).httpToken());
  }

  @Test
  void blankHttpTokenIsAProblem() {
    for (String blank : List.of("", "   ")) {
      List<String> p = problems(doc().put("http", new JsonObject().put("token", blank)));
      assertEquals(1, p.size(), p.toString());
      assertTrue(p.get(0).startsWith("http.token: must not be blank"), p.get(0));
    }
  }

  @Test
  void reloadDefaults() {
    MirrorMakerConfig c = ConfigParser.parse(doc());
    assertTrue(c.reloadEnabled());
    assertEquals(5_000, c.reloadScanMs());
  }

  @Test
  void reloadSettings() {
    MirrorMakerConfig c = ConfigParser.parse(doc().put("reload",
        new JsonObject().put("enabled", false).put("scanPeriodMs", 100)));
    assertFalse(c.reloadEnabled());
    assertEquals(100, c.reloadScanMs());
  }

  @Test
  void reloadScanPeriodBelow100msIsAProblem() {
    List<String> p = problems(doc().put("reload", new JsonObject().put("scanPeriodMs", 99)));
    assertEquals(List.of("reload.scanPeriodMs: must be between 100 and 3600000, got 99"), p);
  }

  @Test
  void problemsOfAllServiceBlocksAreReportedTogether() {
    JsonObject d = withLoggers(new JsonObject().put("io.vmm", "LOUD"))
        .put("http", new JsonObject().put("token", " "))
        .put("reload", new JsonObject().put("scanPeriodMs", 0));
    List<String> p = problems(d);
    assertEquals(3, p.size(), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("logging.loggers.io.vmm: ")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("http.token: ")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("reload.scanPeriodMs: ")), p.toString());
  }
}
