package io.vmm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strimzi's external logging: {@code valueFrom.configMapKeyRef} read from {@code $VMM_CONFIGMAPS_DIR/<name>/<key>}
 * (a temp dir here), in log4j2 and log4j properties, mapped to the same logger→level map as inline logging;
 * missing files and bad lines are problems with the JSON path and the file path.
 */
class ExternalLoggingTest {

  @TempDir
  Path dir;

  private static JsonObject doc(JsonObject logging) {
    return new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", "127.0.0.1:19092"))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", "127.0.0.1:29092")))
        .put("mirrors", new JsonArray().add(new JsonObject().put("sourceCluster", "A").put("targetCluster", "B")
            .put("sourceConnector", new JsonObject())))
        .put("logging", logging);
  }

  private static JsonObject external(String name, String key) {
    return new JsonObject().put("type", "external").put("valueFrom", new JsonObject()
        .put("configMapKeyRef", new JsonObject().put("name", name).put("key", key)));
  }

  private Environment env() {
    return new Environment(Map.of("VMM_CONFIGMAPS_DIR", dir.toString()));
  }

  private Path write(String name, String key, String text) throws IOException {
    Path file = dir.resolve(name).resolve(key);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private Map<String, String> loggers(String text) throws IOException {
    write("my-logging", "log4j.properties", text);
    return ConfigParser.parse(doc(external("my-logging", "log4j.properties")), env()).loggers();
  }

  private List<String> problems(JsonObject logging) {
    return assertThrows(ConfigException.class, () -> ConfigParser.parse(doc(logging), env())).problems();
  }

  @Test
  void log4j2PropertiesAsStrimziWritesThem() throws IOException {
    Map<String, String> out = loggers("""
        # Strimzi MirrorMaker 2 logging
        name = MM2Config
        appender.console.type = Console
        appender.console.name = STDOUT
        appender.console.layout.type = PatternLayout
        appender.console.layout.pattern = %d{ISO8601} %p %m (%c) [%t]%n
        rootLogger.level = INFO
        rootLogger.appenderRefs = console
        rootLogger.appenderRef.console.ref = STDOUT
        rootLogger.additivity = false
        logger.kafka.name = org.apache.kafka
        logger.kafka.level = warn
        logger.kafka.additivity = false
        logger.vmm.name=io.vmm.source
        logger.vmm.level=DEBUG
        status = warn
        """);
    assertEquals(Map.of(LoggingSpec.ROOT, "INFO", "org.apache.kafka", "WARN", "io.vmm.source", "DEBUG"), out);
  }

  @Test
  void log4jPropertiesWithVariables() throws IOException {
    Map<String, String> out = loggers("""
        log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
        log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
        log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %p %m (%c) [%t]%n
        mirrormaker.root.logger=WARN
        log4j.rootLogger=${mirrormaker.root.logger}, CONSOLE
        log4j.logger.org.apache.zookeeper=ERROR
        log4j.logger.org.apache.kafka: DEBUG, CONSOLE
        log4j.additivity.org.apache.kafka=false
        """);
    assertEquals(Map.of(LoggingSpec.ROOT, "WARN", "org.apache.zookeeper", "ERROR", "org.apache.kafka", "DEBUG"), out);
  }

  @Test
  void log4j2ShorthandsPropertiesAndContinuations() throws IOException {
    Map<String, String> out = loggers("""
        property.level = error
        rootLogger = ${level}, STDOUT
        ! a comment
        logger.a.name = io.vertx\\
            .core
        logger.a.level   trace
        """);
    assertEquals(Map.of(LoggingSpec.ROOT, "ERROR", "io.vertx.core", "TRACE"), out);
  }

  @Test
  void sameMapAsInlineLogging() throws IOException {
    Map<String, String> fromFile = loggers("rootLogger.level=INFO\nlog4j.logger.io.vmm=DEBUG\n");
    Map<String, String> inline = ConfigParser.parse(doc(new JsonObject().put("type", "inline").put("loggers",
        new JsonObject().put("rootLogger.level", "INFO").put("log4j.logger.io.vmm", "DEBUG"))), env()).loggers();
    assertEquals(inline, fromFile);
  }

  @Test
  void emptyFileGivesNoLevels() throws IOException {
    assertEquals(Map.of(), loggers("# nothing\n\n"));
  }

  @Test
  void missingFileIsAProblemWithJsonPathAndFilePath() {
    Path expected = dir.resolve("absent").resolve("log4j2.properties");
    List<String> p = problems(external("absent", "log4j2.properties"));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("logging.valueFrom.configMapKeyRef: file " + expected + " not found"), p.get(0));
  }

  @Test
  void optionalMissingFileIsNoProblem() {
    JsonObject logging = external("absent", "log4j2.properties");
    logging.getJsonObject("valueFrom").getJsonObject("configMapKeyRef").put("optional", true);
    assertEquals(Map.of(), ConfigParser.parse(doc(logging), env()).loggers());
  }

  @Test
  void lineWithoutValueIsAProblemWithItsLine() throws IOException {
    Path file = write("bad", "log4j.properties", "rootLogger.level = INFO\nthis-is-not-a-property\n");
    List<String> p = problems(external("bad", "log4j.properties"));
    assertEquals(List.of("logging.valueFrom.configMapKeyRef: file " + file
        + " line 2: expected key=value, got \"this-is-not-a-property\""), p);
  }

  @Test
  void unknownLevelIsAProblemWithItsLineAndKey() throws IOException {
    Path file = write("bad", "log4j2.properties", "# levels\nlogger.k.name = org.apache.kafka\nlogger.k.level = LOUD\n"
        + "log4j.rootLogger=${undefined}, CONSOLE\n");
    List<String> p = problems(external("bad", "log4j2.properties"));
    assertEquals(2, p.size(), p.toString());
    assertTrue(p.contains("logging.valueFrom.configMapKeyRef: file " + file + " line 3 (logger.k.level): unknown "
        + "level \"LOUD\"; use one of TRACE, DEBUG, INFO, WARN, ERROR, OFF"), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.contains(" line 4 (log4j.rootLogger): unknown level \"${undefined}, "
        + "CONSOLE\"")), p.toString());
  }

  @Test
  void loggerLevelWithoutNameIsAProblem() throws IOException {
    Path file = write("bad", "k", "logger.x.level = INFO\n");
    assertEquals(List.of("logging.valueFrom.configMapKeyRef: file " + file + " line 1 (logger.x.level): has no "
        + "logger.x.name"), problems(external("bad", "k")));
  }

  @Test
  void referenceFieldsAreRequiredAndPlainNames() {
    List<String> p = problems(new JsonObject().put("type", "external").put("valueFrom", new JsonObject()
        .put("configMapKeyRef", new JsonObject().put("name", "../etc"))));
    assertEquals(2, p.size(), p.toString());
    assertTrue(p.contains("logging.valueFrom.configMapKeyRef.key: required field is missing"), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("logging.valueFrom.configMapKeyRef.name: \"../etc\" must be")),
        p.toString());
  }

  @Test
  void loggersWithExternalAndValueFromWithInlineAreProblems() throws IOException {
    write("ok", "k", "rootLogger.level=INFO\n");
    List<String> p = problems(external("ok", "k").put("loggers", new JsonObject().put("io.vmm", "DEBUG")));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("logging.loggers: only with type inline"), p.get(0));
    List<String> q = problems(new JsonObject().put("type", "inline").put("valueFrom", new JsonObject()));
    assertEquals(List.of("logging.valueFrom: only with type external"), q);
  }

  @Test
  void missingConfigMapKeyRefIsAProblem() {
    List<String> p = problems(new JsonObject().put("type", "external").put("valueFrom", new JsonObject()));
    assertEquals(List.of("logging.valueFrom.configMapKeyRef: required field is missing"), p);
  }

  @Test
  void aChangedFileIsReadAgainByTheNextParse() throws IOException {
    assertEquals(Map.of(LoggingSpec.ROOT, "INFO"), loggers("rootLogger.level=INFO\n"));
    assertEquals(Map.of(LoggingSpec.ROOT, "DEBUG"), loggers("rootLogger.level=DEBUG\n"));
  }
}
