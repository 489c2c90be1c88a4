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
}
