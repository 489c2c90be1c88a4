package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.MirrorTestSupport.RunningMirror;
import io.vmm.testkit.NoBlockedThreads;
import io.vmm.testkit.TwoClusters;
import io.vmm.testkit.TwoClustersExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith({TwoClustersExtension.class, NoBlockedThreads.class})
class PassThroughSmokeIT {
  private final TwoClusters clusters;

  PassThroughSmokeIT(TwoClusters clusters) {
    this.clusters = clusters;
  }

  @Test
  void lz4() throws Exception {
    clusters.a().createTopic("smoke", 3);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", clusters.a().bootstrapServers(),
        "key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer",
        "value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer",
        "compression.type", "lz4", "linger.ms", "20"))) {
      for (int i = 0; i < 20000; i++) {
        p.send(new ProducerRecord<>("smoke", i % 3, ("k" + i).getBytes(StandardCharsets.UTF_8),
            ("value-" + i).getBytes(StandardCharsets.UTF_8)));
      }
      p.flush();
    }
    JsonObject m = MirrorTestSupport.mirror("A", "B", "smoke", 1);
    m.getJsonObject("sourceConnector").getJsonObject("config").put("vmm.data.path", "batch");
    try (RunningMirror mirror = MirrorTestSupport.startMirror(MirrorTestSupport.config(clusters, m))) {
      List<ConsumerRecord<byte[], byte[]>> out = MirrorTestSupport.awaitRecords(clusters.b(), "A.smoke", 20000);
      assertEquals(20000, out.size());
      for (int part = 0; part < 3; part++) {
        List<ConsumerRecord<byte[], byte[]>> ps = MirrorTestSupport.ofPartition(out, part);
        for (int k = 0; k < ps.size(); k++) {
          assertEquals("value-" + (k * 3 + part), new String(ps.get(k).value(), StandardCharsets.UTF_8));
        }
      }
      System.out.println("SMOKE metrics passthrough: " + io.vmm.testkit.Await.class.getName());
      Thread.sleep(2000);
      System.out.println("SMOKE status " + mirror.flow().encode().substring(0, 600));
    }
  }
}
