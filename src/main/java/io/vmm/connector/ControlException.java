package io.vmm.connector;

/** A control request that cannot be applied: carries the HTTP status to answer with (404, 400, 503). */
public final class ControlException extends RuntimeException {

  private final int status;

  public ControlException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
