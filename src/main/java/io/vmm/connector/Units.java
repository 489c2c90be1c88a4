package io.vmm.connector;

import io.vmm.config.ConnectorKind;

/**
 * Names of a flow's connectors and work units, as Strimzi names connectors: {@code A->B.MirrorSourceConnector};
 * source task {@code N} is the unit {@code A->B.MirrorSourceConnector/N}. Units are what replicas own (cluster
 * mode). Stateless.
 */
public final class Units {

  private Units() {
  }

  /** {@code A->B.MirrorSourceConnector} etc. */
  public static String connector(String flow, ConnectorKind kind) {
    return flow + "." + kind.mm2Name();
  }

  /** {@code A->B.MirrorSourceConnector/3}. */
  public static String task(String flow, int task) {
    return connector(flow, ConnectorKind.SOURCE) + "/" + task;
  }

  /** The connector kind named {@code name} in flow {@code flow}, or null. */
  public static ConnectorKind kindOf(String flow, String name) {
    for (ConnectorKind k : ConnectorKind.values()) {
      if (connector(flow, k).equals(name)) {
        return k;
      }
    }
    return null;
  }
}
