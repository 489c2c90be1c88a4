package io.vmm.bus;

import java.util.List;

/** Offset syncs of one source task to write, in order per partition; fire-and-forget to the flow's writer. */
public record OffsetSyncBatch(List<OffsetSync> syncs) {
}
