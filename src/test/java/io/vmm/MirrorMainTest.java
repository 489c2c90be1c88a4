package io.vmm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exit code 2 and one line per problem, before any Kafka client or the service's Vert.x instance exists (the file
 * is read on a short-lived Vert.x of its own).
 */
class MirrorMainTest {

  @TempDir
  Path dir;

  private static String[] run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = MirrorMain.run(args, new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(0));
    return new String[]{Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void usageErrorIsExitCode2() {
    String[] r = run();
    assertEquals("2", r[0]);
    assertTrue(r[1].startsWith("usage: java -jar vertx-mirror-maker.jar -conf"), r[1]);
  }

  @Test
  void everyConfigProblemIsPrintedWithItsPath() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, """
        {"clusters": [{"alias": "A", "bootstrapServers": "127.0.0.1:19092"}, {"alias": "B"}],
         "mirrors": [{"sourceCluster": "A", "targetCluster": "C", "topicsPattern": "(",
                      "sourceConnector": {"tasksMax": "4"}}]}
        """);
    String[] r = run("-conf", file.toString());
    assertEquals("2", r[0]);
    assertTrue(r[1].startsWith("Invalid configuration (4 problems):"), r[1]);
    assertTrue(r[1].contains("  clusters[1].bootstrapServers: required field is missing"), r[1]);
    assertTrue(r[1].contains("  mirrors[0].targetCluster: unknown cluster alias \"C\""), r[1]);
    assertTrue(r[1].contains("  mirrors[0].topicsPattern: invalid regex \"(\""), r[1]);
    assertTrue(r[1].contains("  mirrors[0].sourceConnector.tasksMax: expected an integer, got string \"4\""), r[1]);
    assertEquals("2", run("--conf=" + dir.resolve("missing.yaml"))[0]);
  }

  @Test
  void fileProblemsArePrintedInTheSameFormat() throws Exception {
    Path missing = dir.resolve("missing.yaml");
    String[] r = run("--conf=" + missing);
    assertEquals("2", r[0]);
    assertEquals("Invalid configuration (1 problem):" + System.lineSeparator() + "  " + missing
        + ": file not found" + System.lineSeparator(), r[1]);
    Path yaml = Files.writeString(dir.resolve("bad.yaml"), "clusters:\n  - alias: A\n    bootstrapServers: a: b\n");
    r = run("-conf", yaml.toString());
    assertEquals("2", r[0]);
    assertEquals("Invalid configuration (1 problem):" + System.lineSeparator() + "  " + yaml
        + ": not valid YAML: mapping values are not allowed here at line 3, column 24" + System.lineSeparator(), r[1]);
    Path json = Files.writeString(dir.resolve("bad.json"), "{ \"clusters\": [ }");
    r = run("-conf", json.toString());
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("  " + json + ": not valid JSON: Unexpected close marker"), r[1]);
    assertTrue(!r[1].contains("REDACTED"), r[1]);
    r = run("-conf", "{\"clusters\": 1}");
    assertEquals("2", r[0]);
    assertTrue(r[1].startsWith("Invalid configuration (") && r[1].contains("  clusters: "), r[1]);
  }

  /** The one problem line of a run that must exit 2 with exactly one problem. */
  private static String oneProblem(String... args) {
    String[] r = run(args);
    assertEquals("2", r[0], r[1]);
    String[] lines = r[1].split("\\R");
    assertEquals(2, lines.length, r[1]);
    assertEquals("Invalid configuration (1 problem):", lines[0]);
    assertTrue(!r[1].contains("REDACTED") && !r[1].contains("StreamReadFeature") && !r[1].contains("Input length"),
        r[1]);
    return lines[1];
  }

  @Test
  void brokenFilesAreOneLineEachWithoutParserInternals() throws Exception {
    Path truncated = Files.writeString(dir.resolve("truncated.json"),
        "{\"clusters\": [{\"alias\": \"A\", \"bootstrapServers\": \"a:1\"}");
    assertEquals("  " + truncated + ": not valid JSON: unexpected end of input at line 1, column 56 (the array opened "
        + "at line 1, column 14 is not closed)", oneProblem("-conf", truncated.toString()));
    assertEquals("  -conf (inline JSON): not valid JSON: unexpected end of input at line 1, column 16 (inside a "
        + "string: its closing quote is missing)", oneProblem("-conf", "{\"clusters\": \"a"));

    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (255 - i);
    }
    for (String name : new String[] {"binary.json", "binary.yaml", "binary.properties"}) {
      Path file = Files.write(dir.resolve(name), binary);
      assertEquals("  " + file + ": not a text file (control byte 0x1F at offset 224)",
          oneProblem("-conf", file.toString()));
    }
    byte[] latin1 = "clusters:\n  - alias: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    Path yaml = Files.write(dir.resolve("latin1.yaml"), latin1);
    assertEquals("  " + yaml + ": not UTF-8 text (byte 0xE9 at offset 24, line 2, is not valid UTF-8; save the file "
        + "as UTF-8)", oneProblem("-conf", yaml.toString()));
    Path json = Files.write(dir.resolve("latin1.json"), "{\"a\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
    assertTrue(oneProblem("-conf", json.toString()).startsWith("  " + json + ": not UTF-8 text (byte 0xE9 at offset 10"));

    Path tab = Files.writeString(dir.resolve("tab.yaml"), "clusters:\n\t- alias: A\n");
    assertEquals("  " + tab + ": not valid YAML: tab character at line 2, column 1 (YAML indents with spaces only)",
        oneProblem("-conf", tab.toString()));
    Path unclosed = Files.writeString(dir.resolve("unclosed.yaml"), "clusters: [a, b\nmirrors: x\n");
    String p = oneProblem("-conf", unclosed.toString());
    assertTrue(p.startsWith("  " + unclosed + ": not valid YAML: while parsing a flow sequence; "), p);
    assertTrue(p.endsWith(" at line 2, column 8"), p);
  }

  @Test
  void yamlStrimziResourceIsReadAsAtStartUp() throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.yaml"), """
        apiVersion: kafka.strimzi.io/v1beta2
        kind: KafkaMirrorMaker2
        metadata:
          name: my-mm2
        spec:
          clusters:
            - alias: A
              bootstrapServers: 127.0.0.1:19092
            - alias: B
              bootstrapServers: 127.0.0.1:29092
          mirrors:
            - sourceCluster: A
              targetCluster: B
              sourceConnector:
                tasksMax: 2
        """);
    assertEquals(2, io.vmm.config.ConfigParser.parse(MirrorMain.load(file.toString())).flows().get(0)
        .sourceConnector().tasksMax());
  }

  @Test
  void confArgumentForms() {
    assertEquals("a.json", MirrorMain.confArgument(new String[]{"-conf", "a.json"}));
    assertEquals("b.yaml", MirrorMain.confArgument(new String[]{"--conf", "b.yaml"}));
    assertEquals("c.json", MirrorMain.confArgument(new String[]{"-conf=c.json"}));
    assertEquals(null, MirrorMain.confArgument(new String[]{"-conf"}));
  }

  /** Exit code, stdout, stderr. */
  private static String[] runOut(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = MirrorMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(0));
    return new String[]{Integer.toString(code), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8)};
  }

  private static final String PROPERTIES = """
      clusters = A, B
      A.bootstrap.servers = 127.0.0.1:19092
      B.bootstrap.servers = 127.0.0.1:29092
      A.sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required password="pw-A";
      A.security.protocol = SASL_PLAINTEXT
      A.sasl.mechanism = PLAIN
      A->B.enabled = true
      B->A.enabled = true
      replication.factor = 1
      """;

  @Test
  void helpPrintsUsageAndExits0() {
    String[] r = runOut("--help");
    assertEquals("0", r[0]);
    assertTrue(r[1].startsWith("usage: java -jar vertx-mirror-maker.jar -conf"), r[1]);
    assertTrue(r[1].contains("--clusters") && r[1].contains("--print-config") && r[1].contains("--validate"), r[1]);
    assertEquals("", r[2]);
  }

  @Test
  void validateChecksWithoutStarting() throws Exception {
    Path file = Files.writeString(dir.resolve("connect-mirror-maker.properties"), PROPERTIES);
    String[] r = runOut(file.toString(), "--clusters", "B", "--validate");
    assertEquals("0", r[0], r[2]);
    assertEquals("configuration is valid: 1 flow(s): A->B", r[1].trim());
    r = runOut("-conf", file.toString(), "--validate");
    assertEquals("0", r[0], r[2]);
    assertEquals("configuration is valid: 2 flow(s): A->B, B->A", r[1].trim());

    Path bad = Files.writeString(dir.resolve("bad.properties"), "clusters = A, B\nA->B.enabled = true\n"
        + "A.bootstrap.servers = 127.0.0.1:1\n");
    r = runOut(bad.toString(), "--validate");
    assertEquals("2", r[0]);
    assertEquals("", r[1]);
    assertTrue(r[2].startsWith("Invalid configuration (1 problem):"), r[2]);
    assertTrue(r[2].contains(bad + ": B.bootstrap.servers: required"), r[2]);
    r = runOut(file.toString(), "--clusters", "C", "--validate");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("--clusters: \"C\" is not in clusters (A, B)"), r[2]);
  }

  @Test
  void printConfigHidesSecrets() throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.properties"), PROPERTIES);
    String[] r = runOut("--print-config", file.toString(), "--clusters", "B");
    assertEquals("0", r[0], r[2]);
    io.vertx.core.json.JsonObject printed = new io.vertx.core.json.JsonObject(r[1]);
    assertEquals(1, printed.getJsonArray("mirrors").size());
    assertEquals("[hidden]", printed.getJsonArray("clusters").getJsonObject(0).getJsonObject("config")
        .getString("sasl.jaas.config"));
    assertFalse(r[1].contains("pw-A"), r[1]);
  }

  @Test
  void usageProblemsAreExitCode2() throws Exception {
    Path json = Files.writeString(dir.resolve("mm2.json"), "{}");
    String[] r = runOut("-conf", json.toString(), "--clusters", "B");
    assertEquals("2", r[0]);
    assertTrue(r[2].startsWith("--clusters applies to an MM2 properties file"), r[2]);
    r = runOut("-conf", json.toString(), "--frobnicate");
    assertEquals("2", r[0]);
    assertTrue(r[2].startsWith("unknown option --frobnicate"), r[2]);
    assertEquals("2", runOut("a.properties", "--clusters")[0]);
  }

  @Test
  void exitCodeAfterAStopTellsWhetherEveryFlowStoredItsProgress() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertEquals(MirrorMain.EXIT_OK, MirrorMain.afterStop(io.vmm.supervisor.StopSummary.STORED, MirrorMain.EXIT_OK,
        err));
    assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    io.vmm.supervisor.StopSummary late = io.vmm.supervisor.StopSummary.notStopped(java.util.List.of("A->B"), 9_500);
    assertEquals(MirrorMain.EXIT_FAILURE, MirrorMain.afterStop(late, MirrorMain.EXIT_OK, err));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(1, out.lines().count(), out);
    assertTrue(out.startsWith("A->B: the stop did not finish within 9500 ms"), out);
    assertTrue(MirrorMain.HELP.contains("1 progress not stored at stop"), MirrorMain.HELP);
  }
}
