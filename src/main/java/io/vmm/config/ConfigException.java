package io.vmm.config;

import java.util.List;

/**
 * Thrown when a configuration document is invalid. Carries one message per problem, each starting with the
 * JSON path of the offending field (e.g. {@code mirrors[0].topicsPattern: invalid regex ...}).
 * Raised before any Kafka client exists; {@link io.vmm.MirrorMain} turns it into exit code 2.
 */
public final class ConfigException extends RuntimeException {

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  /** One message per problem, each prefixed with its JSON path; never empty. */
  public List<String> problems() {
    return problems;
  }
}
