package io.vmm.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Mm1CommandLineTest {

  @TempDir
  Path dir;

  private String write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p.toString();
  }

  @Test
  void commandLineGivesTheSameSpecAsTheResource() throws Exception {
    String consumer = write("consumer.properties", "bootstrap.servers=src:9092\ngroup.id=my-group\n"
        + "max.poll.records=500\n");
    String producer = write("producer.properties", "bootstrap.servers=dst:9092\ncompression.type=lz4\n");
    String[] args = {"--consumer.config", consumer, "--producer.config=" + producer, "--num.streams", "3",
        "--whitelist", "a, b,*", "--offset.commit.interval.ms", "120000", "--abort.on.send.failure", "false"};
    assertTrue(Mm1CommandLine.matches(args));
    JsonObject fromCli = Mm1CommandLine.toSpec(args);
    JsonObject fromResource = ConfigSource.unwrap(Mm1SpecTest.resource());
    fromResource.remove("logging");
    // properties are strings: the documents differ only there
    fromResource.getJsonArray("clusters").getJsonObject(0).getJsonObject("config").put("max.poll.records", "500");
    assertEquals(fromResource, fromCli);
    FlowSpec flow = ConfigParser.parse(fromCli).flows().get(0);
    assertEquals(new LegacySpec("my-group", 120_000, false), flow.legacy());
    assertEquals(3, flow.sourceConnector().tasksMax());
    assertEquals("500", flow.source().config().get("max.poll.records"));
    assertFalse(flow.source().config().containsKey("group.id"));
  }

  @Test
  void defaultsAsMm1() throws Exception {
    String consumer = write("c.properties", "bootstrap.servers=src:9092\ngroup.id=g\n");
    String producer = write("p.properties", "bootstrap.servers=dst:9092\n");
    FlowSpec flow = ConfigParser.parse(Mm1CommandLine.toSpec(new String[] {"--consumer.config", consumer,
        "--producer.config", producer, "--include", ".*"})).flows().get(0);
    assertEquals(new LegacySpec("g", 60_000, true), flow.legacy());
    assertEquals(1, flow.sourceConnector().tasksMax());
  }

  @Test
  void problemsAreReportedTogether() throws Exception {
    String consumer = write("c.properties", "bootstrap.servers=src:9092\n");
    var problems = assertThrows(ConfigException.class, () -> Mm1CommandLine.toSpec(new String[] {
        "--consumer.config", consumer, "--producer.config", dir.resolve("nope").toString(), "--num.streams", "x",
        "--message.handler", "h", "--abort.on.send.failure", "maybe"})).problems();
    assertTrue(problems.stream().anyMatch(p -> p.contains("group.id is missing")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("file not found")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("--num.streams")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("--message.handler")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("--include")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("--abort.on.send.failure")), problems.toString());
    assertFalse(Mm1CommandLine.matches(new String[] {"-conf", "x.json"}));
  }
}
