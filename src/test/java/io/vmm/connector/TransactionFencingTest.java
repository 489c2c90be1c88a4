package io.vmm.connector;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransactionFencingTest {

  @Test
  void onlyThisFlowsIdsAtOrAboveTasksMax() {
    String prefix = "A-mm2-A->B.MirrorSourceConnector-";
    List<String> listed = List.of(prefix + "0", prefix + "1", prefix + "2", prefix + "10", prefix + "x",
        "A-mm2-A->C.MirrorSourceConnector-5", "other-7", prefix);
    assertEquals(List.of(prefix + "10", prefix + "2"), TransactionFencing.stale(listed, prefix, 2));
    assertEquals(List.of(), TransactionFencing.stale(listed, prefix, 11));
  }
}
