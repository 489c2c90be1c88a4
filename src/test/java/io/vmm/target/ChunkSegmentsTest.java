package io.vmm.target;

import io.vmm.wire.BatchEncoder;
import io.vmm.wire.BatchHeader;
import io.vmm.wire.RawBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkSegmentsTest {

  private static final TopicPartition TP = new TopicPartition("t", 0);

  private static ConsumerRecord<byte[], byte[]> record(long offset) {
    return new ConsumerRecord<>("t", 0, offset, ("k" + offset).getBytes(StandardCharsets.UTF_8),
        ("v" + offset).getBytes(StandardCharsets.UTF_8));
  }

  /** A fetched-like batch of records {@code base}..{@code base + count - 1} (base offset written into its bytes). */
  private static RawBatch batch(long base, int count) {
    List<ConsumerRecord<byte[], byte[]>> rs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rs.add(record(base + i));
    }
    RawBatch built = BatchEncoder.encode(rs, CompressionType.NONE, 1 << 20, 1 << 20).get(0).batch();
    built.bytes().putLong(BatchHeader.BASE_OFFSET, base);
    return new RawBatch(built.header(), built.bytes(), base, base + count - 1);
  }

  @Test
  void upstreamMergesRecordsAndBatchesByOffset() {
    long[] up = ChunkSegments.upstream(List.of(record(40), record(41)), List.of(batch(0, 40), batch(42, 40)));
    assertEquals(82, up.length);
    for (int i = 0; i < up.length; i++) {
      assertEquals(i, up[i]);
    }
  }

  @Test
  void walkAlternatesKindsWithAnswerIndexes() {
    List<String> seen = new ArrayList<>();
    ChunkSegments.walk(new ChunkSegments.Split(List.of(record(40), record(41), record(90)),
        List.of(batch(0, 40), batch(42, 40), batch(82, 8))), new ChunkSegments.Sink() {
          @Override
          public void records(List<ConsumerRecord<byte[], byte[]>> segment, int first) {
            seen.add("records " + segment.size() + " at " + first);
          }

          @Override
          public void batches(List<RawBatch> segment, int first) {
            seen.add("batches " + segment.size() + " at " + first);
          }
        });
    assertEquals(List.of("batches 1 at 0", "records 2 at 40", "batches 2 at 42", "records 1 at 90"), seen);
  }

  @Test
  void fullBatchesWithinTheLimitPassUnchanged() {
    List<RawBatch> bs = List.of(batch(0, 40), batch(40, 40));
    ChunkSegments.Split split = ChunkSegments.split(TP, List.of(), bs, 1 << 20, b -> true);
    assertSame(bs, split.batches());
    assertTrue(split.records().isEmpty());
  }

  @Test
  void smallBatchesUnknownLimitTooLargeOrAnotherCodecAreDecoded() {
    List<RawBatch> small = List.of(batch(0, 2), batch(2, 3));
    ChunkSegments.Split s = ChunkSegments.split(TP, List.of(), small, 1 << 20, b -> true);
    assertTrue(ChunkSegments.small(small));
    assertTrue(s.batches().isEmpty());
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), s.records().stream().map(ConsumerRecord::offset).toList());

    List<RawBatch> full = List.of(batch(0, 40), batch(41, 40));
    assertFalse(ChunkSegments.small(full));
    assertTrue(ChunkSegments.split(TP, List.of(record(40)), full, -1, b -> true).batches().isEmpty(),
        "limit unknown: everything as records");
    ChunkSegments.Split tooLarge = ChunkSegments.split(TP, List.of(record(40)), full,
        full.get(0).sizeInBytes() - 1, b -> true);
    assertTrue(tooLarge.batches().isEmpty());
    assertEquals(81, tooLarge.records().size());
    ChunkSegments.Split codec = ChunkSegments.split(TP, List.of(record(40)), full, 1 << 20,
        b -> b.baseOffset() != 41);
    assertEquals(List.of(full.get(0)), codec.batches());
    long[] offsets = codec.records().stream().mapToLong(ConsumerRecord::offset).toArray();
    assertEquals(41, offsets.length);
    assertEquals(40, offsets[0]);
    assertArrayEquals("k41".getBytes(StandardCharsets.UTF_8), codec.records().get(1).key(), "decoded in order");
  }
}
