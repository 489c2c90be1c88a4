package io.vmm.config;

import java.net.InetAddress;
import java.util.List;

/**
 * The {@code cluster} block: whether this replica joins a Vert.x cluster (Hazelcast cluster manager) with the
 * other replicas of the same config, and how they find each other.
 * <pre>{@code
 * "cluster": {
 *   "enabled": true,
 *   "name": "vertx-mirror-maker",          // Hazelcast cluster name: replicas with the same name join
 *   "memberName": "vmm-0",                 // stable member name; default $VMM_MEMBER_NAME, $HOSTNAME, host name
 *   "host": "10.1.2.3",                    // address Hazelcast and the event bus bind to and announce
 *   "port": 5701,                          // Hazelcast port (the next free one above it when taken)
 *   "eventBusPort": 0,                     // event bus TCP port, 0 = any free port
 *   "members": ["10.1.2.3:5701", "10.1.2.4"],               // TCP-IP join (VMs, tests), or
 *   "kubernetes": { "serviceDns": "vmm-hz.ns.svc.cluster.local" },  // DNS discovery via a headless Service
 *   "memberTimeoutSeconds": 5              // a silent member is removed after this (failover time)
 * }
 * }</pre>
 * Exactly one discovery mode is required when enabled: {@code members}, {@code kubernetes.serviceDns}, or
 * {@code configFile} (a complete Hazelcast XML file, used as it is).
 *
 * @param enabled              {@code cluster.enabled} (default false: a single replica, no cluster manager)
 * @param name                 Hazelcast cluster name (default {@code vertx-mirror-maker})
 * @param memberName           this replica's name: the key of rendezvous assignment, so a restarted replica with
 *                             the same name gets the same work back; must differ between replicas (duplicates
 *                             fall back to the random node id and are logged)
 * @param host                 bind and public address, or null for Hazelcast's and Vert.x's defaults
 *                             ({@code $POD_IP} when set)
 * @param port                 Hazelcast port (default 5701, auto-incremented when taken)
 * @param eventBusPort         event bus port (default 0: any free port)
 * @param members              TCP-IP member list, {@code host} or {@code host:port}; empty when not used
 * @param kubernetesServiceDns DNS name of a headless Service for Kubernetes discovery, or null
 * @param kubernetesServicePort Hazelcast port behind that Service (default 5701)
 * @param configFile           path of a full Hazelcast XML config, or null
 * @param memberTimeoutSeconds seconds without heartbeat after which a member is removed (default 5, 2..300)
 */
public record ClusterModeSpec(boolean enabled, String name, String memberName, String host, int port,
                              int eventBusPort, List<String> members, String kubernetesServiceDns,
                              int kubernetesServicePort, String configFile, int memberTimeoutSeconds) {

  static final String DEFAULT_NAME = "vertx-mirror-maker";

  /** Cluster mode off, member name from the process's environment. */
  public static ClusterModeSpec disabled() {
    return disabled(Environment.system());
  }

  /** Cluster mode off, member name from {@code env} ({@link #defaultMemberName}). */
  public static ClusterModeSpec disabled(Environment env) {
    return new ClusterModeSpec(false, DEFAULT_NAME, defaultMemberName(env), null, 5701, 0, List.of(),
        null, 5701, null, 5);
  }

  /**
   * The {@code cluster} block at {@code node} (null = absent = disabled); problems name the JSON path. Defaults
   * from {@code env}: {@code memberName} ({@link #defaultMemberName}) and {@code host} ({@code $POD_IP}).
   */
  static ClusterModeSpec parse(JsonNode node, Problems problems, Environment env) {
    if (node == null) {
      return disabled(env);
    }
    node.checkFields(JsonNode.set("enabled", "name", "memberName", "host", "port", "eventBusPort", "members",
        "kubernetes", "configFile", "memberTimeoutSeconds"), List.of());
    boolean enabled = node.bool("enabled", false);
    String name = node.string("name", false);
    String memberName = node.string("memberName", false);
    String host = node.string("host", false);
    int port = node.integer("port", 5701, 1, 65535);
    int eventBusPort = node.integer("eventBusPort", 0, 0, 65535);
    List<String> members = node.strings("members");
    String serviceDns = null;
    int servicePort = 5701;
    JsonNode k8s = node.object("kubernetes");
    if (k8s != null) {
      k8s.checkFields(JsonNode.set("serviceDns", "servicePort"), List.of());
      serviceDns = k8s.string("serviceDns", true);
      servicePort = k8s.integer("servicePort", 5701, 1, 65535);
    }
    String configFile = node.string("configFile", false);
    int timeout = node.integer("memberTimeoutSeconds", 5, 2, 300);
    for (String field : new String[] {"name", "memberName", "host", "configFile"}) {
      if (node.has(field) && node.string(field, false) != null && node.string(field, false).isBlank()) {
        problems.add(node.pathOf(field), "must not be blank; leave it out for the default");
      }
    }
    for (int i = 0; i < members.size(); i++) {
      String m = members.get(i);
      int colon = m.lastIndexOf(':');
      if (colon >= 0 && !m.substring(colon + 1).matches("\\d{1,5}")) {
        problems.add(node.pathOf("members") + "[" + i + "]", "expected host or host:port, got \"" + m + "\"");
      }
    }
    if (configFile != null && !configFile.isBlank() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(configFile))) {
      problems.add(node.pathOf("configFile"), "cannot read Hazelcast config file " + configFile);
    }
    if (enabled) {
      int modes = (members.isEmpty() ? 0 : 1) + (serviceDns == null ? 0 : 1) + (configFile == null ? 0 : 1);
      if (modes == 0) {
        problems.add(node.pathOf("enabled"), "cluster mode needs a way to find the other replicas: set "
            + node.pathOf("members") + " (TCP-IP), " + node.pathOf("kubernetes") + ".serviceDns (headless Service) "
            + "or " + node.pathOf("configFile") + " (a Hazelcast XML file)");
      } else if (modes > 1) {
        problems.add(node.pathOf("enabled"), "set only one of " + node.pathOf("members") + ", "
            + node.pathOf("kubernetes") + ".serviceDns and " + node.pathOf("configFile"));
      }
    }
    if (host == null) {
      host = env.podIp();
    }
    return new ClusterModeSpec(enabled, name == null || name.isBlank() ? DEFAULT_NAME : name,
        memberName == null || memberName.isBlank() ? defaultMemberName(env) : memberName,
        host == null || host.isBlank() ? null : host, port, eventBusPort, List.copyOf(members), serviceDns,
        servicePort, configFile == null || configFile.isBlank() ? null : configFile, timeout);
  }

  /** {@code $VMM_MEMBER_NAME}, else {@code $HOSTNAME} (a pod's name), else the local host name, else "vmm". */
  static String defaultMemberName(Environment env) {
    String fromEnv = env.memberName();
    if (fromEnv != null) {
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "vmm";
    }
  }
}
