package io.vmm.connector;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A control request that cannot be applied. A {@link ReplyException} whose failure code is the HTTP status to
 * answer with (404 unknown connector or task, 400 unknown operation, 503 a member did not answer), so it crosses
 * the event bus unchanged.
 */
public final class ControlException extends ReplyException {

  public ControlException(int status, String message) {
    super(ReplyFailure.RECIPIENT_FAILURE, status, message);
  }

  /** The HTTP status. */
  public int status() {
    return failureCode();
  }
}
