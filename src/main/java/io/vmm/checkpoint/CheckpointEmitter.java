package io.vmm.checkpoint;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.async.ThrottledLog;
import io.vmm.bus.Addresses;
import io.vmm.config.TopicFilter;
import io.vmm.kafka.FlowAdmins;
import io.vmm.kafka.KafkaFutures;
import io.vmm.metrics.FlowMetrics;
import io.vmm.policy.ReplicationRules;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * One checkpoint run of a flow {@code A->B} (after MM2 {@code MirrorCheckpointTask.poll}): reads new offset syncs;
 * unless the offset-syncs topic could be read to its end, stops there (no checkpoint from a partial history);
 * lists the source consumer groups that pass the group filter and their committed offsets; translates them
 * ({@link OffsetTranslator}); keeps those worth writing ({@link CheckpointLedger#worthWriting}); sends them all
 * as one batch to partition 0 of the checkpoints topic (MM2's bytes, record timestamp = when the groups were
 * listed); then, for the records the target acknowledged, updates the ledger, records
 * {@code checkpoint-latency-ms} (listing to acknowledgement) and publishes them per group on
 * {@link Addresses#CHECKPOINTS}.
 * <p>
 * A group whose offsets cannot be listed is skipped this run (a throttled warning; quietly if it was deleted
 * meanwhile). {@link #finalRun(Outcome)} is the same run at a clean stop or hand-over, from the offset syncs
 * written up to then, reporting what it got done in an {@link Outcome} instead of logging. Threading: call {@link #run()} on the owner's context, one run at a time; every Admin call and the
 * batch acknowledgement complete there, bounded by {@code admin.timeout.ms}.
 */
final class CheckpointEmitter {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointEmitter.class);

  private final String flowName;
  private final String sourceAlias;
  private final String targetAlias;
  private final TopicFilter groupFilter;
  private final ReplicationRules rules;
  private final String topic;
  private final long timeoutMs;
  private final Context context;
  private final EventBus bus;
  private final FlowAdmins admins;
  private final OffsetSyncReader reader;
  private final OffsetSyncStore store;
  private final CheckpointLedger ledger;
  private final CheckpointProducer producer;
  private final FlowMetrics metrics;
  private final ThrottledLog groupFailures = new ThrottledLog(LOG);

  /** A checkpoint of a run, waiting for its acknowledgement. */
  private record Pending(String group, OffsetTranslator.Translated translated) {
  }

  /**
   * @param topic     the checkpoints topic on the target ({@code InternalTopics.checkpoints})
   * @param timeoutMs bound of each Admin call and of the batch acknowledgement, ms ({@code admin.timeout.ms})
   */
  CheckpointEmitter(String flowName, String sourceAlias, String targetAlias, TopicFilter groupFilter,
                    ReplicationRules rules, String topic, long timeoutMs, Context context, EventBus bus,
                    FlowAdmins admins, OffsetSyncReader reader, OffsetSyncStore store, CheckpointLedger ledger,
                    CheckpointProducer producer, FlowMetrics metrics) {
    this.flowName = flowName;
    this.sourceAlias = sourceAlias;
    this.targetAlias = targetAlias;
    this.groupFilter = groupFilter;
    this.rules = rules;
    this.topic = topic;
    this.timeoutMs = timeoutMs;
    this.context = context;
    this.bus = bus;
    this.admins = admins;
    this.reader = reader;
    this.store = store;
    this.ledger = ledger;
    this.producer = producer;
    this.metrics = metrics;
  }

  /**
   * One run. Completes on the owner's context with the number of checkpoints written (0 when the offset syncs
   * could not be read to their end this run); fails if the syncs or the groups could not be read, or if some
   * checkpoint was not acknowledged (those acknowledged are kept).
   */
  Future<Integer> run() {
    Outcome outcome = new Outcome();
    return reader.readToEnd().compose(readToEnd -> {
      if (!readToEnd) {
        LOG.debug("{} offset syncs not read to their end yet: no checkpoints this run", flowName);
        return Future.succeededFuture(0);
      }
      return listAndWrite(outcome);
    }).onComplete(ar -> outcome.errors.forEach((group, error) ->
        groupFailures.warn("{} group {} skipped this run: {}", flowName, group, error)));
  }

  /**
   * The final run at a clean stop or hand-over (beyond MM2, whose task writes nothing once stopping): waits for
   * a read of the offset syncs in progress, reads them up to the end the topic has now
   * ({@link OffsetSyncReader#readToCurrentEnd()}), then lists, translates and writes as {@link #run()} does.
   * Logs nothing itself: what was done, and each group skipped with its reason, is in {@code outcome}, filled in
   * as the run goes (so a caller that gives up on the run still knows how far it got). Completes on the owner's
   * context with the number of checkpoints written; fails if the syncs could not be read to their end within
   * {@code admin.timeout.ms} (nothing is written from a partial history), if the groups could not be listed, or if
   * some checkpoint was not acknowledged.
   */
  Future<Integer> finalRun(Outcome outcome) {
    return reader.readToCurrentEnd().compose(readToEnd -> readToEnd ? listAndWrite(outcome)
        : Future.failedFuture(new IllegalStateException("offset syncs not read to their end within " + timeoutMs
            + " ms")));
  }

  private Future<Integer> listAndWrite(Outcome outcome) {
    long listedAt = System.currentTimeMillis();
    return admins.call(context, admins.source().listGroups(ListGroupsOptions.forConsumerGroups()).all(),
            "list consumer groups")
        .compose(listings -> committedOffsets(listings, outcome))
        .compose(committed -> write(committed, listedAt, outcome));
  }

  /** Committed offsets of every listed group passing the filter, by group (sorted); unlistable groups left out. */
  private Future<Map<String, Map<TopicPartition, OffsetAndMetadata>>> committedOffsets(
      Collection<GroupListing> listings, Outcome outcome) {
    Map<String, ListConsumerGroupOffsetsSpec> specs = new TreeMap<>();
    for (GroupListing listing : listings) {
      if (groupFilter.test(listing.groupId())) {
        specs.put(listing.groupId(), new ListConsumerGroupOffsetsSpec());
      }
    }
    outcome.listed(specs.keySet());
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new TreeMap<>();
    if (specs.isEmpty()) {
      return Future.succeededFuture(committed);
    }
    ListConsumerGroupOffsetsResult result = admins.source().listConsumerGroupOffsets(specs);
    List<Future<Void>> each = new ArrayList<>();
    for (String group : specs.keySet()) {
      each.add(admins.call(context, result.partitionsToOffsetAndMetadata(group), "list offsets of group " + group)
          .<Void>map(offsets -> {
            committed.put(group, offsets);
            return null;
          })
          .recover(e -> {
            if (KafkaFutures.causedBy(e, GroupIdNotFoundException.class)) {
              LOG.debug("{} group {} was deleted while checkpointing", flowName, group);
              outcome.done(group);
            } else {
              outcome.errors.put(group, e.getMessage());
            }
            return Future.succeededFuture();
          }));
    }
    return Future.join(each).map(committed);
  }

  private Future<Integer> write(Map<String, Map<TopicPartition, OffsetAndMetadata>> committed, long listedAt,
                                Outcome outcome) {
    List<Pending> pending = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    committed.forEach((group, offsets) -> {
      for (OffsetTranslator.Translated t : OffsetTranslator.translate(offsets, store, rules)) {
        if (ledger.worthWriting(group, t.downstream(), t.upstreamOffset(), t.downstreamOffset())) {
          pending.add(new Pending(group, t));
          records.add(new ProducerRecord<>(topic, 0, listedAt, CheckpointCodec.key(group, t.downstream()),
              CheckpointCodec.value(t.upstreamOffset(), t.downstreamOffset(), t.metadata())));
        }
      }
    });
    Set<String> writing = new HashSet<>();
    pending.forEach(p -> writing.add(p.group()));
    committed.keySet().stream().filter(g -> !writing.contains(g)).forEach(outcome::done); // nothing new: up to date
    if (records.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return producer.sendAll(records)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(new IllegalStateException(flowName + " " + records.size()
            + " checkpoints not acknowledged by " + topic + " within " + timeoutMs + " ms: " + e, e)))
        .compose(acks -> acknowledged(pending, acks, listedAt, outcome));
  }

  private Future<Integer> acknowledged(List<Pending> pending, List<CheckpointProducer.Ack> acks, long listedAt,
                                      Outcome outcome) {
    Map<String, JsonArray> published = new LinkedHashMap<>();
    Set<String> failedGroups = new HashSet<>();
    int written = 0;
    Throwable firstError = null;
    for (int i = 0; i < pending.size(); i++) {
      Pending p = pending.get(i);
      CheckpointProducer.Ack ack = acks.get(i);
      if (ack.error() != null) {
        firstError = firstError == null ? ack.error() : firstError;
        failedGroups.add(p.group());
        continue;
      }
      OffsetTranslator.Translated t = p.translated();
      ledger.record(p.group(), t.downstream(), t.upstreamOffset(), t.downstreamOffset());
      metrics.checkpointLatency(p.group(), t.downstream().topic(), t.downstream().partition(), ack.atMs() - listedAt);
      published.computeIfAbsent(p.group(), g -> new JsonArray()).add(new JsonObject()
          .put("topic", t.downstream().topic()).put("partition", t.downstream().partition())
          .put("upstreamOffset", t.upstreamOffset()).put("downstreamOffset", t.downstreamOffset()));
      written++;
    }
    outcome.written += written;
    pending.stream().map(Pending::group).filter(g -> !failedGroups.contains(g)).forEach(outcome::done);
    published.forEach((group, checkpoints) -> bus.publish(Addresses.CHECKPOINTS, new JsonObject()
        .put("flow", flowName).put("sourceClusterAlias", sourceAlias).put("targetClusterAlias", targetAlias)
        .put("group", group).put("timestamp", listedAt).put("checkpoints", checkpoints)));
    if (firstError != null) {
      return Future.failedFuture(new IllegalStateException(flowName + " " + (pending.size() - written) + " of "
          + pending.size() + " checkpoints not written to " + topic + ": " + firstError, firstError));
    }
    return Future.succeededFuture(written);
  }

  /**
   * How far a run got, filled in on the owner's context as it goes: the groups it listed, those it finished
   * (checkpoints written and acknowledged, or nothing new to write, or deleted meanwhile), the checkpoints
   * written, and why a group was skipped. Read it on that context.
   */
  static final class Outcome {
    private SortedSet<String> listed;
    private final Set<String> done = new HashSet<>();
    /** Group → why its committed offsets could not be listed (it is skipped this run). */
    final Map<String, String> errors = new TreeMap<>();
    /** Checkpoints written and acknowledged. */
    int written;

    void listed(Collection<String> groups) {
      listed = new TreeSet<>(groups);
    }

    void done(String group) {
      done.add(group);
    }

    /** The groups listed and not finished, sorted; null if the groups were not listed (yet). */
    SortedSet<String> notCheckpointed() {
      if (listed == null) {
        return null;
      }
      SortedSet<String> left = new TreeSet<>(listed);
      left.removeAll(done);
      return left;
    }

    /** {@link #notCheckpointed()} for a log line: {@code [g1, g2]}, or "all groups (not listed)". */
    String describeNotCheckpointed() {
      SortedSet<String> left = notCheckpointed();
      return left == null ? "all groups (not listed)" : left.toString();
    }
  }
}
