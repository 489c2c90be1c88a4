package io.vmm.source;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vmm.async.ThrottledLog;
import io.vmm.wire.BatchFetcher;
import io.vmm.wire.RawBatch;
import io.vmm.wire.WireClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The pass-through path's {@link SourceReader} ({@code vmm.data.path=batch}): a {@link BatchFetcher} on its own
 * {@link WireClient} I/O thread, configured from the task's consumer settings (bootstrap, security,
 * {@code isolation.level}, fetch sizes and waits, {@code auto.offset.reset}, {@code client.rack}). Each Fetch
 * answer becomes one {@link SourceReader.Polled} on the task's event loop.
 * <p>
 * Threading: operations are queued to the I/O thread; their Futures complete on the task's context through the
 * same hop as fetched data, so data fetched before an operation is delivered before its completion.
 */
final class BatchReader implements SourceReader {

  private static final Logger LOG = LoggerFactory.getLogger(BatchReader.class);

  /** The fetch client's I/O thread stopped on an error (e.g. OutOfMemoryError): the task's partitions fail. */
  static final class Stopped extends RuntimeException {
    Stopped(String taskId, Throwable cause) {
      super(taskId + ": the pass-through fetch client stopped: " + cause, cause);
    }
  }

  private final Context context;
  private final WireClient wire;
  private BatchFetcher fetcher;

  private BatchReader(Context context, WireClient wire) {
    this.context = context;
    this.wire = wire;
  }

  /**
   * Opens the wire client on a worker thread (resolving bootstrap addresses) and creates the fetcher; nothing
   * is fetched before {@link #assign}. The Future completes on the caller's context.
   *
   * @param taskId      {@code A->B#i}, for the I/O thread name and log lines
   * @param recordsOnly partitions always delivered as decoded records (heartbeats)
   */
  static Future<SourceReader> create(Vertx vertx, String taskId, Map<String, Object> consumerConfig,
                                     Predicate<TopicPartition> recordsOnly, Handler<Polled> onPolled,
                                     Handler<Throwable> onError) {
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      ConsumerConfig config = new ConsumerConfig(consumerConfig);
      WireClient wire = new WireClient(taskId + " fetch", config,
          fatal -> context.runOnContext(v -> onError.handle(new Stopped(taskId, fatal))));
      BatchReader reader = new BatchReader(context, wire);
      ThrottledLog retries = new ThrottledLog(LOG);
      BatchFetcher.Settings settings = new BatchFetcher.Settings(
          IsolationLevel.valueOf(config.getString(ConsumerConfig.ISOLATION_LEVEL_CONFIG).toUpperCase(Locale.ROOT)),
          config.getInt(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), config.getInt(ConsumerConfig.FETCH_MIN_BYTES_CONFIG),
          config.getInt(ConsumerConfig.FETCH_MAX_BYTES_CONFIG),
          config.getInt(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
          config.getString(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG),
          config.getString(ConsumerConfig.CLIENT_RACK_CONFIG), config.getLong(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG));
      reader.fetcher = new BatchFetcher(wire, settings, recordsOnly, new BatchFetcher.Sink() {
        @Override
        public void fetched(Map<TopicPartition, BatchFetcher.Part> parts) {
          context.runOnContext(v -> onPolled.handle(polled(parts)));
        }

        @Override
        public void failed(TopicPartition tp, Throwable error) {
          context.runOnContext(v -> onError.handle(error));
        }

        @Override
        public void retrying(String what, Throwable error) {
          retries.warn("{} {} failed, retrying: {}", taskId, what, String.valueOf(error));
        }
      });
      return (SourceReader) reader;
    }, false);
  }

  private static Polled polled(Map<TopicPartition, BatchFetcher.Part> parts) {
    return new Polled() {
      @Override
      public Set<TopicPartition> partitions() {
        return parts.keySet();
      }

      @Override
      public List<ConsumerRecord<byte[], byte[]>> records(TopicPartition tp) {
        return parts.get(tp).records();
      }

      @Override
      public List<RawBatch> batches(TopicPartition tp) {
        return parts.get(tp).batches();
      }
    };
  }

  /** Runs {@code op} on the I/O thread; the Future completes on the task's context after it ran. */
  private Future<Void> onWire(Consumer<BatchFetcher> op) {
    Promise<Void> done = Promise.promise();
    wire.execute(() -> {
      op.accept(fetcher);
      context.runOnContext(v -> done.complete());
    });
    return done.future();
  }

  @Override
  public Future<Void> assign(Set<TopicPartition> tps) {
    Set<TopicPartition> copy = Set.copyOf(tps);
    return onWire(f -> f.assign(copy));
  }

  @Override
  public Future<Void> seek(TopicPartition tp, long offset) {
    return onWire(f -> f.seek(tp, offset));
  }

  @Override
  public Future<Void> seekToBeginning(Set<TopicPartition> tps) {
    Set<TopicPartition> copy = Set.copyOf(tps);
    return onWire(f -> f.seekToBeginning(copy));
  }

  @Override
  public void pause() {
    onWire(f -> f.pause(null));
  }

  @Override
  public void resume() {
    onWire(f -> f.resume(null));
  }

  @Override
  public void pause(Set<TopicPartition> tps) {
    Set<TopicPartition> copy = Set.copyOf(tps);
    onWire(f -> f.pause(copy));
  }

  @Override
  public void resume(Set<TopicPartition> tps) {
    Set<TopicPartition> copy = Set.copyOf(tps);
    onWire(f -> f.resume(copy));
  }

  @Override
  public void wakeup() {
    // fetches never block a poll: nothing to end
  }

  @Override
  public Future<Void> close() {
    wire.execute(() -> fetcher.close());
    // joining the I/O thread blocks: on a worker
    return context.owner().executeBlocking(() -> {
      wire.close();
      return null;
    }, false).mapEmpty();
  }
}
