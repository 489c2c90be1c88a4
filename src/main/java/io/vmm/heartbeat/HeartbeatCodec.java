package io.vmm.heartbeat;

import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.connect.mirror.Heartbeat;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * MM2's Heartbeat record bytes (mm2-compatibility.md §2), built with MM2's own public schemas from
 * connect-mirror-client, so {@link Heartbeat#deserializeRecord} and RemoteClusterUtils read them unchanged.
 * Key: {@code sourceClusterAlias} STRING, {@code targetClusterAlias} STRING. Value: header {@code version}
 * INT16 = 0, then {@code timestamp} INT64 (epoch ms). Stateless.
 */
public final class HeartbeatCodec {

  private HeartbeatCodec() {
  }

  public static byte[] key(String sourceAlias, String targetAlias) {
    Struct key = new Struct(Heartbeat.KEY_SCHEMA)
        .set(Heartbeat.SOURCE_CLUSTER_ALIAS_KEY, sourceAlias)
        .set(Heartbeat.TARGET_CLUSTER_ALIAS_KEY, targetAlias);
    return toBytes(key, null);
  }

  /** @param timestampMs epoch milliseconds, also used as the record timestamp */
  public static byte[] value(long timestampMs) {
    Struct header = new Struct(Heartbeat.HEADER_SCHEMA).set(Heartbeat.VERSION_KEY, Heartbeat.VERSION);
    Struct value = new Struct(Heartbeat.VALUE_SCHEMA_V0).set(Heartbeat.TIMESTAMP_KEY, timestampMs);
    return toBytes(header, value);
  }

  /**
   * The newest heartbeat timestamp (epoch ms, the value's {@code timestamp}) among {@code records} of a heartbeats
   * topic, decoded with MM2's {@link Heartbeat#deserializeRecord}; records that do not decode (tombstones, other
   * bytes) are skipped, as MM2's MirrorClient skips them.
   *
   * @return the newest timestamp, or -1 when no record decodes
   */
  public static long newestTimestamp(List<? extends ConsumerRecord<byte[], byte[]>> records) {
    long newest = -1;
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      if (r.key() == null || r.value() == null) {
        continue;
      }
      try {
        newest = Math.max(newest, Heartbeat.deserializeRecord(r).timestamp());
      } catch (RuntimeException e) {
        // not a heartbeat in MM2's format: ignored
      }
    }
    return newest;
  }

  private static byte[] toBytes(Struct first, Struct second) {
    ByteBuffer buffer = ByteBuffer.allocate(first.sizeOf() + (second == null ? 0 : second.sizeOf()));
    first.writeTo(buffer);
    if (second != null) {
      second.writeTo(buffer);
    }
    return buffer.array();
  }
}
