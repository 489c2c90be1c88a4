package io.vmm.bus;

import java.util.List;
import java.util.Map;

/**
 * To topic discovery ({@link Addresses#remoteLimits}): the target's {@code max.message.bytes} of these remote
 * topics, read now, for producers about to be created again (a task restart). Reply: {@link Reply}.
 */
public record RemoteLimitsRequest(List<String> remoteTopics) {

  public RemoteLimitsRequest {
    remoteTopics = List.copyOf(remoteTopics);
  }

  /** Remote topic to its {@code max.message.bytes}, bytes; topics that could not be read are absent. */
  public record Reply(Map<String, Integer> limits) {

    public Reply {
      limits = Map.copyOf(limits);
    }
  }
}
