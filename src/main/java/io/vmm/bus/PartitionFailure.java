package io.vmm.bus;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.TopicPartition;

/**
 * Published by a source task ({@link Addresses#partitionFailed}) when a partition fails for good (the target
 * refused a record): it stops there until the task restarts.
 *
 * @param task   task id {@code A->B#0}
 * @param tp     source partition
 * @param offset upstream offset of the first record not written
 * @param error  the cause, as text
 */
public record PartitionFailure(String task, TopicPartition tp, long offset, String error) {

  /** Status JSON: {@code {"task","topic","partition","offset","error"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("task", task).put("topic", tp.topic()).put("partition", tp.partition())
        .put("offset", offset).put("error", error);
  }
}
