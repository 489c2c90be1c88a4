package io.vmm;

import io.vmm.target.TransactionErrors;
import io.vmm.target.TransactionErrors.Kind;
import io.vmm.wire.BatchEncoder;
import io.vmm.wire.BatchSender;
import io.vmm.wire.TransactionalSender;
import io.vmm.wire.WireClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The {@link ExactlyOnceFaultIT} cases on the batch pass-through path ({@code vmm.data.path=batch}: the wire
 * writer's transactions): target broker SIGKILL and restart under load, the zombie, the transaction timed out while
 * frozen, and the crash loop (the default data path's, so it runs in every build; the record path's is tagged
 * {@code long}); the graceful restart is tagged {@code long} on both paths (the SIGKILL restart runs in every build). The probe of the coordinator's answers is the wire sender's own: how {@link TransactionalSender} reports a
 * send and a commit after the coordinator aborted the transaction on its timeout, and a commit after a newer
 * owner's InitProducerId.
 */
class ExactlyOnceFaultBatchIT extends ExactlyOnceFaultIT {

  @Override
  String dataPath() {
    return "batch";
  }

  @Override
  @Test
  @Tag("long")
  void targetGracefulRestartUnderLoad() throws Exception {
    super.targetGracefulRestartUnderLoad();
  }

  @Override
  @Test
  void crashLoopOfTenSigkillsLosesNothingAndDuplicatesNothing() throws Exception {
    super.crashLoopOfTenSigkillsLosesNothingAndDuplicatesNothing();
  }

  /**
   * The wire sender after the coordinator's timeout abort: a send fails and the abort recovers the epoch (the id
   * goes on); a commit fails with {@link InvalidProducerEpochException} ({@code ABORTABLE}: rewind and go on); after
   * a newer owner's InitProducerId, a commit fails with {@link ProducerFencedException} ({@code FATAL}).
   */
  @Override
  @Test
  void producerErrorsAfterACoordinatorTimeoutAndAfterFencing() throws Exception {
    String topic = "eos-wire-probe";
    b.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    int timeoutMs = 500;
    long outlive = timeoutMs + 3L * TXN_TIMEOUT_SCAN_MS; // B aborts it within one scan interval after the timeout
    TopicPartition tp = new TopicPartition(topic, 0);
    try (Probe p = new Probe("wire-probe-1", timeoutMs)) {
      assertNull(p.call(p.txn::init), "init");
      p.begin();
      assertNull(p.send(tp), "a send in time");
      Thread.sleep(outlive);
      Throwable send = p.send(tp);
      System.out.println("ExactlyOnceFaultBatchIT probe: send after the coordinator's timeout abort: " + send);
      assertNotNull(send, "a send after the coordinator's abort fails");
      assertEquals(Kind.ABORTABLE, TransactionErrors.kind(send, outlive, timeoutMs));
      assertNull(p.end(false), "the abort recovers the epoch");
      p.begin();
      assertNull(p.send(tp), "a send after the recovery");
      Thread.sleep(outlive);
      Throwable commit = p.end(true);
      System.out.println("ExactlyOnceFaultBatchIT probe: commit after the coordinator's timeout abort: " + commit);
      assertInstanceOf(InvalidProducerEpochException.class, commit);
      assertEquals(Kind.ABORTABLE, TransactionErrors.kind(commit, outlive, timeoutMs));
      assertNull(p.end(false), "nothing open after the recovery");
      p.begin();
      assertNull(p.send(tp));
      assertNull(p.end(true), "the id goes on");
      try (Probe newer = new Probe("wire-probe-1", timeoutMs)) {
        p.begin();
        assertNull(p.send(tp));
        assertNull(newer.call(newer.txn::init), "a newer owner");
        Throwable fenced = p.end(true);
        System.out.println("ExactlyOnceFaultBatchIT probe: commit after a newer owner's InitProducerId: " + fenced);
        assertInstanceOf(ProducerFencedException.class, fenced);
        assertEquals(Kind.FATAL, TransactionErrors.kind(fenced, outlive, timeoutMs));
      }
    }
  }

  /** A {@link TransactionalSender} on its own wire client to B, driven synchronously. */
  private static final class Probe implements AutoCloseable {
    final WireClient wire;
    final TransactionalSender txn;

    Probe(String transactionalId, int timeoutMs) {
      ProducerConfig config = new ProducerConfig(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers(),
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
      wire = new WireClient("probe " + transactionalId, config, e -> { });
      BatchSender sender = new BatchSender(wire, new BatchSender.Settings((short) -1, 10_000, 10, transactionalId));
      txn = new TransactionalSender(wire, sender, transactionalId, timeoutMs, 10_000, 10);
    }

    /** Runs {@code op} on the I/O thread and waits for its outcome (null: success). */
    Throwable call(Consumer<TransactionalSender.Done> op) throws Exception {
      CompletableFuture<Throwable> f = new CompletableFuture<>();
      wire.execute(() -> op.accept(f::complete));
      return f.get(30, TimeUnit.SECONDS);
    }

    void begin() throws Exception {
      call(done -> {
        txn.begin();
        done.done(null);
      });
    }

    Throwable send(TopicPartition tp) throws Exception {
      return call(done -> txn.send(tp, BatchEncoder.single("k".getBytes(StandardCharsets.UTF_8),
          "v".getBytes(StandardCharsets.UTF_8), System.currentTimeMillis()), (offset, error) -> done.done(error)));
    }

    Throwable end(boolean commit) throws Exception {
      return call(done -> txn.end(commit, done));
    }

    @Override
    public void close() {
      wire.close(5_000);
    }
  }
}
