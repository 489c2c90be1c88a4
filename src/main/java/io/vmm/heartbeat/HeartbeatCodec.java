package io.vmm.heartbeat;

import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.connect.mirror.Heartbeat;

import java.nio.ByteBuffer;

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

  private static byte[] toBytes(Struct first, Struct second) {
    ByteBuffer buffer = ByteBuffer.allocate(first.sizeOf() + (second == null ? 0 : second.sizeOf()));
    first.writeTo(buffer);
    if (second != null) {
      second.writeTo(buffer);
    }
    return buffer.array();
  }
}
