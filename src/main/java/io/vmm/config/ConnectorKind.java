package io.vmm.config;

/** The three MM2 connectors of a flow, named as in Strimzi's {@code KafkaMirrorMaker2} mirror spec. */
public enum ConnectorKind {
  SOURCE("sourceConnector", "MirrorSourceConnector"),
  CHECKPOINT("checkpointConnector", "MirrorCheckpointConnector"),
  HEARTBEAT("heartbeatConnector", "MirrorHeartbeatConnector");

  private final String field;
  private final String mm2Name;

  ConnectorKind(String field, String mm2Name) {
    this.field = field;
    this.mm2Name = mm2Name;
  }

  /** The field name in a {@code mirrors[]} entry, e.g. {@code sourceConnector}. */
  public String field() {
    return field;
  }

  /** MM2's connector name, as used in Connect offset keys, e.g. {@code MirrorSourceConnector}. */
  public String mm2Name() {
    return mm2Name;
  }
}
