package io.vmm.bench;

/**
 * The figures of one contender in one round, filled in while it is measured and printed by {@link ResultTable} and
 * {@link RoundMedians}. NaN (or -1 for the latency percentiles and the committed count) means "not measured".
 * Units: rates per second, times in seconds, memory in MB, CPU in seconds or % of one core, latencies in ms.
 * Mutable; the orchestrator's main thread only.
 */
final class Result {
    /** Status meaning "measured, and the machine was quiet before the start". */
    static final String OK = "ok";
    /** Status meaning "measured, but other processes competed for the cores": counted, figures not comparable. */
    static final String BUSY = "busy";

    /** The contender, e.g. "vmm-eos". */
    final String name;
    /** "ok", "busy", or why the row is incomplete ("timeout", "died (exit 1)", "offsets differ", "error: ..."). */
    String status = "?";
    /** Other processes used more than {@link ProcessStats#BUSY_OTHERS_PCT} % of one core in the measured window. */
    boolean busy;

    // throughput: records per second and MB (10^6 bytes) of values per second in the steady window [tFirst, tLast];
    // seconds from the contender's start (t0) to the first mirrored record and to the last one
    double recPerSec = Double.NaN;
    double mbPerSec = Double.NaN;
    double firstSec = Double.NaN;
    double totalSec = Double.NaN;

    // correctness: target partitions whose end offset (exactly-once: committed count) equals the source's;
    // records missing on the target (latency mode: measured records not received) and extra ones (duplicates)
    int partitionsEqual;
    int partitionsTotal;
    long missing;
    long duplicates;
    /** Exactly-once: records a read_committed consumer found on the target (-1 = not counted). */
    long committed = -1;

    /** Peak resident set, MB: VmHWM just before SIGTERM. */
    double rssHwmMb = Double.NaN;
    /** Highest VmRSS sampled every 200 ms, MB (cross-check of {@link #rssHwmMb}). */
    double rssSampledMb = Double.NaN;
    /** The contender's exit code after SIGTERM (137 after SIGKILL), null if unknown. */
    Integer exit;

    // latency mode: measured records received and sent; p50, p99 and max of their latency, ms (-1 = none)
    long latCount;
    long latSent;
    int p50 = -1;
    int p99 = -1;
    int max = -1;

    // CPU: seconds from the contender's start to its stop (contender, both brokers); in the measured window, % of
    // one core (contender, both brokers, this orchestrator, and the rest of the machine: /proc/stat minus those)
    double cpuSec = Double.NaN;
    double brokersCpuSec = Double.NaN;
    double cpuPct = Double.NaN;
    double brokersPct = Double.NaN;
    double selfPct = Double.NaN;
    double othersPct = Double.NaN;

    /** Bytes on disk ({@link DiskBytes}) of the source topics on A and of the remote topics on B, -1 = not measured. */
    long sourceBytes = -1;
    long targetBytes = -1;

    /**
     * Our jar only: its pass-through counters read from {@code /metrics} just before SIGTERM ({@link PassThroughCounters}):
     * record batches passed through unchanged, and records the pass-through tasks decoded (fall-backs); -1 = not read.
     */
    long passedBatches = -1;
    long decodedRecords = -1;

    Result(String name) {
        this.name = name;
    }

    /** Measured to the end ({@link #OK} or {@link #BUSY}): the row counts in exit codes and medians. */
    boolean counted() {
        return status.equals(OK) || status.equals(BUSY);
    }

    /** Marks a measured row of a busy machine: status "ok" becomes "busy"; any other status stays. */
    void markBusy() {
        if (busy && status.equals(OK)) {
            status = BUSY;
        }
    }
}
