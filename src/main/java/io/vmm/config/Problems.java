package io.vmm.config;

import java.util.ArrayList;
import java.util.List;

/** Collects validation problems, each as {@code <json path>: <message>}. Not thread-safe; one per parse. */
final class Problems {

  private final List<String> messages = new ArrayList<>();

  void add(String path, String message) {
    messages.add(path + ": " + message);
  }

  boolean isEmpty() {
    return messages.isEmpty();
  }

  int size() {
    return messages.size();
  }

  /** Throws a {@link ConfigException} carrying every problem collected so far, if any. */
  void throwIfAny() {
    if (!messages.isEmpty()) {
      throw new ConfigException(messages);
    }
  }
}
