package io.vmm.testkit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a mirrored topic for exactly-once delivery, reading it as a {@code read_committed} consumer (or, for
 * comparison, {@code read_uncommitted}) from the beginning: which produced keys are missing, which arrived more
 * than once, and where a partition's order differs from the produced order.
 * <p>
 * The produced sequence it checks against: keys {@code k0, k1, ..., k<n-1>}, key {@code k<i>} produced to
 * partition {@code i % partitions} of the source topic, so each partition's produced order is increasing {@code i}
 * (the steady producers of the fault tests write that way, idempotent, so the source holds each key once). The
 * mirror keeps the partition, so on the target {@code k<i>} must be in partition {@code i % partitions}, once,
 * and each partition's keys must increase.
 * <p>
 * Incremental: {@link #catchUp(Duration)} reads from where the previous call stopped up to the current end
 * (for {@code read_committed} the last stable offset: records of open transactions are not read yet), so a test
 * can poll it cheaply. Blocking; for test threads. Not thread-safe. Close it to close its consumer.
 */
public final class ExactlyOnceVerifier implements AutoCloseable {

  /** How many example keys a report lists per kind of problem. */
  private static final int SAMPLES = 10;

  private final String topic;
  private final int partitions;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final BitSet seen = new BitSet();
  private final long[] lastIndex;
  private final long[] readPerPartition;
  private final List<String> duplicateSamples = new ArrayList<>();
  private final List<String> orderSamples = new ArrayList<>();
  private final List<String> partitionSamples = new ArrayList<>();
  private List<TopicPartition> assigned = List.of();
  private long read;
  private long duplicates;
  private long orderViolations;
  private long wrongPartition;
  private long foreign;

  /**
   * A verifier of {@code topic} (e.g. {@code A.orders}) at {@code bootstrapServers}; {@code readCommitted} false
   * reads what a {@code read_uncommitted} consumer sees (aborted records included), for comparison.
   */
  public ExactlyOnceVerifier(String bootstrapServers, String topic, int partitions, boolean readCommitted) {
    this.topic = topic;
    this.partitions = partitions;
    this.lastIndex = new long[partitions];
    java.util.Arrays.fill(lastIndex, -1);
    this.readPerPartition = new long[partitions];
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    this.consumer = new KafkaConsumer<>(c);
  }

  /** A {@code read_committed} verifier. */
  public static ExactlyOnceVerifier readCommitted(String bootstrapServers, String topic, int partitions) {
    return new ExactlyOnceVerifier(bootstrapServers, topic, partitions, true);
  }

  /**
   * Reads on up to the topic's current end (for read_committed: the last stable offset), at most {@code max}
   * long. Returns false when the topic does not exist yet or the end was not reached in time (e.g. a broker is
   * down); what was read until then counts.
   */
  public boolean catchUp(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    try {
      if (assigned.isEmpty()) {
        List<TopicPartition> tps = new ArrayList<>();
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos == null || infos.isEmpty()) {
          return false;
        }
        infos.forEach(p -> tps.add(new TopicPartition(p.topic(), p.partition())));
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        assigned = tps;
      }
      Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, Duration.ofSeconds(5));
      while (System.nanoTime() < deadline) {
        boolean atEnd = true;
        for (TopicPartition tp : assigned) {
          if (consumer.position(tp, Duration.ofSeconds(5)) < ends.get(tp)) {
            atEnd = false;
            break;
          }
        }
        if (atEnd) {
          return true;
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          accept(r);
        }
      }
      return false;
    } catch (RuntimeException e) {
      return false; // a broker down, a timeout: the caller polls again
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> r) {
    read++;
    if (r.partition() < partitions) {
      readPerPartition[r.partition()]++;
    }
    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    int i;
    try {
      i = key.startsWith("k") ? Integer.parseInt(key.substring(1)) : -1;
    } catch (NumberFormatException e) {
      i = -1;
    }
    if (i < 0) {
      foreign++;
      return;
    }
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    if (i % partitions != r.partition()) {
      wrongPartition++;
      sample(partitionSamples, key + " in " + where);
    }
    if (seen.get(i)) {
      duplicates++;
      sample(duplicateSamples, key + " again at " + where);
    } else {
      seen.set(i);
      int p = r.partition() < partitions ? r.partition() : 0;
      if (i < lastIndex[p]) {
        orderViolations++;
        sample(orderSamples, key + " at " + where + " after k" + lastIndex[p]);
      }
    }
    int p = r.partition() < partitions ? r.partition() : 0;
    lastIndex[p] = Math.max(lastIndex[p], i);
  }

  private static void sample(List<String> samples, String s) {
    if (samples.size() < SAMPLES) {
      samples.add(s);
    }
  }

  /** The findings so far against {@code produced} keys {@code k0..k<produced-1>}. */
  public Report report(int produced) {
    List<String> missingSamples = new ArrayList<>();
    long missing = 0;
    Map<Integer, Long> missingPerPartition = new TreeMap<>();
    for (int i = seen.nextClearBit(0); i < produced; i = seen.nextClearBit(i + 1)) {
      missing++;
      missingPerPartition.merge(i % partitions, 1L, Long::sum);
      sample(missingSamples, "k" + i);
    }
    long beyond = seen.length() > produced ? seen.get(produced, seen.length()).cardinality() : 0;
    return new Report(topic, produced, read, missing, List.copyOf(missingSamples), missingPerPartition, duplicates,
        List.copyOf(duplicateSamples), orderViolations, List.copyOf(orderSamples), wrongPartition,
        List.copyOf(partitionSamples), foreign, beyond);
  }

  /**
   * Catches up until no key of {@code k0..k<produced-1>} is missing or {@code timeout} passed, then reads once
   * more after {@code settle} (anything written twice late would arrive by then) and returns the report.
   */
  public Report awaitComplete(int produced, Duration timeout, Duration settle) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      catchUp(Duration.ofSeconds(10));
      if (report(produced).missing() == 0) {
        break;
      }
      sleep(500);
    }
    sleep(settle.toMillis());
    catchUp(Duration.ofSeconds(20));
    return report(produced);
  }

  /** Records read so far per partition (index = partition; duplicates included); a copy. */
  public long[] readPerPartition() {
    return readPerPartition.clone();
  }

  /** Records read so far (all keys, duplicates included). */
  public long read() {
    return read;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }

  /**
   * What a verifier found.
   *
   * @param produced          keys {@code k0..k<produced-1>} expected
   * @param read              records read (duplicates included)
   * @param missing           produced keys not read
   * @param duplicates        records whose key was read before
   * @param orderViolations   records (first copies) whose index is below an index read before in its partition
   * @param wrongPartition    records not in partition {@code i % partitions}
   * @param foreign           records whose key is not {@code k<i>}
   * @param beyond            distinct keys with {@code i >= produced} (sent but not counted as acknowledged)
   */
  public record Report(String topic, int produced, long read, long missing, List<String> missingSamples,
                       Map<Integer, Long> missingPerPartition, long duplicates, List<String> duplicateSamples,
                       long orderViolations, List<String> orderSamples, long wrongPartition,
                       List<String> partitionSamples, long foreign, long beyond) {

    /** No key missing, none twice, order and partitions intact. */
    public boolean exact() {
      return missing == 0 && duplicates == 0 && orderViolations == 0 && wrongPartition == 0;
    }

    @Override
    public String toString() {
      return topic + ": " + produced + " produced, " + read + " read, " + missing + " missing "
          + (missing == 0 ? "" : missingPerPartition + " e.g. " + missingSamples + " ") + ", " + duplicates
          + " duplicates" + (duplicates == 0 ? "" : " e.g. " + duplicateSamples) + ", " + orderViolations
          + " out of order" + (orderViolations == 0 ? "" : " e.g. " + orderSamples) + ", " + wrongPartition
          + " in a wrong partition" + (wrongPartition == 0 ? "" : " e.g. " + partitionSamples)
          + (foreign == 0 ? "" : ", " + foreign + " foreign keys") + (beyond == 0 ? "" : ", " + beyond
          + " keys beyond the acknowledged ones");
    }
  }
}
