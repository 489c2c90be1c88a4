package io.vmm.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vmm.async.PeriodicTask;
import io.vmm.async.Budgets;
import io.vmm.bus.Addresses;
import io.vmm.config.ClientOverrides;
import io.vmm.config.ConnectorConfig;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.kafka.CompactedTopics;
import io.vmm.kafka.FlowAdmins;
import io.vmm.metrics.FlowMetrics;
import io.vmm.policy.InternalTopics;
import io.vmm.policy.ReplicationRules;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The MirrorCheckpointConnector of a flow {@code A->B} (after MM2 {@code MirrorCheckpointConnector} and
 * {@code MirrorCheckpointTask}): its lifecycle and the translate service.
 * <ul>
 *   <li>Start: creates {@code <source>.checkpoints.internal} on the target if missing ({@link CompactedTopics}: 1
 *       partition, compacted, {@code checkpoints.topic.replication.factor}); reads existing checkpoints back
 *       ({@link CheckpointReloader}, MM2 KAFKA-15905); opens the offset-syncs reader ({@link OffsetSyncReader})
 *       and the producer; starts answering translate requests; then runs {@link CheckpointEmitter} about 1 ms
 *       after start and every {@code emit.checkpoints.interval.seconds} after the previous run ended
 *       ({@link PeriodicTask}), each run followed, when {@code sync.group.offsets.enabled} and
 *       {@code sync.group.offsets.interval.seconds} passed, by a {@link GroupOffsetSync}. No checkpoint is
 *       written before the offset-syncs topic was read to its end.</li>
 *   <li>Translate: on {@link Addresses#translate(String)} (cluster-wide, so any member or app reaches it), request
 *       {@code {"flow","group"}}, reply {@code {"flow","group","partitions":[{"topic","partition","upstreamOffset",
 *       "offset","exact"}]}}; failure 503 with a message (400 without a group). A request waits only for new
 *       offset syncs to be read (sharing a read in progress), never for a checkpoint run, then lists the group's
 *       committed offsets on the source and translates them now.</li>
 *   <li>Stop (a clean stop, a pause, a restart, or releasing the unit to another replica in cluster mode): one
 *       final checkpoint run from the newest offset syncs and committed offsets
 *       ({@link Budgets#FINAL_CHECKPOINT_MS}), then the clients close.</li>
 * </ul>
 * Threading: deploy as a <b>standard (event-loop) verticle</b>, not a worker. Admin calls and the producer's
 * acknowledgements complete on this verticle's context, bounded by {@code admin.timeout.ms}; blocking consumer
 * and client work runs on worker threads. {@link #stop()} writes the final checkpoints, then closes every client
 * on worker threads within {@link Budgets#CLIENT_CLOSE_MS} (all within {@link Budgets#CHECKPOINT_STOP_MS}).
 * <p>
 * Clients: the offset-syncs reader and the checkpoints reloader take the checkpoint connector's {@code consumer.*},
 * the checkpoint producer its {@code producer.override.*}, over their cluster's settings ({@link ClientOverrides}).
 * Deployed only when the mirror names {@code checkpointConnector}.
 */
public final class CheckpointVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointVerticle.class);

  private final FlowSpec flow;
  private final FlowMetrics metrics;
  private final ReplicationRules rules;
  private final InternalTopics topics;
  private final long timeoutMs;
  private final OffsetSyncStore store = new OffsetSyncStore(100_000);
  private final CheckpointLedger ledger = new CheckpointLedger();
  private FlowAdmins admins;
  private OffsetSyncReader reader;
  private CheckpointProducer producer;
  private CheckpointEmitter emitter;
  private GroupOffsetSync groupSync;
  private MessageConsumer<JsonObject> translateConsumer;
  private PeriodicTask task;
  private long lastGroupSync;
  private boolean stopped;
  /** The periodic run in progress or last ended; the final run starts after it. */
  private Future<?> current = Future.succeededFuture();

  /**
   * @param flow    the flow whose MirrorCheckpointConnector this is
   * @param metrics the flow's metrics ({@code checkpoint-latency-ms} per group and remote partition)
   */
  public CheckpointVerticle(FlowSpec flow, FlowMetrics metrics) {
    this.flow = flow;
    this.metrics = metrics;
    this.rules = ReplicationRules.of(flow);
    this.topics = InternalTopics.of(flow);
    this.timeoutMs = flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS);
  }

  @Override
  public Future<?> start() {
    ConnectorConfig c = flow.checkpointConnector().config();
    short rf = c.getShort(ConnectorKeys.CHECKPOINTS_TOPIC_REPLICATION_FACTOR);
    String checkpoints = topics.checkpoints();
    long started = System.currentTimeMillis();
    return FlowAdmins.create(vertx, flow, "checkpoint")
        .compose(a -> {
          admins = a;
          return CompactedTopics.ensure(context, a.target(), checkpoints, 1, rf, Duration.ofMillis(timeoutMs))
              .recover(e -> Future.failedFuture(new IllegalStateException(flow.name() + " cannot create "
                  + checkpoints + ": " + e.getMessage(), e)));
        })
        .compose(created -> vertx.executeBlocking(() -> CheckpointReloader.load(ClientOverrides.apply(
            flow.target().consumerConfig(flow.name() + "|checkpoint|reloader"), c.clients().consumer()),
            checkpoints, timeoutMs), true))
        .compose(reloaded -> {
          reloaded.latest().forEach((group, partitions) -> partitions.forEach(
              (tp, cp) -> ledger.record(group, tp, cp.upstreamOffset(), cp.downstreamOffset())));
          reloaded.unreadable().warnIfAny(LOG, flow.name());
          if (!reloaded.complete()) {
            LOG.warn("{} read {} back only up to offset {} of {} within {} ms: older checkpoints may be rewritten",
                flow.name(), checkpoints, reloaded.position(), reloaded.end(), timeoutMs);
          }
          return openClients();
        })
        .compose(v -> {
          emitter = new CheckpointEmitter(flow.name(), flow.id().source(), flow.id().target(), flow.groupFilter(),
              rules, checkpoints, timeoutMs, context, vertx.eventBus(), admins, reader, store, ledger, producer,
              metrics);
          groupSync = new GroupOffsetSync(flow.name(), flow.id().target(), admins, context);
          // cluster-wide: in cluster mode any replica (and any app in the cluster) reaches the member running this
          translateConsumer = vertx.eventBus().consumer(Addresses.translate(flow.name()), this::onTranslate);
          return translateConsumer.completion();
        })
        .onSuccess(v -> {
          task = PeriodicTask.start(vertx, flow.name() + " checkpointing", 1,
              c.getSeconds(ConnectorKeys.EMIT_CHECKPOINTS_INTERVAL_SECONDS).toMillis(), this::run, LOG);
          LOG.info("{} emitting checkpoints to {} every {} s (started in {} ms)", flow.name(), checkpoints,
              c.getLong(ConnectorKeys.EMIT_CHECKPOINTS_INTERVAL_SECONDS), System.currentTimeMillis() - started);
        })
        .recover(e -> release().transform(x -> Future.failedFuture(e)));
  }

  /** The offset-syncs reader and the producer, opened in parallel on worker threads. */
  private Future<Void> openClients() {
    ClientOverrides overrides = flow.checkpointConnector().config().clients();
    Map<String, Object> readerConfig = ClientOverrides.apply((topics.syncsOnTarget() ? flow.target() : flow.source())
        .consumerConfig(flow.name() + "|checkpoint|offset-syncs-reader"), overrides.consumer());
    readerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    reader = new OffsetSyncReader(vertx, flow.name(), topics.offsetSyncs(), readerConfig, timeoutMs, store);
    Future<Void> opened = reader.open();
    Future<CheckpointProducer> created = CheckpointProducer.create(vertx, context, flow.name(),
        ClientOverrides.apply(flow.target().producerConfig(flow.name() + "|checkpoint-producer"),
            overrides.producerOverride()));
    return Future.join(opened, created).transform(ar -> {
      if (created.succeeded()) {
        producer = created.result();
      }
      return ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause());
    });
  }

  /** One scheduled run: checkpoints, then the group offset sync when it is due. Failures while stopping are quiet. */
  private Future<?> run() {
    if (stopped) {
      return Future.succeededFuture();
    }
    long started = System.currentTimeMillis();
    Future<?> run = emitter.run()
        .compose(written -> {
          if (written > 0) {
            LOG.debug("{} wrote {} checkpoints in {} ms", flow.name(), written, System.currentTimeMillis() - started);
          }
          return syncGroupsIfDue();
        })
        .recover(e -> stopped ? Future.succeededFuture() : Future.failedFuture(e));
    current = run;
    return run;
  }

  private Future<Void> syncGroupsIfDue() {
    ConnectorConfig c = flow.checkpointConnector().config();
    if (stopped || !c.getBoolean(ConnectorKeys.SYNC_GROUP_OFFSETS_ENABLED) || System.currentTimeMillis()
        - lastGroupSync < c.getSeconds(ConnectorKeys.SYNC_GROUP_OFFSETS_INTERVAL_SECONDS).toMillis()) {
      return Future.succeededFuture();
    }
    lastGroupSync = System.currentTimeMillis();
    return groupSync.sync(ledger.downstreamOffsets());
  }

  /**
   * Answers a translate request with the group's current committed offsets on the source, translated now (new
   * syncs read first, sharing a read in progress). Runs on this verticle's context.
   */
  private void onTranslate(Message<JsonObject> message) {
    Object value = message.body() == null ? null : message.body().getValue("group");
    if (!(value instanceof String group)) {
      message.fail(400, "group is required");
      return;
    }
    if (stopped) {
      message.fail(503, flow.name() + " cannot translate offsets of group " + group + ": stopping");
      return;
    }
    reader.readToEnd()
        .compose(x -> admins.call(context,
            admins.source().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
            "list offsets of group " + group))
        .onSuccess(offsets -> message.reply(OffsetTranslator.reply(flow.name(), group,
            OffsetTranslator.translate(offsets, store, rules))))
        .onFailure(e -> message.fail(503, flow.name() + " cannot translate offsets of group " + group + ": "
            + e.getMessage()));
  }

  /**
   * Writes the final checkpoints ({@link #finalCheckpoint()}), then releases every client ({@link #release()});
   * within {@link Budgets#CHECKPOINT_STOP_MS}. Never fails.
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    if (task != null) {
      task.cancel();
    }
    return finalCheckpoint().transform(ar -> release());
  }

  /**
   * The final checkpoint run of a clean stop or hand-over (beyond MM2, whose task writes nothing once stopping),
   * so a consumer failing over after a planned stop reads nothing twice. Called once the flow's source side
   * stopped (FlowRunner stops the source connector first: its tasks flushed their last offset syncs and the
   * offset-sync writer closed its producer, so they are in the topic). After the periodic run in progress (if
   * any), it reads the offset syncs up to the topic's current end, lists the groups' committed offsets once more,
   * writes the checkpoints worth writing and, with {@code sync.group.offsets.enabled}, syncs the target's groups
   * whatever {@code sync.group.offsets.interval.seconds} says. All within {@link Budgets#FINAL_CHECKPOINT_MS};
   * on failure or timeout it logs one WARN line naming the groups not checkpointed, and the stop goes on.
   * Completes on this verticle's context; never fails.
   */
  private Future<Void> finalCheckpoint() {
    if (emitter == null) {
      return Future.succeededFuture(); // start did not get that far
    }
    long started = System.currentTimeMillis();
    CheckpointEmitter.Outcome outcome = new CheckpointEmitter.Outcome();
    boolean syncGroups = flow.checkpointConnector().config().getBoolean(ConnectorKeys.SYNC_GROUP_OFFSETS_ENABLED);
    return current.transform(previous -> emitter.finalRun(outcome))
        .compose(written -> syncGroups ? groupSync.sync(ledger.downstreamOffsets()) : Future.<Void>succeededFuture())
        .timeout(Budgets.FINAL_CHECKPOINT_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          long elapsed = System.currentTimeMillis() - started;
          String left = outcome.describeNotCheckpointed();
          if (ar.failed()) {
            LOG.warn("{} final checkpoint incomplete after {} ms ({} written); groups not checkpointed: {}: {}{}",
                flow.name(), elapsed, outcome.written, left, ar.cause().getMessage(), reasons(outcome));
          } else if (!outcome.notCheckpointed().isEmpty()) {
            LOG.warn("{} final checkpoint incomplete after {} ms ({} written); groups not checkpointed: {}{}",
                flow.name(), elapsed, outcome.written, left, reasons(outcome));
          } else {
            LOG.info("{} final checkpoint: {} checkpoints written to {} in {} ms{}", flow.name(), outcome.written,
                topics.checkpoints(), elapsed, syncGroups ? ", group offsets synced" : "");
          }
          return Future.<Void>succeededFuture();
        });
  }

  /** The groups whose offsets could not be listed, with why, for the final run's warning; "" if none. */
  private static String reasons(CheckpointEmitter.Outcome outcome) {
    return outcome.errors.isEmpty() ? "" : " (" + outcome.errors + ")";
  }

  /**
   * Stops answering translate requests and closes every client in parallel, each on a worker thread within
   * {@link Budgets#CLIENT_CLOSE_MS}; the whole within {@link Budgets#ROLE_MS}. Never fails.
   */
  private Future<Void> release() {
    stopped = true;
    List<Future<?>> closing = new ArrayList<>();
    if (translateConsumer != null) {
      closing.add(translateConsumer.unregister().otherwiseEmpty());
    }
    if (reader != null) {
      closing.add(reader.close());
    }
    if (producer != null) {
      closing.add(producer.close());
    }
    if (admins != null) {
      closing.add(close(admins.source()));
      closing.add(close(admins.target()));
    }
    return Future.join(closing).timeout(Budgets.ROLE_MS, TimeUnit.MILLISECONDS).otherwiseEmpty().mapEmpty();
  }

  private Future<Void> close(Admin admin) {
    return vertx.<Void>executeBlocking(() -> {
      admin.close(Duration.ofMillis(Budgets.CLIENT_CLOSE_MS));
      return null;
    }, false).otherwiseEmpty();
  }
}
