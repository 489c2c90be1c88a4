package io.vmm.source;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vmm.async.RetryPolicy;
import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;
import io.vmm.kafka.FlowAdmins;
import io.vmm.kafka.KafkaFutures;
import io.vmm.policy.ReplicationRules;
import io.vmm.policy.TopicConfigRules;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidMetadataException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The remote topics of a flow on its target cluster (the topic-creation half of MM2's
 * {@code MirrorSourceConnector}): creates each missing remote topic with the source partition count, the
 * flow's {@code replication.factor} (-1 = broker default) and the source topic's syncable configs (as MM2 does);
 * adds partitions to a remote topic that has fewer than its source (never removes any); and, after either,
 * waits until every new partition is writable. Thousands of new partitions are created in two stages, so
 * mirroring starts before the broker made all of them writable ({@link #ensure}).
 * <p>
 * Idempotent and safe against other replicas (cluster mode) or MM2 doing the same at the same time: a topic
 * that already exists, or partitions another process added first, are fine.
 * <p>
 * A remote topic deleted on the target while mirroring is created again at the next refresh (within
 * {@code refresh.topics.interval.seconds}), with one WARN naming it: the records it held are gone with it,
 * records not yet acknowledged by the target are retried by the producer and land in the new topic.
 * <p>
 * Threading: call on the owning verticle's context; every future completes there (admin calls are bridged
 * with {@link FlowAdmins#call}, each bounded by {@code admin.timeout.ms}).
 */
final class RemoteTopics {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteTopics.class);

  private final Vertx vertx;
  private final Context context;
  private final FlowSpec flow;
  private final FlowAdmins admins;
  private final ReplicationRules rules;
  private final TopicConfigRules configRules;
  /** The flow passes batches through ({@code vmm.data.path=batch}). */
  private final boolean passThrough;
  /** Remote topics seen on the target (existing or created) since this flow started: their absence is a deletion. */
  private final Set<String> seen = new java.util.HashSet<>();
  /**
   * Remote topics of a staged creation still in progress, to its completion: an overlapping call (a refresh)
   * leaves them pending too instead of taking them as existing before they are writable.
   */
  private final Map<String, Future<Void>> creating = new HashMap<>();

  /** New partitions in the first stage of a staged creation ({@link #ensure}), unless {@code tasksMax} is larger. */
  static final int STAGE_PARTITIONS = 200;

  RemoteTopics(Vertx vertx, Context context, FlowSpec flow, FlowAdmins admins, ReplicationRules rules) {
    this.vertx = vertx;
    this.context = context;
    this.flow = flow;
    this.admins = admins;
    this.rules = rules;
    this.configRules = TopicConfigRules.of(flow.sourceConnector().config());
    this.passThrough = "batch".equals(flow.sourceConnector().config().getString(ConnectorKeys.DATA_PATH));
  }

  /**
   * What {@link #ensure} left for later: the source topics whose remote topics are still being created (empty when
   * everything is done), and the completion of that (on the owning context; fails with the first admin error).
   */
  record Ensured(Set<String> pending, Future<Void> rest) {
    static final Ensured ALL = new Ensured(Set.of(), Future.succeededFuture());
  }

  /**
   * Creates the missing remote topics, then grows the existing ones whose source has more partitions, and waits
   * until every partition created by this call is writable.
   * <p>
   * <b>Staged creation.</b> A broker makes the partitions of one CreateTopics request writable together, at a few
   * hundred logs a second on a small machine (5,000 new partitions: about 7 s). So when more than twice
   * {@link #STAGE_PARTITIONS} (or twice {@code tasksMax}, if larger) partitions are new, only the first topics by
   * source name holding at least that many are created before this completes; the others are created once those
   * are writable, in the background ({@link Ensured#rest}), and mirroring starts meanwhile. A call made while an
   * earlier call's staged topics are still being created reports those as pending too.
   *
   * @param sourcePartitions replicated source topic to its partition count
   * @param targetNames      the topic names the target cluster has now
   * @return completes when done, but for the staged topics ({@link Ensured}); fails with the first admin error
   *     (other than "already exists")
   */
  Future<Ensured> ensure(Map<String, Integer> sourcePartitions, Set<String> targetNames) {
    int rf = flow.sourceConnector().config().getInt(ConnectorKeys.REPLICATION_FACTOR);
    Map<String, NewTopic> toCreate = new TreeMap<>(); // by source topic
    List<String> existing = new ArrayList<>();
    Set<String> stillCreating = new TreeSet<>(); // by an earlier call's staged creation: pending here too
    sourcePartitions.forEach((topic, partitions) -> {
      String remote = rules.remoteTopic(topic);
      if (creating.containsKey(remote)) {
        stillCreating.add(topic);
      } else if (targetNames.contains(remote)) {
        existing.add(remote);
        seen.add(remote);
      } else {
        if (seen.remove(remote)) {
          LOG.warn("{} remote topic {} was deleted on {} while mirroring: creating it again; the records it held "
              + "are gone with it, records not yet written go to the new topic", flow.name(), remote,
              flow.id().target());
        }
        toCreate.put(topic, new NewTopic(remote, Optional.of(partitions),
            rf < 0 ? Optional.empty() : Optional.of((short) rf)));
      }
    });
    Map<String, NewTopic> later = stage(toCreate, sourcePartitions);
    Future<Void> created = toCreate.isEmpty() ? Future.succeededFuture() : createWritable(toCreate, sourcePartitions);
    Future<Void> ready = existing.isEmpty() ? created : created.compose(v -> grow(sourcePartitions, existing));
    if (later.isEmpty() && stillCreating.isEmpty()) {
      return ready.map(v -> Ensured.ALL);
    }
    return ready.map(v -> {
      List<Future<Void>> rest = new ArrayList<>();
      stillCreating.forEach(topic -> rest.add(creating.get(rules.remoteTopic(topic))));
      if (!later.isEmpty()) {
        int n = later.keySet().stream().mapToInt(sourcePartitions::get).sum();
        LOG.info("{} mirroring starts with {} new remote topics; the other {} ({} partitions) are being created "
            + "and join as soon as they are writable", flow.name(), toCreate.size(), later.size(), n);
        Future<Void> laterDone = createWritable(later, sourcePartitions);
        later.values().forEach(t -> creating.put(t.name(), laterDone));
        laterDone.onComplete(ar -> later.values().forEach(t -> creating.remove(t.name())));
        rest.add(laterDone);
      }
      Set<String> pending = new TreeSet<>(stillCreating);
      pending.addAll(later.keySet());
      return new Ensured(Set.copyOf(pending), Future.all(rest).mapEmpty());
    });
  }

  /**
   * Moves the topics of {@code toCreate} beyond the first stage (see {@link #ensure}) out of it; returns them
   * (empty when creation is not staged).
   */
  private Map<String, NewTopic> stage(Map<String, NewTopic> toCreate, Map<String, Integer> sourcePartitions) {
    int first = Math.max(STAGE_PARTITIONS, flow.sourceConnector().tasksMax());
    int total = toCreate.keySet().stream().mapToInt(sourcePartitions::get).sum();
    Map<String, NewTopic> later = new TreeMap<>();
    if (total <= 2 * first) {
      return later;
    }
    int n = 0;
    for (var it = toCreate.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (n >= first) {
        later.put(e.getKey(), e.getValue());
        it.remove();
      } else {
        n += sourcePartitions.get(e.getKey());
      }
    }
    return later;
  }

  /** Creates {@code bySourceTopic}'s remote topics with their source configs and waits until they are writable. */
  private Future<Void> createWritable(Map<String, NewTopic> bySourceTopic, Map<String, Integer> sourcePartitions) {
    List<TopicPartition> partitions = new ArrayList<>();
    bySourceTopic.forEach((topic, newTopic) ->
        partitions(newTopic.name(), 0, sourcePartitions.get(topic)).forEach(partitions::add));
    return withSourceConfigs(bySourceTopic).compose(this::createTopics).compose(v -> awaitWritable(partitions));
  }

  /** Adds partitions to each remote topic in {@code existing} that has fewer than its source topic. */
  private Future<Void> grow(Map<String, Integer> sourcePartitions, List<String> existing) {
    return call(target().describeTopics(existing).allTopicNames(), "describe remote topics")
        .compose(remoteDescriptions -> {
          Map<String, NewPartitions> grow = new HashMap<>();
          List<TopicPartition> added = new ArrayList<>();
          sourcePartitions.forEach((topic, partitions) -> {
            TopicDescription d = remoteDescriptions.get(rules.remoteTopic(topic));
            if (d != null && d.partitions().size() < partitions) {
              LOG.info("{} remote topic {} has {} partitions, source {} has {}: adding partitions", flow.name(),
                  d.name(), d.partitions().size(), topic, partitions);
              grow.put(d.name(), NewPartitions.increaseTo(partitions));
              partitions(d.name(), d.partitions().size(), partitions).forEach(added::add);
            }
          });
          return grow.isEmpty() ? Future.succeededFuture()
              : call(target().createPartitions(grow).all(), "add partitions to remote topics")
                  // another replica (cluster mode) grew it first
                  .recover(e -> KafkaFutures.causedBy(e, InvalidPartitionsException.class)
                      ? Future.succeededFuture() : Future.failedFuture(e))
                  .compose(v -> awaitWritable(added));
        });
  }

  private static Stream<TopicPartition> partitions(String topic, int from, int to) {
    return IntStream.range(from, to).mapToObj(p -> new TopicPartition(topic, p));
  }

  /** Gives each new remote topic the source topic's non-default syncable config entries, as MM2 does. */
  private Future<List<NewTopic>> withSourceConfigs(Map<String, NewTopic> bySourceTopic) {
    List<ConfigResource> resources = new ArrayList<>();
    bySourceTopic.keySet().forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
    return call(admins.source().describeConfigs(resources).all(), "describe source topic configs")
        .map(configs -> {
          List<NewTopic> out = new ArrayList<>();
          bySourceTopic.forEach((topic, newTopic) -> {
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
            out.add(config == null ? newTopic : newTopic.configs(creationConfigs(config)));
          });
          return out;
        });
  }

  /**
   * The syncable non-default configs; on the batch pass-through path also the source's {@code compression.type}
   * even when it is the default ({@code producer}), so the target keeps each batch's codec and never recompresses
   * whatever the target brokers' default is.
   */
  private Map<String, String> creationConfigs(Config source) {
    Map<String, String> configs = new HashMap<>(configRules.creationConfigs(source));
    ConfigEntry compression = source.get("compression.type");
    if (passThrough && compression != null && compression.value() != null) {
      configs.putIfAbsent("compression.type", compression.value());
    }
    return configs;
  }

  /** Creates the topics, each on its own; one that exists already (another replica, MM2) counts as created. */
  private Future<Void> createTopics(List<NewTopic> topics) {
    Map<String, KafkaFuture<Void>> results = target().createTopics(topics).values();
    List<Future<Void>> each = new ArrayList<>();
    results.forEach((name, kf) -> each.add(call(kf, "create remote topic " + name)
        .onSuccess(v -> {
          seen.add(name);
          LOG.info("{} created remote topic {}", flow.name(), name);
        })
        .recover(e -> KafkaFutures.causedBy(e, TopicExistsException.class)
            ? Future.succeededFuture() : Future.failedFuture(e))));
    return Future.all(each).mapEmpty();
  }

  /**
   * The {@code max.message.bytes} of each of {@code remoteNames} on the target (one DescribeConfigs call): the
   * record path's producer keeps its {@code batch.size} at most the smallest, since Kafka's producer splits a
   * batch the topic refuses as too large into batches of up to {@code batch.size} again, and so retries a batch
   * larger than the topic's limit until {@code delivery.timeout.ms}. Never fails: topics it cannot read are left
   * out (logged at DEBUG).
   */
  Future<Map<String, Integer>> limits(Collection<String> remoteNames) {
    if (remoteNames.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<ConfigResource> resources = new ArrayList<>();
    remoteNames.forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
    return call(target().describeConfigs(resources).all(), "describe remote topic configs").map(configs -> {
      Map<String, Integer> out = new HashMap<>();
      configs.forEach((resource, config) -> {
        ConfigEntry e = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (e != null && e.value() != null) {
          out.put(resource.name(), Integer.parseInt(e.value().trim()));
        }
      });
      return (Map<String, Integer>) out;
    }).recover(e -> {
      LOG.debug("{} remote topics' max.message.bytes not read: {}", flow.name(), e.toString());
      return Future.succeededFuture(Map.of());
    });
  }

  /**
   * Waits until every new partition is hosted by its leader: a ListOffsets request reaches the leader's log and
   * is retried by the admin client until it is there. Producing earlier races the broker applying the new
   * topic, and an idempotent producer can then write a later batch before an earlier one, which fails with
   * OutOfOrderSequence (KAFKA-15591, fixed after Kafka 4.1). First waits (quietly) until the broker's metadata
   * knows the topics, then until each leader hosts its log; both within {@code admin.timeout.ms} from now.
   *
   * @param partitions new remote partitions (may be empty)
   */
  Future<Void> awaitWritable(List<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
    long deadline = System.currentTimeMillis()
        + flow.sourceConnector().config().getLong(ConnectorKeys.ADMIN_TIMEOUT_MS);
    List<String> topics = partitions.stream().map(TopicPartition::topic).distinct().toList();
    return whileMetadataLags(() -> call(target().describeTopics(topics).allTopicNames(), "describe new topics")
        .mapEmpty(), deadline)
        .compose(v -> whileMetadataLags(() -> call(target().listOffsets(specs).all(),
            "wait for " + specs.size() + " new partitions").mapEmpty(), deadline));
  }

  /**
   * Runs {@code attempt} with {@link RetryPolicy#SHORT} while it fails because the broker's metadata does not
   * know a new topic yet (right after creation; the admin client does not retry that itself), until
   * {@code deadline} (epoch ms).
   */
  private Future<Void> whileMetadataLags(Supplier<Future<Void>> attempt, long deadline) {
    return RetryPolicy.SHORT.run(vertx, attempt, e -> KafkaFutures.causedBy(e, InvalidMetadataException.class),
        deadline);
  }

  private Admin target() {
    return admins.target();
  }

  private <T> Future<T> call(KafkaFuture<T> future, String what) {
    return admins.call(context, future, what);
  }
}
