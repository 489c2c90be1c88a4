package io.vmm;

import io.vertx.core.json.JsonObject;
import io.vmm.testkit.TwoClusters;

/**
 * Every {@link PassThroughIT} case with exactly-once on ({@code exactly.once.source.support=enabled} on B): the
 * batches pass through the transactional wire writer ({@code target.PassThroughTransactions}), built batches
 * carry what may not pass through, and the same record-for-record expectations hold (codecs, mixed sizes, null
 * keys and tombstones, source transactions, the too-large fallbacks, compacted sources, take-overs between paths).
 */
class PassThroughExactlyOnceIT extends PassThroughIT {

  PassThroughExactlyOnceIT(TwoClusters clusters) {
    super(clusters);
  }

  @Override
  JsonObject configOf(JsonObject mirror) {
    mirror.getJsonObject("sourceConnector").getJsonObject("config").put("transaction.boundary.interval.ms", 500);
    JsonObject config = super.configOf(mirror);
    JsonObject target = config.getJsonArray("clusters").getJsonObject(1);
    target.put("config", target.getJsonObject("config", new JsonObject()).put("exactly.once.source.support", "enabled"));
    return config;
  }
}
