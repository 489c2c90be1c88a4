package io.vmm.checkpoint;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.connect.mirror.Checkpoint;

import java.nio.ByteBuffer;

/**
 * MM2's Checkpoint record bytes (mm2-compatibility.md §2), built with MM2's public schemas from
 * connect-mirror-client, so {@code RemoteClusterUtils.translateOffsets} reads them unchanged. Key: {@code group}
 * STRING, {@code topic} STRING (the <em>downstream</em> topic, e.g. {@code A.t1}), {@code partition} INT32. Value:
 * header {@code version} INT16 = 0, then {@code upstreamOffset} INT64, {@code offset} INT64 (downstream),
 * {@code metadata} STRING (never null). Stateless.
 */
public final class CheckpointCodec {

  private CheckpointCodec() {
  }

  public static byte[] key(String group, TopicPartition downstream) {
    return bytes(new Struct(Checkpoint.KEY_SCHEMA)
        .set(Checkpoint.CONSUMER_GROUP_ID_KEY, group)
        .set(Checkpoint.TOPIC_KEY, downstream.topic())
        .set(Checkpoint.PARTITION_KEY, downstream.partition()), null);
  }

  public static byte[] value(long upstreamOffset, long downstreamOffset, String metadata) {
    Struct header = new Struct(Checkpoint.HEADER_SCHEMA).set(Checkpoint.VERSION_KEY, Checkpoint.VERSION);
    Struct value = new Struct(Checkpoint.VALUE_SCHEMA_V0)
        .set(Checkpoint.UPSTREAM_OFFSET_KEY, upstreamOffset)
        .set(Checkpoint.DOWNSTREAM_OFFSET_KEY, downstreamOffset)
        .set(Checkpoint.METADATA_KEY, metadata == null ? "" : metadata);
    return bytes(header, value);
  }

  private static byte[] bytes(Struct first, Struct second) {
    ByteBuffer buffer = ByteBuffer.allocate(first.sizeOf() + (second == null ? 0 : second.sizeOf()));
    first.writeTo(buffer);
    if (second != null) {
      second.writeTo(buffer);
    }
    return buffer.array();
  }
}
