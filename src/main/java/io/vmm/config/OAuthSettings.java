package io.vmm.config;

import java.util.Map;

/** Strimzi's {@code authentication.type: oauth} on Kafka's built-in OAUTHBEARER client support. */
final class OAuthSettings {

  private OAuthSettings() {
  }

  static void parse(JsonNode auth, boolean tls, SecretFiles secrets, Map<String, String> out, Problems problems) {
    problems.add(auth.pathOf("type"), "oauth is not supported yet");
  }
}
