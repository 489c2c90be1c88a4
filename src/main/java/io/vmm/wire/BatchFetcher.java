package io.vmm.wire;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Fetches raw record batches of assigned partitions, one Fetch request in flight per leader (sessionless fetch,
 * version 12: topic names, no topic ids), and hands each answer to a {@link Sink} as {@link Part}s
 * ({@link FetchedPartition}): batches that may pass through unchanged ({@link BatchHeader#check}) and, in offset
 * order between them, the records of batches that may not (decoded by {@link BatchDecoder}: LogAppendTime, compacted batches with holes, a batch that
 * starts before the position, topics the caller wants as records). Control batches are never handed over; under
 * {@code read_committed} the aborted transactions' batches are dropped ({@link AbortedTransactions}).
 * <p>
 * Positions are "next offset to read". A partition without a position is reset by {@code auto.offset.reset}
 * (ListOffsets, earliest or latest), or fails with {@link OffsetOutOfRangeException} when it is {@code none}; an
 * out-of-range position is reset the same way. A leader change or unknown partition refreshes the leaders and
 * retries after the retry backoff. An answer for a partition that was paused or sought after the request was
 * sent is dropped without moving its position (fetched again later).
 * <p>
 * Threading: confined to the {@link WireClient}'s I/O thread; every public method must be called there (through
 * {@link WireClient#execute}). The sink is called there too.
 */
public final class BatchFetcher {

  /** Where fetched data goes; called on the I/O thread. */
  public interface Sink {
    /**
     * One Fetch answer's data: per partition, what follows its previous position. Each batch holds the answer's
     * pooled buffer until released: the receiver calls {@link RawBatch#release} on each when done with it.
     */
    void fetched(Map<TopicPartition, Part> parts);

    /** {@code tp} cannot be read: out of range with {@code auto.offset.reset=none}, or refused for good. */
    void failed(TopicPartition tp, Throwable error);

    /** A request failed (retried after the backoff); for a throttled warning. */
    void retrying(String what, Throwable error);
  }

  /**
   * Data of one partition from one answer, in upstream offset order: {@code records} and {@code batches}
   * interleave by offset (each list is sorted).
   *
   * @param records    decoded records of batches that may not pass through
   * @param batches    batches that pass through unchanged
   * @param nextOffset the partition's position after this data (next offset to read)
   * @param highWatermark the leader's high watermark in the answer
   */
  public record Part(List<ConsumerRecord<byte[], byte[]>> records, List<RawBatch> batches, long nextOffset,
                     long highWatermark) {
  }

  /**
   * Fetch settings, from the source consumer's configuration.
   *
   * @param isolation           {@code isolation.level}
   * @param maxWaitMs           {@code fetch.max.wait.ms}
   * @param minBytes            {@code fetch.min.bytes}
   * @param maxBytes            {@code fetch.max.bytes}
   * @param partitionMaxBytes   {@code max.partition.fetch.bytes}
   * @param reset               {@code auto.offset.reset}: earliest, latest or none
   * @param rackId              {@code client.rack} or empty
   * @param retryBackoffMs      {@code retry.backoff.ms}
   */
  public record Settings(IsolationLevel isolation, int maxWaitMs, int minBytes, int maxBytes, int partitionMaxBytes,
                         String reset, String rackId, long retryBackoffMs) {
  }

  /** Fetch state of one partition. */
  private static final class State {
    long position = -1;
    boolean paused;
    boolean resetting;
    /** Bumped by every seek and pause: answers to requests sent under an older mark are dropped. */
    int mark;
    long backoffUntil;
  }

  private final WireClient wire;
  private final Settings settings;
  private final Predicate<TopicPartition> recordsOnly;
  private final Sink sink;
  private final Map<TopicPartition, State> states = new LinkedHashMap<>();
  private final Set<Integer> fetching = new HashSet<>();
  private boolean refreshing;
  /** When a {@link #maybeFetch} is scheduled for the end of a backoff (0: none). */
  private long wakeAt;
  private boolean allPaused;
  private boolean closed;

  /**
   * @param recordsOnly partitions whose data is always decoded into records (e.g. heartbeats, whose timestamps
   *                    the source task reads)
   */
  public BatchFetcher(WireClient wire, Settings settings, Predicate<TopicPartition> recordsOnly, Sink sink) {
    this.wire = wire;
    this.settings = settings;
    this.recordsOnly = recordsOnly;
    this.sink = sink;
  }

  /** Replaces the assigned partitions; new ones start without a position (reset unless sought). */
  public void assign(Set<TopicPartition> tps) {
    states.keySet().retainAll(tps);
    for (TopicPartition tp : tps) {
      states.computeIfAbsent(tp, k -> new State());
    }
    maybeFetch();
  }

  /** Sets the next offset to read of {@code tp}. */
  public void seek(TopicPartition tp, long offset) {
    State s = states.get(tp);
    if (s != null) {
      s.position = offset;
      s.resetting = false;
      s.mark++;
      maybeFetch();
    }
  }

  /** Moves {@code tps} to their log start offsets. */
  public void seekToBeginning(Set<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      State s = states.get(tp);
      if (s != null) {
        s.mark++;
        reset(tp, s, ListOffsetsRequest.EARLIEST_TIMESTAMP);
      }
    }
  }

  /** Stops fetching {@code tps} (all assigned partitions when null) until resumed. */
  public void pause(Set<TopicPartition> tps) {
    if (tps == null) {
      allPaused = true;
      return;
    }
    for (TopicPartition tp : tps) {
      State s = states.get(tp);
      if (s != null && !s.paused) {
        s.paused = true;
        s.mark++;
      }
    }
  }

  /** Fetches {@code tps} again (all partitions, lifting a pause of all, when null). */
  public void resume(Set<TopicPartition> tps) {
    if (tps == null) {
      allPaused = false;
    } else {
      for (TopicPartition tp : tps) {
        State s = states.get(tp);
        if (s != null) {
          s.paused = false;
        }
      }
    }
    maybeFetch();
  }

  /** Stops fetching for good; answers still in flight are dropped. */
  public void close() {
    closed = true;
  }

  private void maybeFetch() {
    if (closed || allPaused) {
      return;
    }
    long now = System.currentTimeMillis();
    Map<Node, LinkedHashMap<TopicPartition, FetchRequest.PartitionData>> byNode = new HashMap<>();
    Set<String> unknown = new HashSet<>();
    for (Map.Entry<TopicPartition, State> e : states.entrySet()) {
      TopicPartition tp = e.getKey();
      State s = e.getValue();
      if (s.paused || s.resetting || s.backoffUntil > now) {
        continue;
      }
      Node leader = wire.leader(tp);
      if (leader == null) {
        unknown.add(tp.topic());
        continue;
      }
      if (s.position < 0) {
        reset(tp, s, "latest".equals(settings.reset()) ? ListOffsetsRequest.LATEST_TIMESTAMP
            : ListOffsetsRequest.EARLIEST_TIMESTAMP);
        continue;
      }
      if (fetching.contains(leader.id())) {
        continue;
      }
      byNode.computeIfAbsent(leader, n -> new LinkedHashMap<>()).put(tp, new FetchRequest.PartitionData(
          org.apache.kafka.common.Uuid.ZERO_UUID, s.position, -1, settings.partitionMaxBytes(),
          Optional.ofNullable(wire.leaderEpoch(tp))));
    }
    byNode.forEach(this::fetch);
    if (!unknown.isEmpty()) {
      refresh(unknown);
    }
    long wake = states.values().stream().filter(s -> s.backoffUntil > now).mapToLong(s -> s.backoffUntil)
        .min().orElse(0);
    if (wake > 0 && (wakeAt <= now || wake < wakeAt)) {
      wakeAt = wake;
      wire.schedule(wake, this::maybeFetch);
    }
  }

  private void refresh(Set<String> topics) {
    if (refreshing) {
      return;
    }
    refreshing = true;
    wire.refreshLeaders(topics, () -> {
      refreshing = false;
      for (State s : states.values()) {
        s.backoffUntil = Math.max(s.backoffUntil, System.currentTimeMillis() + settings.retryBackoffMs());
      }
      maybeFetch();
    });
  }

  private void fetch(Node node, LinkedHashMap<TopicPartition, FetchRequest.PartitionData> data) {
    Map<TopicPartition, Integer> marks = new HashMap<>();
    data.keySet().forEach(tp -> marks.put(tp, states.get(tp).mark));
    FetchRequest.Builder request = FetchRequest.Builder
        .forConsumer((short) 12, settings.maxWaitMs(), settings.minBytes(), data)
        .isolationLevel(settings.isolation())
        .setMaxBytes(settings.maxBytes())
        .metadata(FetchMetadata.LEGACY)
        .rackId(settings.rackId());
    fetching.add(node.id());
    wire.send(node, request, (response, error) -> {
      fetching.remove(node.id());
      if (closed) {
        return;
      }
      if (error != null) {
        sink.retrying("fetch from node " + node.id(), error);
        backoff(marks.keySet());
        refresh(topics(marks.keySet()));
      } else {
        onFetch((FetchResponse) response, marks);
      }
      maybeFetch();
    });
  }

  private void onFetch(FetchResponse response, Map<TopicPartition, Integer> marks) {
    AnswerLease lease = wire.holdAnswer(); // the batches are views of the answer's buffer
    try {
      onFetch(response, marks, lease);
    } finally {
      lease.release(); // each batch holds its own count
    }
  }

  private void onFetch(FetchResponse response, Map<TopicPartition, Integer> marks, AnswerLease lease) {
    Map<TopicPartition, Part> parts = new LinkedHashMap<>();
    Set<String> stale = new HashSet<>();
    for (FetchResponseData.FetchableTopicResponse t : response.data().responses()) {
      for (FetchResponseData.PartitionData p : t.partitions()) {
        TopicPartition tp = new TopicPartition(t.topic(), p.partitionIndex());
        State s = states.get(tp);
        Integer mark = marks.get(tp);
        if (s == null || mark == null || mark != s.mark || s.paused) {
          continue; // unassigned, sought or paused since the request: fetched again from the position
        }
        Errors error = Errors.forCode(p.errorCode());
        switch (error) {
          case NONE -> {
            Part part = FetchedPartition.read(tp, s.position, p,
                settings.isolation() == IsolationLevel.READ_COMMITTED, recordsOnly.test(tp), lease);
            if (part != null) {
              s.position = part.nextOffset();
              parts.put(tp, part);
            }
          }
          case OFFSET_OUT_OF_RANGE -> {
            if ("none".equals(settings.reset())) {
              sink.failed(tp, new OffsetOutOfRangeException("offset " + s.position + " of " + tp
                  + " is out of range and auto.offset.reset=none", Map.of(tp, s.position)));
              s.paused = true;
            } else {
              reset(tp, s, "latest".equals(settings.reset()) ? ListOffsetsRequest.LATEST_TIMESTAMP
                  : ListOffsetsRequest.EARLIEST_TIMESTAMP);
            }
          }
          case NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION,
               UNKNOWN_TOPIC_ID, KAFKA_STORAGE_ERROR, OFFSET_NOT_AVAILABLE, REPLICA_NOT_AVAILABLE,
               LEADER_NOT_AVAILABLE -> {
            stale.add(tp.topic());
            s.backoffUntil = System.currentTimeMillis() + settings.retryBackoffMs();
          }
          default -> {
            sink.retrying("fetch of " + tp, error.exception());
            s.backoffUntil = System.currentTimeMillis() + settings.retryBackoffMs() * 10;
          }
        }
      }
    }
    if (!stale.isEmpty()) {
      refresh(stale);
    }
    if (!parts.isEmpty()) {
      sink.fetched(parts);
    }
  }

  private void reset(TopicPartition tp, State s, long timestamp) {
    Node leader = wire.leader(tp);
    if (leader == null) {
      s.position = -1;
      refresh(Set.of(tp.topic()));
      return;
    }
    s.resetting = true;
    int mark = s.mark;
    ListOffsets.of(wire, leader, tp, timestamp, settings.isolation(), (offset, error) -> {
      if (closed || states.get(tp) != s || s.mark != mark) {
        return; // sought meanwhile
      }
      s.resetting = false;
      if (offset >= 0) {
        s.position = offset;
      } else {
        sink.retrying("listing offsets of " + tp, error);
        s.position = -1;
        s.backoffUntil = System.currentTimeMillis() + settings.retryBackoffMs();
        refresh(Set.of(tp.topic()));
      }
      maybeFetch();
    });
  }

  private void backoff(Set<TopicPartition> tps) {
    long until = System.currentTimeMillis() + settings.retryBackoffMs();
    for (TopicPartition tp : tps) {
      State s = states.get(tp);
      if (s != null) {
        s.backoffUntil = until;
      }
    }
  }

  private static Set<String> topics(Set<TopicPartition> tps) {
    Set<String> topics = new HashSet<>();
    tps.forEach(tp -> topics.add(tp.topic()));
    return topics;
  }
}
