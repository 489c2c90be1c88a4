package io.vmm;

import io.vmm.config.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A missing secret (a mounted Secret's file, or a file a config provider names) is a config problem: exit 2 with
 * the JSON path and the file path, before any Kafka client or the service's Vert.x exists. The secrets directory is
 * the process's ({@code $VMM_SECRETS_DIR}, else {@code /etc/vmm/secrets}).
 */
class MirrorMainSecretsTest {

  @TempDir
  Path dir;

  @Test
  void missingSecretFilesExitWith2() throws Exception {
    Path secrets = Environment.system().secretsDir().toAbsolutePath().normalize();
    Path missing = dir.resolve("kafka.properties");
    Path file = Files.writeString(dir.resolve("mm2.yaml"), """
        clusters:
          - alias: A
            bootstrapServers: 127.0.0.1:19092
            tls:
              trustedCertificates:
                - secretName: vmm-test-absent-ca
                  pattern: "*.crt"
            authentication:
              type: scram-sha-512
              username: my-user
              passwordSecret:
                secretName: vmm-test-absent-user
                password: password
          - alias: B
            bootstrapServers: 127.0.0.1:29092
            config:
              config.providers: file
              config.providers.file.class: org.apache.kafka.common.config.provider.FileConfigProvider
              sasl.jaas.config: ${file:%s:jaas}
        mirrors:
          - sourceCluster: A
            targetCluster: B
            sourceConnector: {}
        """.formatted(missing));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = MirrorMain.run(new String[] {"-conf", file.toString()},
        new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(0));
    String out = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, out);
    assertTrue(out.startsWith("Invalid configuration (3 problems):"), out);
    assertTrue(out.contains("  clusters[0].tls.trustedCertificates[0]: directory "
        + secrets.resolve("vmm-test-absent-ca") + " not found"), out);
    assertTrue(out.contains("  clusters[0].authentication.passwordSecret: file "
        + secrets.resolve("vmm-test-absent-user").resolve("password") + " not found"), out);
    assertTrue(out.contains("  clusters[1].config.sasl.jaas.config: ${file:" + missing + ":jaas} does not resolve: "
        + "file " + missing + " not found"), out);
  }
}
