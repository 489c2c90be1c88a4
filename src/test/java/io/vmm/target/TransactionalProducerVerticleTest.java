package io.vmm.target;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vmm.bus.Addresses;
import io.vmm.bus.BatchResult;
import io.vmm.bus.BatchResult.PartitionResult;
import io.vmm.bus.Codecs;
import io.vmm.bus.ProgressUpdate;
import io.vmm.bus.SourceBatch;
import io.vmm.metrics.FlowMetrics;
import io.vmm.tracing.Tracing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exactly-once producer against Kafka's {@link MockProducer}: answers held until the commit, progress records in
 * the transaction, abort and rewind, a record refused for good, fencing.
 */
class TransactionalProducerVerticleTest {

  private static final String FLOW = "A->B";
  private static final String ID = "A-mm2-A->B.MirrorSourceConnector-0";
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private Vertx vertx;
  private MockProducer<byte[], byte[]> mock;
  private final List<MockProducer<byte[], byte[]>> mocks = new ArrayList<>();
  private String deployment;
  private FlowMetrics metrics;
  private long seq;

  /** Every record without a partition (the progress records) goes to partition 0. */
  public static final class Zero implements Partitioner {
    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster c) {
      return 0;
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
  }

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    Codecs.register(vertx);
    metrics = new FlowMetrics(new SimpleMeterRegistry(), "A", "B", List.of());
    deployment = deploy(Map.of(), TransactionalProducerVerticleTest::newMock);
  }

  private static MockProducer<byte[], byte[]> newMock() {
    return new MockProducer<>(true, new Zero(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Deploys the verticle with {@code overrides}; each producer it makes ({@code make}) is the new {@link #mock} (and
   * added to {@link #mocks}).
   */
  private String deploy(Map<String, Object> overrides, Supplier<MockProducer<byte[], byte[]>> make)
      throws Exception {
    CommitTrigger trigger = new CommitTrigger(600_000, 5_000, 4 << 20, 8 << 20); // only progress updates commit
    String id = vertx.deployVerticle(new TransactionalProducerVerticle(FLOW, 0, ID, overrides,
            "mm2-offsets.A.internal", trigger, metrics.transactions(0), config -> new TransactionalClient(FLOW, ID,
                config, Tracing.disabled(), c -> {
                  assertEquals(ID, c.get("transactional.id"));
                  mock = mocks.isEmpty() ? make.get() : newMock();
                  mocks.add(mock);
                  return mock;
                })), new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .await(10, TimeUnit.SECONDS);
    assertTrue(mock.transactionInitialized(), "initTransactions before the first write");
    return id;
  }

  @AfterEach
  void close() throws Exception {
    metrics.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static SourceBatch.Chunk chunk(TopicPartition tp, long from, int n, long generation) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (long o = from; o < from + n; o++) {
      records.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, ("k" + o).getBytes(StandardCharsets.UTF_8),
          ("v" + o).getBytes(StandardCharsets.UTF_8)));
    }
    return new SourceBatch.Chunk(tp, "A." + tp.topic(), records, generation);
  }

  private io.vertx.core.Future<BatchResult> send(SourceBatch.Chunk... chunks) {
    return vertx.eventBus().<BatchResult>request(Addresses.produce(FLOW, 0),
        new SourceBatch("A->B#0", seq++, List.of(chunks)), Addresses.local()).map(m -> m.body());
  }

  private void commitNow() throws Exception {
    vertx.eventBus().request(Addresses.progress(FLOW, 0), new ProgressUpdate("A", Map.of(), true), Addresses.local())
        .await(10, TimeUnit.SECONDS);
  }

  private static BatchResult await(io.vertx.core.Future<BatchResult> f) throws Exception {
    return f.await(10, TimeUnit.SECONDS);
  }

  @Test
  void answersAreHeldUntilTheCommitWhichHoldsTheProgressRecords() throws Exception {
    io.vertx.core.Future<BatchResult> first = send(chunk(P0, 0, 3, 0), chunk(P1, 10, 2, 0));
    io.vertx.core.Future<BatchResult> second = send(chunk(P0, 3, 2, 0));
    Thread.sleep(300);
    assertFalse(first.isComplete() || second.isComplete(), "no answer before the commit");
    assertTrue(mock.transactionInFlight());
    commitNow();
    BatchResult r = await(first);
    assertEquals(-1, r.results().get(0).failedAt());
    assertArrayEquals(new long[]{0, 1, 2}, r.results().get(0).upstream());
    assertArrayEquals(new long[]{0, 1, 2}, r.results().get(0).downstream());
    assertEquals(-1, await(second).results().get(0).failedAt());
    assertTrue(mock.transactionCommitted());
    List<String> progress = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> rec : mock.history()) {
      if (rec.topic().equals("mm2-offsets.A.internal")) {
        progress.add(new String(rec.key(), StandardCharsets.UTF_8) + "="
            + new String(rec.value(), StandardCharsets.UTF_8));
      }
    }
    assertEquals(List.of(
        "[\"MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":0,\"topic\":\"t\"}]={\"offset\":4}",
        "[\"MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":1,\"topic\":\"t\"}]={\"offset\":11}"), progress,
        "one progress record per partition: its last upstream offset in the transaction");
    assertEquals(1, metrics.transactions(0).committedCount());
  }

  @Test
  void anAbortedTransactionRewindsAndOlderGenerationsAreNotSent() throws Exception {
    io.vertx.core.Future<BatchResult> batch = send(chunk(P0, 0, 3, 0), chunk(P1, 0, 3, 0));
    Thread.sleep(100);
    mock.commitTransactionException = new InvalidProducerEpochException("transaction timed out");
    commitNow();
    BatchResult r = await(batch);
    for (PartitionResult pr : r.results()) {
      assertTrue(pr.rewind(), "aborted: re-read from the committed position");
    }
    assertTrue(mock.transactionAborted());
    assertEquals(1, metrics.transactions(0).abortedCount());
    mock.commitTransactionException = null;
    int sent = mock.history().size();
    BatchResult stale = await(send(chunk(P0, 3, 2, 0))); // polled before the rewind: not sent
    assertTrue(stale.results().get(0).rewind());
    assertEquals(sent, mock.history().size());
    io.vertx.core.Future<BatchResult> fresh = send(chunk(P0, 0, 5, 1));
    commitNow();
    assertEquals(-1, await(fresh).results().get(0).failedAt(), "the re-read records commit");
  }

  @Test
  void aRecordRefusedForGoodFailsItsPartitionAndTheOthersRewind() throws Exception {
    mock.sendException = new RecordTooLargeException("too large");
    BatchResult r = await(send(chunk(P0, 7, 2, 0), chunk(P1, 0, 2, 0)));
    assertEquals(0, r.results().get(0).failedAt());
    assertFalse(r.results().get(0).rewind(), "P0 FAILED at its first uncommitted record");
    assertTrue(String.valueOf(r.results().get(0).error()).contains("upstream offset 7"),
        String.valueOf(r.results().get(0).error()));
    assertTrue(r.results().get(1).rewind(), "P1 rewinds");
    mock.sendException = null;
    BatchResult later = await(send(chunk(P0, 9, 1, 0)));
    assertEquals(0, later.results().get(0).failedAt(), "nothing more of the FAILED partition is written");
    assertFalse(later.results().get(0).rewind());
  }

  @Test
  void aFencedProducerStopsAndNamesItsTransactionalId() throws Exception {
    io.vertx.core.Future<BatchResult> batch = send(chunk(P0, 0, 2, 0));
    Thread.sleep(100);
    mock.fenceProducer();
    commitNow();
    PartitionResult r = await(batch).results().get(0);
    assertEquals(0, r.failedAt());
    assertFalse(r.rewind());
    assertTrue(String.valueOf(r.error()).contains(ID) && String.valueOf(r.error()).contains("fenced"),
        String.valueOf(r.error()));
    PartitionResult after = await(send(chunk(P1, 0, 1, 0))).results().get(0);
    assertEquals(0, after.failedAt(), "answered at once, FAILED, never written");
  }

  /**
   * A transaction the target's coordinator aborted after its {@code transaction.timeout.ms} (Kafka 4.1 on a real
   * broker: the commit gets {@code InvalidTxnStateException}, the client is in its fatal state and cannot abort):
   * the producer is replaced by a new one with the same id, the chunks rewind, the task goes on.
   */
  @Test
  void aTransactionTheCoordinatorAbortedReplacesTheProducerAndRewinds() throws Exception {
    vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    mocks.clear();
    KafkaException errorState = new KafkaException("Cannot execute transactional method because we are in an error "
        + "state", new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state."));
    MockProducer<byte[], byte[]> first = new MockProducer<>(true, new Zero(), new ByteArraySerializer(),
        new ByteArraySerializer()) {
      @Override
      public void commitTransaction() {
        try {
          Thread.sleep(300); // frozen while committing: the coordinator's timeout passes meanwhile
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state.");
      }
    };
    first.abortTransactionException = errorState; // the client's fatal state: it cannot abort
    deploy(Map.of("transaction.timeout.ms", "200"), () -> first);
    io.vertx.core.Future<BatchResult> batch = send(chunk(P0, 0, 3, 0), chunk(P1, 0, 3, 0));
    Thread.sleep(50);
    commitNow();
    for (PartitionResult pr : await(batch).results()) {
      assertTrue(pr.rewind(), "rewound to the last committed position, not FAILED: " + pr);
    }
    assertEquals(2, mocks.size(), "a new producer");
    assertTrue(first.closed(), "the unusable producer is closed");
    assertTrue(mock.transactionInitialized(), "the new producer fenced the old epoch");
    assertEquals(1, metrics.transactions(0).abortedCount());
    io.vertx.core.Future<BatchResult> fresh = send(chunk(P0, 0, 5, 1));
    commitNow();
    assertEquals(-1, await(fresh).results().get(0).failedAt(), "the re-read records commit on the new producer");
    assertTrue(mock.transactionCommitted());
  }

  /** A transaction open longer than {@code transaction.timeout.ms} is aborted, never committed: it rewinds. */
  @Test
  void aTransactionOlderThanItsTimeoutIsAbortedNotCommitted() throws Exception {
    vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    mocks.clear();
    deploy(Map.of("transaction.timeout.ms", "200"), TransactionalProducerVerticleTest::newMock);
    io.vertx.core.Future<BatchResult> batch = send(chunk(P0, 0, 3, 0));
    Thread.sleep(300);
    commitNow();
    assertTrue(await(batch).results().get(0).rewind());
    assertTrue(mock.transactionAborted());
    assertFalse(mock.transactionCommitted());
    assertEquals(1, mocks.size(), "the same producer goes on");
  }
}
