package io.vmm;

import io.vmm.testkit.TwoClusters;

/**
 * Every {@link ExactlyOnceIT} case on the batch pass-through path ({@code vmm.data.path=batch}): transactions of
 * the wire writer ({@code target.PassThroughTransactions}) over many commits, committed-only source transactions
 * with exact offset translation, a record refused for good, a clean stop's commit, and fencing by a newer owner
 * of the {@code transactional.id}.
 */
class ExactlyOnceBatchIT extends ExactlyOnceIT {

  ExactlyOnceBatchIT(TwoClusters clusters) {
    super(clusters);
  }

  @Override
  String dataPath() {
    return "batch";
  }
}
