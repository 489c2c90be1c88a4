package io.vmm.target;

import io.vertx.core.Context;
import io.vertx.core.eventbus.Message;
import io.vmm.bus.BatchResult;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.SourceBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Collects the answers of one {@link SourceBatch}: one {@link ChunkAnswer} per chunk and a count of records not
 * yet answered; the last answer sends the {@link BatchResult} reply on the producer verticle's context (one
 * context hop per batch, none per record). {@link #countDown} is thread-safe (Kafka's and the wire client's
 * threads call it).
 */
final class BatchAnswer {
  final ChunkAnswer[] chunks;
  private final Context context;
  private final Message<SourceBatch> message;
  private final AtomicInteger remaining;

  BatchAnswer(Context context, Message<SourceBatch> message, int chunks, int records) {
    this.context = context;
    this.message = message;
    this.chunks = new ChunkAnswer[chunks];
    this.remaining = new AtomicInteger(records);
  }

  /** Counts {@code n} records as answered; the last one sends the reply on the verticle's context. */
  void countDown(int n) {
    if (n > 0 && remaining.addAndGet(-n) == 0) {
      context.runOnContext(v -> {
        List<PartitionResult> results = new ArrayList<>(chunks.length);
        for (ChunkAnswer c : chunks) {
          results.add(c.result());
        }
        message.reply(new BatchResult(message.body().seq(), results));
      });
    }
  }
}
