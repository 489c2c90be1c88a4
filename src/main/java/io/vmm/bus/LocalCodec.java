package io.vmm.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Zero-copy codec for messages that never leave the JVM: {@link #transform} hands the same object to the
 * receiver, so a body must not be changed by its sender after sending. Wire encoding is refused, so a
 * message sent to a remote consumer fails loudly instead of being half-serialised. Stateless, thread-safe.
 *
 * @param <T> the body type
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final String name;

  public LocalCodec(Class<T> type) {
    this.name = "vmm-local-" + type.getName();
  }

  @Override
  public void encodeToWire(Buffer buffer, T body) {
    throw new UnsupportedOperationException(name + " is local-only");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(name + " is local-only");
  }

  @Override
  public T transform(T body) {
    return body;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
