package io.vmm.sync;

import io.vmm.bus.OffsetSync;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.Type;

import java.nio.ByteBuffer;

/**
 * MM2's OffsetSync record bytes (mm2-compatibility.md §2; MM2's {@code OffsetSync} class is in connect-mirror,
 * not the client jar, so the schemas are declared here with the same fields): key {@code topic} STRING,
 * {@code partition} INT32 (the <em>upstream</em> topic-partition); value {@code upstreamOffset} INT64,
 * {@code offset} INT64 (downstream). No version header. Stateless.
 */
public final class OffsetSyncCodec {

  static final Schema KEY_SCHEMA = new Schema(new Field("topic", Type.STRING), new Field("partition", Type.INT32));
  static final Schema VALUE_SCHEMA = new Schema(new Field("upstreamOffset", Type.INT64),
      new Field("offset", Type.INT64));

  private OffsetSyncCodec() {
  }

  public static byte[] key(TopicPartition upstream) {
    return bytes(new Struct(KEY_SCHEMA).set("topic", upstream.topic()).set("partition", upstream.partition()));
  }

  public static byte[] value(long upstreamOffset, long downstreamOffset) {
    return bytes(new Struct(VALUE_SCHEMA).set("upstreamOffset", upstreamOffset).set("offset", downstreamOffset));
  }

  /** Decodes a record into {topic, partition, upstream, downstream}; for tests and tools. */
  public static OffsetSync decode(byte[] key, byte[] value) {
    Struct k = KEY_SCHEMA.read(ByteBuffer.wrap(key));
    Struct v = VALUE_SCHEMA.read(ByteBuffer.wrap(value));
    return new OffsetSync(new TopicPartition(k.getString("topic"), k.getInt("partition")),
        v.getLong("upstreamOffset"), v.getLong("offset"));
  }

  private static byte[] bytes(Struct s) {
    ByteBuffer buffer = ByteBuffer.allocate(s.sizeOf());
    s.writeTo(buffer);
    return buffer.array();
  }
}
