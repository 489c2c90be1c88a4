package io.vmm.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the pass-through counters from Prometheus text, and the bytes-on-disk ratio. */
class PassThroughCountersTest {

  @Test
  void sumsEverySeriesOfTheCounter() {
    String text = String.join("\n",
        "# HELP vmm_passthrough_batches_total",
        "# TYPE vmm_passthrough_batches_total counter",
        "vmm_passthrough_batches_total{source=\"A\",target=\"B\",task=\"0\"} 120.0",
        "vmm_passthrough_batches_total{source=\"A\",target=\"B\",task=\"1\"} 80.0 1700000000000",
        "vmm_passthrough_batches_totalx{task=\"1\"} 5.0",
        "vmm_passthrough_decoded_records_total{source=\"A\",target=\"B\",task=\"0\"} 0.0",
        "vmm_passthrough_decoded_records_total{source=\"A\",target=\"B\",task=\"1\"} 7.0");
    assertEquals(200, PassThroughCounters.sum(text, PassThroughCounters.BATCHES));
    assertEquals(7, PassThroughCounters.sum(text, PassThroughCounters.DECODED));
    assertEquals(0, PassThroughCounters.sum("jvm_threads_live_threads 12.0", PassThroughCounters.BATCHES));
  }

  @Test
  void bytesRatioIsTargetOverSource() {
    Result r = new Result("vmm-batch");
    assertTrue(Double.isNaN(DiskBytes.ratio(r)));
    r.sourceBytes = 1_000;
    r.targetBytes = 1_050;
    assertEquals(1.05, DiskBytes.ratio(r), 1e-9);
  }
}
