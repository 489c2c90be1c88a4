package io.vmm.bus;

/** Event-bus addresses. Per-flow addresses embed the flow name {@code A->B}; all data-path ones are local-only. */
public final class Addresses {

  /**
   * Offset translation for other Vert.x apps: request {@code {"flow":"A->B","group":"g"}}; reply
   * {@code {"flow","group","partitions":[{"topic":"A.t","partition":0,"upstreamOffset":15,"offset":14,
   * "exact":true}]}} (target-side topic names, offsets to seek to on the target). Fails with 404 for an unknown
   * flow, 503 when the flow does not checkpoint.
   */
  public static final String TRANSLATE = "vmm.offsets.translate";

  /**
   * Published (cluster-wide) after each heartbeat the flow's source cluster acknowledged (it then travels to the
   * target as {@code <source>.heartbeats} through the flow's data path; its arrival there is what the heartbeat
   * age measures): {@code {"flow","sourceClusterAlias","targetClusterAlias","cluster","timestamp"}} with the
   * record key's aliases (MM2's reverse-herder form), {@code cluster} the cluster written to, timestamp in epoch ms.
   */
  public static final String HEARTBEATS = "vmm.heartbeats";

  /**
   * Published (cluster-wide) per consumer group each time checkpoints are written for it:
   * {@code {"flow","sourceClusterAlias","targetClusterAlias","group","timestamp","checkpoints":[{"topic" (remote),
   * "partition","upstreamOffset","downstreamOffset"}]}}; offsets are "next offset to read", as committed.
   */
  public static final String CHECKPOINTS = "vmm.checkpoints";

  /** Published (cluster-wide) by every replica every few seconds: its own status, as {@code GET /api/flows}. */
  public static final String STATUS = "vmm.status";

  /** Delivery options for this replica's internal addresses: never looked up in, nor sent over, the cluster. */
  public static io.vertx.core.eventbus.DeliveryOptions local() {
    return new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);
  }

  /** A member's own address for cluster requests ({@code op}: status, control, release), cluster-wide. */
  public static String member(String memberKey) {
    return "vmm.member." + memberKey;
  }

  private Addresses() {
  }

  /** A flow's checkpointer: the same request as {@link #TRANSLATE}, local. */
  public static String translate(String flow) {
    return "vmm.flow." + flow + ".translate";
  }

  /** Target producer {@code producer} of a flow: receives {@link SourceBatch}, replies {@link BatchResult}. */
  public static String produce(String flow, int producer) {
    return "vmm.flow." + flow + ".produce." + producer;
  }

  /** Target producer {@code producer} of a flow: receives {@link ProgressUpdate}, replies when stored. */
  public static String progress(String flow, int producer) {
    return "vmm.flow." + flow + ".progress." + producer;
  }

  /** Topic discovery of a flow: request (any body), replies a {@link Discovery}. */
  public static String discover(String flow) {
    return "vmm.flow." + flow + ".discover";
  }

  /**
   * Published (locally) by topic discovery when a refresh finds new topics or partitions, or a recreated topic:
   * a {@link Discovery} with every replicated topic and its current partition count.
   */
  public static String topicsChanged(String flow) {
    return "vmm.flow." + flow + ".topics-changed";
  }

  /** Source task {@code task} of a flow: request {@link TaskAssign}; replies (the count) when positioned. */
  public static String taskAssign(String flow, int task) {
    return "vmm.flow." + flow + ".task." + task + ".assign";
  }

  /** Source task {@code task} of a flow: request {@link TaskReset}; replies (the count) when done. */
  public static String taskReset(String flow, int task) {
    return "vmm.flow." + flow + ".task." + task + ".reset";
  }

  /** The flow's offset-sync writer: receives {@link OffsetSyncBatch} (send, no reply). */
  public static String offsetSyncs(String flow) {
    return "vmm.flow." + flow + ".offset-syncs";
  }

  /** Source task {@code task} of a flow: request {@link TaskCommand}; replies the task's state when applied. */
  public static String taskControl(String flow, int task) {
    return "vmm.flow." + flow + ".task." + task + ".control";
  }

  /** Status and control requests from the HTTP API to this replica's supervisor (local): {@link ControlRequest}. */
  public static final String CONTROL = "vmm.control";

  /**
   * Published (locally) by every source task when its stop begins and when its final progress store is over: a
   * {@link TaskStopReport} of what it did not store (collected by the supervisor while it stops).
   */
  public static final String TASK_STOPS = "vmm.task-stops";

  /** Published (locally) by source tasks when a partition fails: {@link PartitionFailure}. */
  public static String partitionFailed(String flow) {
    return "vmm.flow." + flow + ".partition-failed";
  }

  /** Topic discovery of a flow: request {@link RemoteLimitsRequest}, replies {@link RemoteLimitsRequest.Reply}. */
  public static String remoteLimits(String flow) {
    return "vmm.flow." + flow + ".remote-limits";
  }

  /** Topic discovery of a flow: request {@link LogBoundsRequest}, replies {@link LogBoundsRequest.Reply}. */
  public static String logBounds(String flow) {
    return "vmm.flow." + flow + ".log-bounds";
  }

}
