package io.vmm.bus;

/** Event-bus addresses. Per-flow addresses embed the flow name {@code A->B}; all data-path ones are local-only. */
public final class Addresses {

  private Addresses() {
  }

  /** Target producer {@code producer} of a flow: receives {@link SourceBatch}, replies {@link BatchResult}. */
  public static String produce(String flow, int producer) {
    return "vmm.flow." + flow + ".produce." + producer;
  }

  /** Target producer {@code producer} of a flow: receives {@link ProgressUpdate}, replies when stored. */
  public static String progress(String flow, int producer) {
    return "vmm.flow." + flow + ".progress." + producer;
  }

  /** Topic discovery of a flow: request (any body), replies the replicated topics as JSON. */
  public static String discover(String flow) {
    return "vmm.flow." + flow + ".discover";
  }

  /** Published by source tasks when a partition fails: JSON {flow, topic, partition, offset, error}. */
  public static String partitionFailed(String flow) {
    return "vmm.flow." + flow + ".partition-failed";
  }
}
