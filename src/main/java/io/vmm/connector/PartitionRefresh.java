package io.vmm.connector;

import io.vertx.core.Future;
import io.vmm.bus.Addresses;
import io.vmm.bus.Discovery;
import io.vmm.bus.PartitionStart;
import io.vmm.bus.TaskAssign;
import io.vmm.bus.TaskReset;
import io.vmm.source.PartitionAssigner;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies a topic refresh (MM2's {@code refresh.topics.*}) to the running tasks without restarting anything:
 * partitions of source topics that were deleted and recreated restart at the new log start (as MM2 does, into
 * the same remote topic), and new partitions are mirrored. One replica: new tasks start while fewer than
 * {@code tasksMax} run, the rest go to the tasks with the fewest partitions. Cluster mode: each new partition goes
 * to its {@link PartitionAssigner#stable} group; a group running here takes it at once, a group of this member
 * that had none starts, other members' groups are theirs (their own discovery finds the partitions).
 * <p>
 * Runs on the flow runner's context, inside its operation queue.
 */
final class PartitionRefresh {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionRefresh.class);

  private final FlowScope scope;
  private final TaskSet tasks;

  PartitionRefresh(FlowScope scope, TaskSet tasks) {
    this.scope = scope;
    this.tasks = tasks;
  }

  /** Applies {@code discovery}: recreated topics first, then new partitions. Never fails (logged). */
  Future<Void> apply(Discovery discovery) {
    return resetRecreated(discovery.recreated()).transform(ar -> addNew(discovery))
        .recover(e -> {
          LOG.error("{} adding partitions failed: {}", scope.name(), e.toString());
          return Future.succeededFuture();
        });
  }

  private Future<Void> resetRecreated(List<String> recreated) {
    if (recreated.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<?>> resets = new ArrayList<>();
    for (int t : tasks.running().keySet()) {
      List<TopicPartition> tps = tasks.assignment().get(t).stream().filter(tp -> recreated.contains(tp.topic()))
          .toList();
      if (!tps.isEmpty()) {
        resets.add(scope.vertx().eventBus().<Integer>request(Addresses.taskReset(scope.name(), t),
            new TaskReset(tps), Addresses.local()).onSuccess(m -> tasks.resetCounted(m.body())));
      }
    }
    return Future.join(resets).mapEmpty();
  }

  private Future<Void> addNew(Discovery discovery) {
    tasks.remember(discovery.topics());
    Set<TopicPartition> assigned = new HashSet<>();
    tasks.assignment().forEach(assigned::addAll);
    List<TopicPartition> added = discovery.partitions().stream().filter(tp -> !assigned.contains(tp)).toList();
    if (added.isEmpty()) {
      return Future.succeededFuture();
    }
    return scope.clustered() ? addStable(added, discovery) : addDealt(added, discovery);
  }

  private Future<Void> addDealt(List<TopicPartition> added, Discovery discovery) {
    List<List<TopicPartition>> assignment = tasks.assignment();
    int existing = assignment.size();
    int newTasks = Math.min(scope.flow().sourceConnector().tasksMax() - existing, added.size());
    List<Integer> slots = new ArrayList<>();
    for (int t = existing; t < existing + newTasks; t++) {
      slots.add(t);
      assignment.add(new ArrayList<>());
    }
    List<Integer> byLoad = new ArrayList<>();
    for (int t = 0; t < existing; t++) {
      byLoad.add(t);
    }
    byLoad.sort(Comparator.comparingInt(t -> assignment.get(t).size()));
    slots.addAll(byLoad);
    Map<Integer, List<TopicPartition>> byTask = new TreeMap<>();
    for (int i = 0; i < added.size(); i++) {
      byTask.computeIfAbsent(slots.get(i % slots.size()), t -> new ArrayList<>()).add(added.get(i));
    }
    LOG.info("{} refresh: mirroring {} new partitions ({} new tasks)", scope.name(), added.size(), newTasks);
    List<Future<?>> steps = new ArrayList<>();
    byTask.forEach((t, tps) -> {
      if (t >= existing) {
        assignment.get(t).addAll(tps);
        List<PartitionStart> starts = new ArrayList<>(tasks.plan(tps, discovery.bounds()).starts().values());
        steps.add(tasks.deployProducer(t).compose(v -> tasks.deployTask(t, starts)));
      } else {
        steps.add(assignTo(t, tps, discovery));
      }
    });
    return Future.all(steps).mapEmpty();
  }

  private Future<Void> addStable(List<TopicPartition> added, Discovery discovery) {
    List<List<TopicPartition>> assignment = tasks.assignment();
    Map<Integer, List<TopicPartition>> byTask = new TreeMap<>();
    added.forEach(tp -> byTask.computeIfAbsent(PartitionAssigner.taskOf(tp, assignment.size()),
        t -> new ArrayList<>()).add(tp));
    LOG.info("{} refresh: {} new partitions", scope.name(), added.size());
    List<Future<?>> steps = new ArrayList<>();
    byTask.forEach((t, tps) -> {
      if (tasks.running().containsKey(t)) {
        steps.add(assignTo(t, tps, discovery));
      } else {
        assignment.get(t).addAll(tps);
        if (scope.ownership().owns(Units.task(scope.name(), t))) {
          steps.add(tasks.startLater(List.of(t)));
        }
      }
    });
    return Future.all(steps).mapEmpty();
  }

  /** Adds {@code tps} to running task {@code t}, each at its planned start. */
  private Future<Void> assignTo(int t, List<TopicPartition> tps, Discovery discovery) {
    List<PartitionStart> starts = new ArrayList<>(tasks.plan(tps, discovery.bounds()).starts().values());
    return scope.vertx().eventBus().request(Addresses.taskAssign(scope.name(), t), new TaskAssign(starts),
        Addresses.local()).onSuccess(m -> tasks.assignment().get(t).addAll(tps)).mapEmpty();
  }
}
