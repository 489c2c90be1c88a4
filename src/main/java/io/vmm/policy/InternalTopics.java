package io.vmm.policy;

import io.vmm.config.ConnectorKeys;
import io.vmm.config.FlowSpec;

/**
 * Every internal topic name of a flow {@code A->B}, in one place (mm2-compatibility.md §1). Names that MM2 takes
 * from the replication policy (offset syncs, checkpoints) come from the flow's policy, so custom separators apply
 * as in MM2. Immutable.
 *
 * @param progress    {@code mm2-offsets.A.internal} on B: mirror progress (Connect's offset storage topic)
 * @param offsetSyncs {@code mm2-offset-syncs.B.internal} on A, or {@code mm2-offset-syncs.A.internal} on B with
 *                    {@code offset-syncs.topic.location=target}
 * @param syncsOnTarget whether {@code offsetSyncs} lives on the target cluster
 * @param checkpoints {@code A.checkpoints.internal} on B
 * @param heartbeats  {@code heartbeats} on the <b>source</b> A (not affected by the separator): the flow's heartbeat
 *                    connector writes there and the source connector mirrors it to B as {@code A.heartbeats}, as
 *                    MM2's reverse herder {@code B->A} does in dedicated mode. (Before issue 14 it was written
 *                    on B directly.)
 */
public record InternalTopics(String progress, String offsetSyncs, boolean syncsOnTarget, String checkpoints,
                             String heartbeats) {

  /** MM2's heartbeats topic name; a flow {@code A->B} writes it on A, its source. */
  public static final String HEARTBEATS = "heartbeats";

  /** The progress topic of flows from {@code sourceAlias}, on their target. */
  public static String progressTopic(String sourceAlias) {
    return "mm2-offsets." + sourceAlias + ".internal";
  }

  /** The internal topics of {@code flow}. */
  public static InternalTopics of(FlowSpec flow) {
    boolean onTarget = "target".equals(
        flow.sourceConnector().config().getString(ConnectorKeys.OFFSET_SYNCS_TOPIC_LOCATION));
    var policy = flow.replicationPolicy();
    return new InternalTopics(progressTopic(flow.id().source()),
        policy.offsetSyncsTopic(onTarget ? flow.id().source() : flow.id().target()), onTarget,
        policy.checkpointsTopic(flow.id().source()), HEARTBEATS);
  }
}
