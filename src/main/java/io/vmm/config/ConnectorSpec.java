package io.vmm.config;

/**
 * One connector of a mirror ({@code sourceConnector}, {@code checkpointConnector} or {@code heartbeatConnector}).
 *
 * @param tasksMax    most tasks (for the source connector: partition groups, each one source verticle); at least 1
 * @param state       requested state at start
 * @param config      MM2 keys with MM2 defaults
 * @param present     whether the mirror names this connector ({@code {}} counts); an omitted connector is not run
 * @param autoRestart Strimzi's {@code autoRestart}
 */
public record ConnectorSpec(int tasksMax, ConnectorState state, ConnectorConfig config, boolean present,
                            AutoRestartSpec autoRestart) {

  /** A connector absent from the document: one task, running, MM2 defaults, {@code present=false}. */
  public static ConnectorSpec defaults(ConnectorKind kind) {
    return new ConnectorSpec(1, ConnectorState.RUNNING, ConnectorConfig.defaults(kind), false, AutoRestartSpec.OFF);
  }

  /** Running, and not disabled through MM2's {@code enabled=false}. */
  public boolean isRunning() {
    return state == ConnectorState.RUNNING && config.getBoolean(ConnectorKeys.ENABLED);
  }
}
