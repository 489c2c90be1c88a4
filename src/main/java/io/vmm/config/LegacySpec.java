package io.vmm.config;

/**
 * Legacy MirrorMaker (MM1) semantics of a flow: the flow's progress is the consumer group {@code groupId}'s
 * committed offsets on the SOURCE cluster (committed offset = next offset to read = last written + 1), not
 * {@code mm2-offsets.<source>.internal} on the target; and what a send failure that retries cannot fix does.
 * Built from a {@code KafkaMirrorMaker} resource or spec ({@link Mm1Spec}), {@code kafka-mirror-maker.sh}'s command
 * line ({@link Mm1CommandLine}), or a mirror whose {@code replication.policy.class} is MM2's
 * {@code LegacyReplicationPolicy}; the JSON form is a mirror's {@code legacy} block.
 *
 * @param groupId                the MM1 consumer group whose offsets are read at start and committed; null: no group
 *                               (identity names and MM2 features off only; progress stays in the progress topic)
 * @param offsetCommitIntervalMs how often the acknowledged prefix is committed, ms (MM1's default 60000)
 * @param abortOnSendFailure     true (MM1's default): a FAILED partition stops the flow and the process exits 1;
 *                               false: the failure is logged and counted, and the flow goes on
 */
public record LegacySpec(String groupId, long offsetCommitIntervalMs, boolean abortOnSendFailure) {

  /** MM1's {@code offset.commit.interval.ms} default, ms. */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 60_000;

  /** True when progress is the group's committed offsets on the source. */
  public boolean commitsGroup() {
    return groupId != null;
  }
}
