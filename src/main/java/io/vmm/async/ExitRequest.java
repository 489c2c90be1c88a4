package io.vmm.async;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * How a component asks the process to stop cleanly and exit non-zero (legacy MirrorMaker's
 * {@code abortOnSendFailure: true}). {@code MirrorMain} installs the handler: it requests the same clean stop as
 * SIGTERM (drain, store progress) and then exits 1. Without a handler (tests running a mirror in-process) the
 * request is only logged. Thread-safe; the handler must not block (it is called on an event loop).
 */
public final class ExitRequest {

  private static final Logger LOG = LoggerFactory.getLogger(ExitRequest.class);
  private static volatile Consumer<String> handler;

  private ExitRequest() {
  }

  /** Installs (or, with null, removes) the process's handler; it receives the reason. */
  public static void install(Consumer<String> exitHandler) {
    handler = exitHandler;
  }

  /** Asks for a clean stop and a non-zero exit, for {@code reason} (logged at ERROR; no secrets in it). */
  public static void request(String reason) {
    LOG.error("stopping the process with exit code 1: {}", reason);
    Consumer<String> h = handler;
    if (h != null) {
      h.accept(reason);
    }
  }
}
