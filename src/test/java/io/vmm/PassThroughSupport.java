package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.EmbeddedKafkaCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.vmm.MirrorTestSupport.ofPartition;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Helpers of {@link PassThroughIT}: the data path under test, record-for-record comparison of a source and a
 * remote topic, the pass-through counter scraped from a mirror's Prometheus endpoint, read_committed reads and
 * topic configs.
 * <p>
 * The data path comes from the system property {@code vmm.it.dataPath} ({@code batch}, the default, or
 * {@code record}); surefire hands {@code -Dvmm.it.dataPath=record} on Maven's command line to the forked test JVM.
 */
final class PassThroughSupport {

  /** The source connector key that chooses a flow's data path (issue 17 item 3). */
  static final String DATA_PATH_KEY = "vmm.data.path";
  /** The data path the tests run with: {@code batch} or {@code record}. */
  static final String DATA_PATH = System.getProperty("vmm.it.dataPath", "batch");
  /** The Prometheus counter of batches written by pass-through (summed over its labels). */
  static final String PASSTHROUGH_COUNTER = "vmm_passthrough_batches_total";

  private PassThroughSupport() {
  }

  /** True when the tests run with the batch pass-through path (the implementation is in place). */
  static boolean batchMode() {
    return "batch".equals(DATA_PATH);
  }

  /** Sets {@code vmm.data.path} = {@code path} in {@code mirror}'s source connector config. */
  static JsonObject withDataPath(JsonObject mirror, String path) {
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put(DATA_PATH_KEY, path);
    return mirror;
  }

  /** {@link #flow(String, int, String)} with the data path under test. */
  static JsonObject flow(String topicsPattern, int tasksMax) {
    return flow(topicsPattern, tasksMax, DATA_PATH);
  }

  /**
   * {@link MirrorTestSupport#mirror} A->B with data path {@code path} (see {@link #withDataPath}) and without
   * heartbeats replication: the source's {@code heartbeats} topic would otherwise be mirrored too, and its batches
   * would count in {@link #passedThrough}.
   */
  static JsonObject flow(String topicsPattern, int tasksMax, String path) {
    JsonObject mirror = MirrorTestSupport.mirror("A", "B", topicsPattern, tasksMax);
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("heartbeats.replication.enabled", false);
    return withDataPath(mirror, path);
  }

  /** Batches the mirror wrote by pass-through ({@link MirrorTestSupport#passedThrough}). */
  static long passedThrough(RunningMirror m) {
    return MirrorTestSupport.passedThrough(m);
  }


  /**
   * Asserts that {@code target} holds exactly the records of {@code source}, partition by partition, in offset
   * order: keys and values (null and empty told apart), headers in order (null values too), timestamps and their
   * type. Both lists ordered by partition, then offset.
   */
  static void assertSameRecords(List<ConsumerRecord<byte[], byte[]>> source,
                                List<ConsumerRecord<byte[], byte[]>> target, int partitions, String what) {
    assertEquals(source.size(), target.size(), what + ": record count");
    for (int p = 0; p < partitions; p++) {
      List<ConsumerRecord<byte[], byte[]>> s = ofPartition(source, p);
      List<ConsumerRecord<byte[], byte[]>> t = ofPartition(target, p);
      assertEquals(s.size(), t.size(), what + ": records in partition " + p);
      for (int i = 0; i < s.size(); i++) {
        ConsumerRecord<byte[], byte[]> a = s.get(i);
        ConsumerRecord<byte[], byte[]> b = t.get(i);
        String at = what + " partition " + p + " #" + i + " (upstream offset " + a.offset() + ")";
        assertArrayEquals(a.key(), b.key(), "key at " + at);
        assertArrayEquals(a.value(), b.value(), "value at " + at);
        assertEquals(a.timestamp(), b.timestamp(), "timestamp at " + at);
        assertEquals(a.timestampType(), b.timestampType(), "timestamp type at " + at);
        assertEquals(headers(a), headers(b), "headers at " + at);
      }
      for (int i = 1; i < t.size(); i++) {
        assertEquals(true, t.get(i).offset() > t.get(i - 1).offset(), what + ": target offsets grow, partition " + p);
      }
    }
  }

  /** The headers of {@code r} in order as {@code key=value} ({@code key=<null>} for a null value). */
  static List<String> headers(ConsumerRecord<byte[], byte[]> r) {
    List<String> out = new ArrayList<>();
    for (Header h : r.headers()) {
      out.add(h.key() + "=" + (h.value() == null ? "<null>" : new String(h.value(), StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** Every record of {@code topic} a read_committed reader sees now (up to the LSO), by partition, offset. */
  static List<ConsumerRecord<byte[], byte[]>> readCommitted(EmbeddedKafkaCluster cluster, String topic) {
    return ExactlyOnceIT.readCommitted(cluster, topic);
  }


  /** The value of topic config {@code key} of {@code topic} on {@code cluster}. */
  static String topicConfig(EmbeddedKafkaCluster cluster, String topic, String key) {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      return cluster.admin().describeConfigs(List.of(r)).all().get(10, TimeUnit.SECONDS).get(r).get(key).value();
    } catch (Exception e) {
      throw new AssertionError("describing " + topic + " on " + cluster.name(), e);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String str(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }
}
