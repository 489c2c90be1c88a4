package io.vmm.config;

/** Target state of a connector, as Strimzi's {@code state} field: {@code running}, {@code paused}, {@code stopped}. */
public enum ConnectorState {
  RUNNING, PAUSED, STOPPED;

  static ConnectorState parse(String text) {
    return switch (text) {
      case "running" -> RUNNING;
      case "paused" -> PAUSED;
      case "stopped" -> STOPPED;
      default -> null;
    };
  }
}
