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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The target topics' {@code max.message.bytes} (the largest record batch a topic accepts, bytes), read with
 * DescribeConfigs through a {@link WireClient} the first time a topic is asked for, and kept (a later change
 * of the topic's limit is not seen: a batch then refused as too large fails its partition). A batch larger
 * than its topic's limit cannot pass through and is sent as records instead (the producer splits them).
 * <p>
 * Threading: {@link #limit} from worker threads; the lookups run on the wire client's I/O thread.
 */
public final class TopicLimits {

  private final WireClient wire;
  private final Map<String, Integer> limits = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Integer>> asked = new ConcurrentHashMap<>();

  public TopicLimits(WireClient wire) {
    this.wire = wire;
  }

  /**
   * {@code topic}'s {@code max.message.bytes}, or -1 when still not known after waiting up to {@code waitMs}
   * for the lookup the first call starts (one DescribeConfigs round trip; a failed lookup is asked again by the
   * next call). Blocks the calling thread up to {@code waitMs} only while the topic's limit is unknown: call it
   * from a worker thread, never from an event loop or the wire client's I/O thread.
   */
  public int limit(String topic, long waitMs) {
    Integer known = limits.get(topic);
    if (known != null) {
      return known;
    }
    CompletableFuture<Integer> lookup = asked.computeIfAbsent(topic, t -> {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      wire.execute(() -> lookUp(t, f));
      return f;
    });
    try {
      return lookup.get(waitMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (ExecutionException | TimeoutException e) {
      return -1;
    }
  }

  private void lookUp(String topic, CompletableFuture<Integer> done) {
    Node node = wire.anyNode();
    if (node == null) {
      asked.remove(topic);
      done.complete(-1);
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
      Integer found = limits.get(topic);
      if (found == null) {
        asked.remove(topic); // ask again next time
      }
      done.complete(found == null ? -1 : found);
    });
  }
}
