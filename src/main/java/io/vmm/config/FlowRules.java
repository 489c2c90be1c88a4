package io.vmm.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks across a parsed flow's clusters and connectors, or across all flows, that no single field can show:
 * exactly-once with a source consumer reading uncommitted data, and replication cycles through a policy that keeps
 * topic names. Pure; problems go to the parser's {@link Problems}.
 */
final class FlowRules {

  private FlowRules() {
  }

  /**
   * Exactly-once reads the source with {@code isolation.level=read_committed} (else aborted upstream data would be
   * mirrored); a flow that asks for exactly-once and sets {@code read_uncommitted} on its source consumer is
   * refused, as MM2 refuses it (MirrorSourceConnector reports no exactly-once support then).
   */
  static void checkExactlyOnce(FlowSpec flow, String path, Problems problems) {
    if (flow.source() == null || flow.target() == null || !flow.exactlyOnce()) {
      return; // an unknown or invalid cluster is reported on its own
    }
    Object isolation = ClientOverrides.apply(flow.source().consumerConfig("validate"),
        flow.sourceConnector().config().clients().consumer()).get("isolation.level");
    if (isolation != null && !"read_committed".equalsIgnoreCase(String.valueOf(isolation).trim())) {
      problems.add(path, "exactly-once (exactly.once.source.support=enabled in cluster \"" + flow.id().target()
          + "\"'s config) reads the source with isolation.level=read_committed, but the source consumer sets "
          + "isolation.level=" + isolation + ": remove it or set read_committed");
    }
  }

  /**
   * A flow whose policy keeps topic names cannot tell a mirrored topic from a local one, so any cycle of flows
   * through it copies records around forever. MM2 only warns in Javadoc; here it is a config error.
   */
  static void checkIdentityCycles(List<FlowSpec> flows, Map<String, String> paths, Problems problems) {
    for (FlowSpec flow : flows) {
      if (!flow.keepsTopicNames()) {
        continue;
      }
      List<String> path = pathBetween(flows, flow.id().target(), flow.id().source());
      if (path != null) {
        problems.add(paths.get(flow.name()), "replication cycle " + flow.id().source() + "->"
            + String.join("->", path) + " with "
            + flow.sourceConnector().config().getString(ConnectorKeys.REPLICATION_POLICY_CLASS)
            + ", which keeps topic names and cannot detect cycles; remove a flow of the cycle or use "
            + "DefaultReplicationPolicy");
      }
    }
  }

  /** Aliases from {@code from} to {@code to} along flows (breadth-first), or null if unreachable. */
  private static List<String> pathBetween(List<FlowSpec> flows, String from, String to) {
    Map<String, String> previous = new LinkedHashMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(from));
    previous.put(from, null);
    while (!queue.isEmpty()) {
      String at = queue.poll();
      if (at.equals(to)) {
        List<String> path = new ArrayList<>();
        for (String a = at; a != null; a = previous.get(a)) {
          path.add(0, a);
        }
        return path;
      }
      for (FlowSpec f : flows) {
        if (f.id().source().equals(at) && !previous.containsKey(f.id().target())) {
          previous.put(f.id().target(), at);
          queue.add(f.id().target());
        }
      }
    }
    return null;
  }
}
