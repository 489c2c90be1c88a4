package io.vmm;

import io.vertx.core.Vertx;
import io.vmm.supervisor.Supervisor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.config.ConfigParser;
import io.vmm.testkit.Await;
import io.vmm.testkit.EmbeddedKafkaCluster;
import io.vmm.testkit.TwoClusters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Config builders and a running in-JVM mirror for integration tests. */
final class MirrorTestSupport {

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private MirrorTestSupport() {
  }

  static JsonObject config(TwoClusters clusters, JsonObject... mirrors) {
    return config(clusters.a().bootstrapServers(), clusters.b().bootstrapServers(), mirrors);
  }

  /** Clusters A and B at the given bootstrap servers (e.g. child-process brokers), free HTTP and metrics ports. */
  static JsonObject config(String a, String b, JsonObject... mirrors) {
    return new JsonObject()
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("alias", "A").put("bootstrapServers", a))
            .add(new JsonObject().put("alias", "B").put("bootstrapServers", b)))
        .put("mirrors", new JsonArray(List.of((Object[]) mirrors)))
        .put("http", new JsonObject().put("port", 0)) // free ports: mirrors may overlap with other processes
        .put("metrics", new JsonObject().put("port", 0));
  }

  /** A mirror with every replication factor 1, fast progress flushes, and the given topics pattern. */
  static JsonObject mirror(String source, String target, String topicsPattern, int tasksMax) {
    return new JsonObject().put("sourceCluster", source).put("targetCluster", target)
        .put("topicsPattern", topicsPattern)
        .put("sourceConnector", new JsonObject().put("tasksMax", tasksMax).put("config", new JsonObject()
            .put("replication.factor", 1).put("offset.flush.interval.ms", 500)
            .put("offset-syncs.topic.replication.factor", 1)))
        .put("checkpointConnector", new JsonObject().put("config", new JsonObject()
            .put("checkpoints.topic.replication.factor", 1)))
        .put("heartbeatConnector", new JsonObject().put("config", new JsonObject()
            .put("heartbeats.topic.replication.factor", 1)));
  }

  /** A started mirror on its own Vert.x; close() stops it as SIGTERM would. */
  static final class RunningMirror implements AutoCloseable {
    final Vertx vertx;
    final Supervisor supervisor;

    RunningMirror(JsonObject config) {
      this(config, io.vmm.config.Environment.system());
    }

    /** A mirror whose config is parsed with {@code env} (e.g. {@code VMM_SECRETS_DIR} of a test's secrets). */
    RunningMirror(JsonObject config, io.vmm.config.Environment env) {
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = io.vmm.metrics.MetricsSetup.newRegistry();
      vertx = io.vmm.metrics.MetricsSetup.newVertx(registry);
      io.vmm.config.MirrorMakerConfig parsed = ConfigParser.parse(config, env);
      supervisor = new Supervisor(vertx, parsed, config, registry, io.vmm.tracing.Tracing.start(parsed.tracing()), env);
      await(supervisor.start(), 120);
    }

    JsonObject status() {
      return await(supervisor.status(), 10);
    }

    /** The first flow's status. */
    JsonObject flow() {
      return status().getJsonArray("flows").getJsonObject(0);
    }

    @Override
    public void close() {
      try {
        await(supervisor.stop(), 12);
      } finally {
        await(vertx.close(), 5);
      }
    }
  }

  /** Awaits a future from a test thread, failing the test after {@code seconds}. */
  static <T> T await(io.vertx.core.Future<T> future, long seconds) {
    try {
      return future.await(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within " + seconds + " s", e);
    }
  }

  /** The source tasks of a flow status. */
  static JsonArray tasks(JsonObject flowStatus) {
    return flowStatus.getJsonObject("connectors").getJsonObject("source").getJsonArray("tasks");
  }

  /** The partitions of a task status as {@code topic-partition} names. */
  static List<String> partitionNames(JsonObject task) {
    List<String> out = new ArrayList<>();
    task.getJsonArray("partitions").forEach(p -> out.add(((JsonObject) p).getString("topic") + "-"
        + ((JsonObject) p).getInteger("partition")));
    return out;
  }

  /** Batches passed through unchanged so far ({@code vmm_passthrough_batches_total}, summed over tasks). */
  static long passedThrough(RunningMirror m) {
    return (long) OperationsIT.values(OperationsIT.scrape(m), "vmm_passthrough_batches_total").values().stream()
        .mapToDouble(Double::doubleValue).sum();
  }

  static RunningMirror startMirror(JsonObject config) {
    return new RunningMirror(config);
  }

  /** {@link #startMirror(JsonObject)} with the config parsed with {@code env} (secrets directory and the like). */
  static RunningMirror startMirror(JsonObject config, io.vmm.config.Environment env) {
    return new RunningMirror(config, env);
  }

  static long count(EmbeddedKafkaCluster cluster, String topic) {
    try {
      return cluster.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
    } catch (RuntimeException | AssertionError e) {
      return -1;
    }
  }

  static boolean topicExists(EmbeddedKafkaCluster cluster, String topic) {
    try {
      return cluster.admin().listTopics().names().get(10, TimeUnit.SECONDS).contains(topic);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until {@code topic} holds at least {@code n} records, then reads them all (by partition, offset). */
  static List<ConsumerRecord<byte[], byte[]>> awaitRecords(EmbeddedKafkaCluster cluster, String topic, long n) {
    Await.until(n + " records in " + topic + " on " + cluster.name(), TIMEOUT, () -> count(cluster, topic) >= n);
    return cluster.readAll(topic, (int) n, TIMEOUT);
  }

  static List<ConsumerRecord<byte[], byte[]>> ofPartition(List<ConsumerRecord<byte[], byte[]>> records, int p) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.partition() == p) {
        out.add(r);
      }
    }
    return out;
  }

  /** Stored progress of flows from A on B: source partition to last written upstream offset. */
  static Map<TopicPartition, Long> storedProgress(EmbeddedKafkaCluster target, String sourceAlias) {
    Map<String, Object> consumer = Map.of("bootstrap.servers", target.bootstrapServers(),
        "key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer",
        "value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    return io.vmm.progress.ProgressReader.load(consumer, "mm2-offsets." + sourceAlias + ".internal", sourceAlias,
        Duration.ofSeconds(20));
  }
}
