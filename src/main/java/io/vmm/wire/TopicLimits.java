package io.vmm.wire;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The target topics' {@code max.message.bytes} (the largest record batch a topic accepts, bytes), read with
 * DescribeConfigs through a {@link WireClient} the first time a topic is asked for and kept. A batch larger
 * than its topic's limit cannot pass through and is sent as records instead (the producer splits them).
 * <p>
 * Threading: {@link #limit} from any thread; the lookups run on the wire client's I/O thread.
 */
public final class TopicLimits {

  private final WireClient wire;
  private final Map<String, Integer> limits = new ConcurrentHashMap<>();
  private final Set<String> asked = ConcurrentHashMap.newKeySet();

  public TopicLimits(WireClient wire) {
    this.wire = wire;
  }

  /**
   * {@code topic}'s {@code max.message.bytes}, or -1 when not known yet; the first call starts the lookup
   * (retried on the next call after a failure). Any thread.
   */
  public int limit(String topic) {
    Integer known = limits.get(topic);
    if (known != null) {
      return known;
    }
    if (asked.add(topic)) {
      wire.execute(() -> lookUp(topic));
    }
    return -1;
  }

  private void lookUp(String topic) {
    Node node = wire.anyNode();
    if (node == null) {
      asked.remove(topic);
      return;
    }
    DescribeConfigsRequestData data = new DescribeConfigsRequestData().setResources(List.of(
        new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id())
            .setResourceName(topic).setConfigurationKeys(List.of("max.message.bytes"))));
    wire.send(node, new DescribeConfigsRequest.Builder(data), (response, error) -> {
      if (response instanceof DescribeConfigsResponse r) {
        for (DescribeConfigsResponseData.DescribeConfigsResult result : r.data().results()) {
          if (result.errorCode() != Errors.NONE.code()) {
            continue;
          }
          for (DescribeConfigsResponseData.DescribeConfigsResourceResult c : result.configs()) {
            if ("max.message.bytes".equals(c.name()) && c.value() != null) {
              limits.put(topic, Integer.parseInt(c.value().trim()));
            }
          }
        }
      }
      if (!limits.containsKey(topic)) {
        asked.remove(topic); // ask again next time
      }
    });
  }
}
