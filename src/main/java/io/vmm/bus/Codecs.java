package io.vmm.bus;

import io.vertx.core.Vertx;

import java.util.List;

/** Registers the {@link LocalCodec} of every typed message on this replica's internal addresses. */
public final class Codecs {

  /** Every message type sent on an internal (local-only) address. */
  static final List<Class<?>> LOCAL_TYPES = List.of(SourceBatch.class, BatchResult.class, ProgressUpdate.class,
      OffsetSyncBatch.class, Discovery.class, TaskAssign.class, TaskReset.class, TaskCommand.class,
      PartitionFailure.class, ControlRequest.class, LogBoundsRequest.class,
      LogBoundsRequest.Reply.class, TaskStopReport.class, RemoteLimitsRequest.class, RemoteLimitsRequest.Reply.class);

  private Codecs() {
  }

  /** Registers them once per Vert.x instance; a second call (another supervisor in the same JVM) is a no-op. */
  public static void register(Vertx vertx) {
    for (Class<?> type : LOCAL_TYPES) {
      register(vertx, type);
    }
  }

  private static <T> void register(Vertx vertx, Class<T> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another supervisor on this Vert.x instance did it
    }
  }
}
