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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * meanwhile). Threading: call {@link #run()} on the owner's context, one run at a time; every Admin call and the
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
    return reader.readToEnd().compose(readToEnd -> {
      if (!readToEnd) {
        LOG.debug("{} offset syncs not read to their end yet: no checkpoints this run", flowName);
        return Future.succeededFuture(0);
      }
      long listedAt = System.currentTimeMillis();
      return admins.call(context, admins.source().listGroups(ListGroupsOptions.forConsumerGroups()).all(),
              "list consumer groups")
          .compose(listings -> committedOffsets(listings))
          .compose(committed -> write(committed, listedAt));
    });
  }

  /** Committed offsets of every listed group passing the filter, by group (sorted); unlistable groups left out. */
  private Future<Map<String, Map<TopicPartition, OffsetAndMetadata>>> committedOffsets(
      java.util.Collection<GroupListing> listings) {
    Map<String, ListConsumerGroupOffsetsSpec> specs = new TreeMap<>();
    for (GroupListing listing : listings) {
      if (groupFilter.test(listing.groupId())) {
        specs.put(listing.groupId(), new ListConsumerGroupOffsetsSpec());
      }
    }
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
            } else {
              groupFailures.warn("{} group {} skipped this run: {}", flowName, group, e.getMessage());
            }
            return Future.succeededFuture();
          }));
    }
    return Future.join(each).map(committed);
  }

  private Future<Integer> write(Map<String, Map<TopicPartition, OffsetAndMetadata>> committed, long listedAt) {
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
    if (records.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return producer.sendAll(records)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(new IllegalStateException(flowName + " " + records.size()
            + " checkpoints not acknowledged by " + topic + " within " + timeoutMs + " ms: " + e, e)))
        .compose(acks -> acknowledged(pending, acks, listedAt));
  }

  private Future<Integer> acknowledged(List<Pending> pending, List<CheckpointProducer.Ack> acks, long listedAt) {
    Map<String, JsonArray> published = new LinkedHashMap<>();
    int written = 0;
    Throwable firstError = null;
    for (int i = 0; i < pending.size(); i++) {
      Pending p = pending.get(i);
      CheckpointProducer.Ack ack = acks.get(i);
      if (ack.error() != null) {
        firstError = firstError == null ? ack.error() : firstError;
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
    published.forEach((group, checkpoints) -> bus.publish(Addresses.CHECKPOINTS, new JsonObject()
        .put("flow", flowName).put("sourceClusterAlias", sourceAlias).put("targetClusterAlias", targetAlias)
        .put("group", group).put("timestamp", listedAt).put("checkpoints", checkpoints)));
    if (firstError != null) {
      return Future.failedFuture(new IllegalStateException(flowName + " " + (pending.size() - written) + " of "
          + pending.size() + " checkpoints not written to " + topic + ": " + firstError, firstError));
    }
    return Future.succeededFuture(written);
  }
}
