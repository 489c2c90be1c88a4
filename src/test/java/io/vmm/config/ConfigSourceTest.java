package io.vmm.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one loading path: JSON and YAML files, inline JSON, Strimzi resources, and one-line errors naming the file
 * without parser internals.
 */
@ExtendWith(VertxExtension.class)
class ConfigSourceTest {

  static final String STRIMZI_YAML = """
      apiVersion: kafka.strimzi.io/v1beta2
      kind: KafkaMirrorMaker2
      metadata:
        name: my-mm2
      spec:
        replicas: 1
        clusters:
          - alias: A
            bootstrapServers: 127.0.0.1:19092
          - alias: B
            bootstrapServers: 127.0.0.1:29092
        mirrors:
          - sourceCluster: A
            targetCluster: B
            topicsPattern: "orders"
            sourceConnector:
              tasksMax: 2
              config:
                replication.factor: 1
                sync.topic.acls.enabled: "false"
      """;

  @TempDir
  Path dir;

  static JsonObject load(Vertx vertx, String conf) throws Exception {
    return ConfigSource.load(vertx, conf).await(10, TimeUnit.SECONDS);
  }

  /** The single problem of a load that must fail. */
  static String problem(Vertx vertx, String conf) {
    List<String> problems = assertThrows(ConfigException.class, () -> load(vertx, conf)).problems();
    assertEquals(1, problems.size(), problems.toString());
    String p = problems.get(0);
    assertFalse(p.contains("\n") || p.contains("\r"), "one line: " + p);
    assertFalse(p.contains("Source: REDACTED") || p.contains("StreamReadFeature") || p.contains("[Source"), p);
    return p;
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void yamlStrimziResourceIsUnwrapped(Vertx vertx) throws Exception {
    Path file = write("mm2.yaml", STRIMZI_YAML);
    JsonObject doc = load(vertx, file.toString());
    assertFalse(doc.containsKey("kind"));
    MirrorMakerConfig config = ConfigParser.parse(doc);
    assertEquals(2, config.flows().get(0).sourceConnector().tasksMax());
    assertEquals(false, config.flows().get(0).sourceConnector().config().getBoolean("sync.topic.acls.enabled"));
  }

  @Test
  void jsonStrimziResourceIsUnwrapped(Vertx vertx) throws Exception {
    JsonObject spec = ConfigParserTest.valid();
    Path file = write("mm2.json", new JsonObject().put("kind", "KafkaMirrorMaker2").put("spec", spec).encode());
    assertEquals(spec, load(vertx, file.toString()));
  }

  @Test
  void jsonFile(Vertx vertx) throws Exception {
    Path file = write("mm2.json", ConfigParserTest.valid().encodePrettily());
    JsonObject doc = load(vertx, file.toString());
    assertEquals(ConfigParserTest.valid(), doc);
    assertEquals(4, ConfigParser.parse(doc).flows().get(0).sourceConnector().tasksMax());
  }

  @Test
  void yamlByExtensionAnyCaseAndYmlWithPlainJsonTypes(Vertx vertx) throws Exception {
    String yaml = "clusters:\n  - alias: A\n    config:\n      x: 1\n    since: 2024-01-01\nreload:\n  enabled: false\n";
    for (String name : new String[] {"a.yml", "b.YAML", "c.yaml"}) {
      JsonObject doc = load(vertx, write(name, yaml).toString());
      Object cluster = doc.getJsonArray("clusters").getValue(0);
      assertInstanceOf(JsonObject.class, cluster, name); // maps inside lists are JsonObjects, not Maps
      assertInstanceOf(JsonObject.class, ((JsonObject) cluster).getValue("config"), name);
      Object since = ((JsonObject) cluster).getValue("since"); // a YAML date: a JSON value, no java.util.Date
      assertTrue(since instanceof String || since instanceof Number, name + ": " + since);
      assertEquals(false, doc.getJsonObject("reload").getBoolean("enabled"), name);
    }
  }

  @Test
  void inlineJson(Vertx vertx) throws Exception {
    assertEquals("A", load(vertx, "{\"clusters\":[{\"alias\":\"A\"}]}").getJsonArray("clusters")
        .getJsonObject(0).getString("alias"));
    assertEquals(ConfigParserTest.valid(), load(vertx, "  " + new JsonObject().put("kind", "KafkaMirrorMaker2")
        .put("spec", ConfigParserTest.valid()).encode()));
    String p = problem(vertx, "{\"clusters\": [ }");
    assertTrue(p.startsWith("-conf (inline JSON): not valid JSON: "), p);
  }

  @Test
  void missingFileIsNamed(Vertx vertx) {
    assertEquals("nope.json: file not found", problem(vertx, "nope.json"));
    String missing = dir.resolve("missing.yaml").toString();
    assertEquals(missing + ": file not found", problem(vertx, missing));
  }

  @Test
  void directoryCannotBeRead(Vertx vertx) {
    assertTrue(problem(vertx, dir.toString()).startsWith(dir + ": cannot read: "));
  }

  @Test
  void badJsonSaysWhereWithoutParserInternals(Vertx vertx) throws Exception {
    Path bad = write("bad.json", "{ \"clusters\": [ }");
    assertEquals(bad + ": not valid JSON: Unexpected close marker '}': expected ']' (for Array starting at line 1, "
        + "column 15) at line 1, column 17", problem(vertx, bad.toString()));
    Path trailing = write("trailing.json", "{\"a\": 1,\n \"b\": tru }");
    String p = problem(vertx, trailing.toString());
    assertTrue(p.startsWith(trailing + ": not valid JSON: Unrecognized token 'tru'"), p);
    assertTrue(p.endsWith(" at line 2, column 11"), p);
    assertEquals(dir.resolve("empty.json") + ": not valid JSON: the document is empty",
        problem(vertx, write("empty.json", "").toString()));
  }

  @Test
  void badYamlSaysWhereInOneLine(Vertx vertx) throws Exception {
    Path bad = write("bad.yaml", "clusters:\n  - alias: A\n    bootstrapServers: a: b\n");
    assertEquals(bad + ": not valid YAML: mapping values are not allowed here at line 3, column 24",
        problem(vertx, bad.toString()));
    Path tab = write("tab.yml", "clusters:\n\t- alias: A\n");
    String p = problem(vertx, tab.toString());
    assertEquals(tab + ": not valid YAML: tab character at line 2, column 1 (YAML indents with spaces only)", p);
    Path block = write("block.yaml", "clusters:\n  - alias: A\n   bad: [\n");
    p = problem(vertx, block.toString());
    assertTrue(p.startsWith(block + ": not valid YAML: while parsing a block collection; expected <block end>"), p);
    assertTrue(p.endsWith(" at line 3, column 4"), p);
  }

  @Test
  void truncatedJsonSaysWhereItEnds(Vertx vertx) throws Exception {
    String[][] cases = {
        {"{\"a\": 1", "unexpected end of input at line 1, column 8 (the object opened at line 1, column 1 is not closed)"},
        {"{\"a\": [1,", "unexpected end of input at line 1, column 10 (inside an array)"},
        {"{\"a\": 1,", "unexpected end of input at line 1, column 9 (inside an object)"},
        {"{\"a\": \"x", "unexpected end of input at line 1, column 9 (inside a string: its closing quote is missing)"},
        {"{\"a\":\n  [1, 2", "unexpected end of input at line 2, column 8 (the array opened at line 2, column 3 is not "
            + "closed)"}};
    for (String[] c : cases) {
      Path file = write("t.json", c[0]);
      assertEquals(file + ": not valid JSON: " + c[1], problem(vertx, file.toString()), c[0]);
      assertEquals(ConfigSource.INLINE + ": not valid JSON: " + c[1], problem(vertx, c[0]), c[0]);
    }
  }

  @Test
  void binaryAndNonUtf8FilesSaySo(Vertx vertx) throws Exception {
    byte[] binary = {'{', 0, 1, 2, (byte) 0xFF};
    for (String name : new String[] {"b.json", "b.yaml", "b.properties"}) {
      Path file = Files.write(dir.resolve(name), binary);
      assertEquals(file + ": not a text file (control byte 0x00 at offset 1)", problem(vertx, file.toString()));
    }
    Path latin = Files.write(dir.resolve("latin.yaml"),
        "clusters:\n  - alias: A\n    bootstrapServers: h\u00f4te:9092\n".getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(latin + ": not UTF-8 text (byte 0xF4 at offset 46, line 3, is not valid UTF-8; save the file as "
        + "UTF-8)", problem(vertx, latin.toString())); // SnakeYAML alone would read it with replacement characters
    Path utf8 = Files.writeString(dir.resolve("utf8.json"), "{\"note\": \"h\u00f4te \u20ac \uD83D\uDE00\"}");
    assertEquals("h\u00f4te \u20ac \uD83D\uDE00", load(vertx, utf8.toString()).getString("note"));
    // MM2 reads properties as ISO-8859-1 (java.util.Properties), and so do we: not refused
    Path props = Files.write(dir.resolve("latin.properties"), (MM2_PROPERTIES + "A->B.note = caf\u00e9\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(2, ConfigParser.parse(load(vertx, props.toString())).flows().size());
  }

  @Test
  void textCheck() {
    assertNull(TextFormats.notText("a\tb\r\nc \u00e9".getBytes(StandardCharsets.UTF_8), true));
    assertNull(TextFormats.notText(new byte[0], true));
    assertEquals("not a text file (control byte 0x07 at offset 2)", TextFormats.notText(new byte[] {'a', 'b', 7}, false));
    assertNull(TextFormats.notText(new byte[] {'a', (byte) 0xE9}, false));
    assertEquals("not UTF-8 text (byte 0xE9 at offset 3, line 2, is not valid UTF-8; save the file as UTF-8)",
        TextFormats.notText(new byte[] {'a', '\n', 'b', (byte) 0xE9, 'c'}, true));
    byte[] big = new byte[10_000]; // longer than the decoder's buffer
    java.util.Arrays.fill(big, (byte) 'x');
    big[9_000] = (byte) 0xC3; // a lead byte without its continuation
    assertEquals("not UTF-8 text (byte 0xC3 at offset 9000, line 1, is not valid UTF-8; save the file as UTF-8)",
        TextFormats.notText(big, true));
  }

  @Test
  void unclosedYamlBracketSaysWhere(Vertx vertx) throws Exception {
    Path file = write("unclosed.yaml", "clusters: [a, b\nmirrors: x\n");
    assertEquals(file + ": not valid YAML: while parsing a flow sequence; expected ',' or ']', but got : at line 2, "
        + "column 8", problem(vertx, file.toString()));
  }

  @Test
  void topLevelMustBeAMapping(Vertx vertx) throws Exception {
    for (String[] c : new String[][] {{"list.yaml", "- a\n- b\n"}, {"scalar.yaml", "hello\n"},
        {"comments.yaml", "# nothing here\n"}, {"array.json", "[1, 2]"}, {"string.json", "\"hello\""},
        {"number.json", "42"}, {"null.json", "null"}}) {
      Path file = write(c[0], c[1]);
      assertEquals(file + ": expected a mapping at the top level", problem(vertx, file.toString()), c[0]);
    }
  }

  @Test
  void jsonReasonStripsJacksonSourceText() {
    assertEquals("Unexpected character ('x') at line 3, column 7", ConfigSource.jsonReason(
        "Failed to decode:Unexpected character ('x')\n at [Source: REDACTED (`StreamReadFeature."
            + "INCLUDE_SOURCE_IN_LOCATION` disabled); line: 3, column: 7]"));
    assertEquals("the document is empty", ConfigSource.jsonReason(
        "Failed to decode:No content to map due to end-of-input\n at [Source: REDACTED (`StreamReadFeature."
            + "INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1]"));
    assertEquals("plain", ConfigSource.jsonReason("plain"));
  }

  @Test
  void theSameRetrieverDefinitionServesLoadAndWatch() {
    JsonObject store = ConfigSource.retrieverOptions("x/mm2.YML").getStores().get(0).toJson();
    assertEquals("file", store.getString("type"));
    assertEquals(TextFormats.YAML, store.getString("format")); // vertx-config's yaml behind the text check
    assertEquals("x/mm2.YML", store.getJsonObject("config").getString(TextFormats.NAME));
    assertTrue(Path.of(store.getJsonObject("config").getString("path")).isAbsolute());
    assertEquals(TextFormats.JSON, ConfigSource.retrieverOptions("mm2.conf").getStores().get(0).getFormat());
    assertFalse(ConfigSource.retrieverOptions("mm2.json").isIncludeDefaultStores());
  }

  static final String MM2_PROPERTIES = """
      # MM2 dedicated mode
      clusters = A, B
      A.bootstrap.servers = 127.0.0.1:19092
      B.bootstrap.servers = 127.0.0.1:29092
      A->B.enabled = true
      A->B.topics = orders
      B->A.enabled = true
      replication.factor = 1
      tasks.max = 2
      sync.topic.acls.enabled = false
      """;

  @Test
  void mm2PropertiesFileIsTranslated(Vertx vertx) throws Exception {
    Path file = write("connect-mirror-maker.properties", MM2_PROPERTIES);
    assertEquals(TextFormats.PROPERTIES, ConfigSource.retrieverOptions(file.toString()).getStores().get(0).getFormat());
    JsonObject doc = load(vertx, file.toString());
    MirrorMakerConfig config = ConfigParser.parse(doc);
    assertEquals(List.of("A->B", "B->A"), config.flows().stream().map(f -> f.name()).toList());
    FlowSpec ab = config.flows().get(0);
    assertEquals(2, ab.sourceConnector().tasksMax());
    assertEquals(1, ab.sourceConnector().config().getInt("replication.factor"));
    assertEquals("orders", ab.sourceConnector().config().getString("topics"));
    assertEquals(false, ab.sourceConnector().config().getBoolean("sync.topic.acls.enabled"));

    JsonObject onlyA = ConfigSource.load(vertx, file.toString(), java.util.Set.of("A")).await(10, TimeUnit.SECONDS);
    assertEquals(List.of("B->A"), ConfigParser.parse(onlyA).flows().stream().map(f -> f.name()).toList());
  }

  @Test
  void mm2PropertiesProblemsNameTheFileAndTheKey(Vertx vertx) throws Exception {
    Path file = write("mm2.properties", "clusters = A, B\nA->B.enabled = true\nA.bootstrap.servers = a:1\n");
    assertEquals(file + ": B.bootstrap.servers: required (or a top-level bootstrap.servers)",
        problem(vertx, file.toString()));
    assertEquals(dir.resolve("none.properties") + ": file not found",
        problem(vertx, dir.resolve("none.properties").toString()));
  }
}
