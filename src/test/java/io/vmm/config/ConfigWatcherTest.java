package io.vmm.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reload watching: changes are delivered (unwrapped), an unchanged file gives nothing, read problems go to onError. */
@ExtendWith(VertxExtension.class)
class ConfigWatcherTest {

  private static final long SCAN_MS = 100;
  /** Several scans: long enough for a wrongly reported change to show up. */
  private static final long QUIET_MS = 8 * SCAN_MS;

  @TempDir
  Path dir;

  private final BlockingQueue<JsonObject> changes = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> errors = new LinkedBlockingQueue<>();
  private ConfigWatcher watcher;

  @AfterEach
  void close() throws Exception {
    if (watcher != null) {
      watcher.close().await(5, TimeUnit.SECONDS);
    }
  }

  private ConfigWatcher watch(Vertx vertx, Path file, JsonObject loaded) {
    watcher = loaded == null
        ? ConfigWatcher.watch(vertx, file.toString(), SCAN_MS, changes::add, errors::add)
        : ConfigWatcher.watch(vertx, file.toString(), SCAN_MS, loaded, changes::add, errors::add);
    return watcher;
  }

  private static JsonObject doc(int tasks) {
    JsonObject doc = ConfigParserTest.valid();
    ConfigParserTest.mirror0(doc).getJsonObject("sourceConnector").put("tasksMax", tasks);
    return doc;
  }

  @Test
  void unchangedFileGivesNothing(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.json"), doc(4).encodePrettily());
    JsonObject loaded = ConfigSource.load(vertx, file.toString()).await(10, TimeUnit.SECONDS);
    watch(vertx, file, loaded);
    assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS), "no change reported for an unchanged file");
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void unchangedStrimziYamlGivesNothingWithoutTheLoadedDocument(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.yaml"), ConfigSourceTest.STRIMZI_YAML);
    watch(vertx, file, null);
    assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS), "the first read is the reference, not a change");
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void changeIsDeliveredOnceUnwrapped(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.yaml"), ConfigSourceTest.STRIMZI_YAML);
    JsonObject loaded = ConfigSource.load(vertx, file.toString()).await(10, TimeUnit.SECONDS);
    watch(vertx, file, loaded);
    Files.writeString(file, ConfigSourceTest.STRIMZI_YAML.replace("tasksMax: 2", "tasksMax: 3"));
    JsonObject changed = changes.poll(10, TimeUnit.SECONDS);
    assertNotNull(changed, "change delivered");
    assertFalse(changed.containsKey("kind"), "unwrapped: " + changed);
    assertEquals(3, ConfigParser.parse(changed).flows().get(0).sourceConnector().tasksMax());
    assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS), "delivered once");
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void propertiesFileIsReadWithTheClustersLimitItStartedWith(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("connect-mirror-maker.properties"), ConfigSourceTest.MM2_PROPERTIES);
    java.util.Set<String> onlyB = java.util.Set.of("B");
    JsonObject loaded = ConfigSource.load(vertx, file.toString(), onlyB).await(10, TimeUnit.SECONDS);
    watcher = ConfigWatcher.watch(vertx, file.toString(), onlyB, SCAN_MS, loaded, changes::add, errors::add);
    assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS), "the limited document is the reference");
    Files.writeString(file, ConfigSourceTest.MM2_PROPERTIES.replace("tasks.max = 2", "tasks.max = 3"));
    JsonObject changed = changes.poll(10, TimeUnit.SECONDS);
    assertNotNull(changed, "change delivered");
    MirrorMakerConfig config = ConfigParser.parse(changed);
    assertEquals(java.util.List.of("A->B"), config.flows().stream().map(f -> f.name()).toList(),
        "--clusters B still applies on reload");
    assertEquals(3, config.flows().get(0).sourceConnector().tasksMax());
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void changeAfterTheReferenceReadIsDelivered(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.json"), doc(4).encode());
    watch(vertx, file, null);
    Thread.sleep(10 * SCAN_MS); // the reference read (at once) is done
    Files.writeString(file, doc(5).encode());
    assertEquals(doc(5), changes.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void invalidEditGoesToOnErrorOnceThenAFixIsDelivered(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.json"), doc(4).encode());
    watch(vertx, file, doc(4));
    Files.writeString(file, "{ \"clusters\": [ }");
    String error = errors.poll(10, TimeUnit.SECONDS);
    assertNotNull(error, "error reported");
    assertTrue(error.startsWith(file + ": not valid JSON: "), error);
    assertFalse(error.contains("Source: REDACTED"), error);
    assertNull(errors.poll(QUIET_MS, TimeUnit.MILLISECONDS), "the same problem is reported once");
    Files.writeString(file, doc(6).encode());
    assertEquals(doc(6), changes.poll(10, TimeUnit.SECONDS));
    Files.delete(file);
    assertEquals(file + ": file not found", errors.poll(10, TimeUnit.SECONDS));
    assertTrue(changes.isEmpty(), changes.toString());
  }

  @Test
  void fixBackToTheRunningDocumentIsNoChange(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.yaml"), "clusters: []\n");
    JsonObject loaded = ConfigSource.load(vertx, file.toString()).await(10, TimeUnit.SECONDS);
    watch(vertx, file, loaded);
    Files.writeString(file, "- a\n");
    assertEquals(file + ": expected a mapping at the top level", errors.poll(10, TimeUnit.SECONDS));
    Files.writeString(file, "clusters: []\n");
    assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS));
    Files.writeString(file, "- a\n");
    assertEquals(file + ": expected a mapping at the top level", errors.poll(10, TimeUnit.SECONDS),
        "a problem that comes back after a good read is reported again");
  }

  @Test
  void nothingIsDeliveredAfterClose(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("mm2.json"), doc(4).encode());
    watch(vertx, file, doc(4)).close().await(5, TimeUnit.SECONDS);
    Files.writeString(file, doc(5).encode());
    assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS));
    Files.writeString(file, "nope");
    assertNull(errors.poll(QUIET_MS, TimeUnit.MILLISECONDS));
  }

  @Test
  void mm2PropertiesEditIsDeliveredTranslated(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("connect-mirror-maker.properties"), ConfigSourceTest.MM2_PROPERTIES);
    JsonObject loaded = ConfigSource.load(vertx, file.toString()).await(10, TimeUnit.SECONDS);
    watch(vertx, file, loaded);
    assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS), "no change reported for an unchanged file");
    Files.writeString(file, ConfigSourceTest.MM2_PROPERTIES.replace("tasks.max = 2", "tasks.max = 3"));
    JsonObject changed = changes.poll(10, TimeUnit.SECONDS);
    assertNotNull(changed, "change delivered");
    assertEquals(3, ConfigParser.parse(changed).flows().get(0).sourceConnector().tasksMax());
    Files.writeString(file, "clusters = A, B\n");
    String error = errors.poll(10, TimeUnit.SECONDS);
    assertEquals(file + ": no flow is enabled: set e.g. A->B.enabled = true", error);
  }
}
