package io.vmm.config;

import io.vertx.config.spi.ConfigProcessor;
import io.vertx.config.spi.utils.Processors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The config file formats {@link ConfigSource} reads with: vertx-config's {@code json}, {@code yaml} and
 * {@code properties} formats, each behind a check that the file is text, so a binary or wrongly encoded file is
 * reported as such instead of as a parser's complaint about some character (or, for YAML, read with replacement
 * characters in place of the bad bytes). Registered as vertx-config format processors
 * ({@code META-INF/services/io.vertx.config.spi.ConfigProcessor}): {@value #JSON}, {@value #YAML},
 * {@value #PROPERTIES}. The store's config key {@value #NAME} is the file as its problems name it.
 * <p>
 * The check ({@link #notText}): a control byte other than tab, line feed and carriage return means a binary file;
 * JSON and YAML must be UTF-8 (their specifications' encoding); a properties file is read as ISO-8859-1, as
 * {@link java.util.Properties#load(java.io.InputStream)} and MM2 read it, so any other byte is accepted.
 * A failed check is a {@link ConfigException} of one line: {@code <file>: not a text file (control byte 0x00 at
 * offset 12)} or {@code <file>: not UTF-8 text (byte 0xE9 at offset 14, line 1, is not valid UTF-8; save the file
 * as UTF-8)}. Offsets count bytes from 0, lines from 1.
 * <p>
 * Threading: as vertx-config calls format processors (the retriever's context); the check is a linear scan of the
 * file's bytes (a config file: small).
 */
public final class TextFormats {

  /** JSON behind the text check. */
  public static final String JSON = "vmm-json";
  /** YAML behind the text check. */
  public static final String YAML = "vmm-yaml";
  /** MM2 properties behind the binary check. */
  public static final String PROPERTIES = "vmm-properties";
  /** The store config key naming the file in problems (the path as given). */
  public static final String NAME = "vmm-name";

  private TextFormats() {
  }

  /**
   * Why {@code bytes} are not a text file, or null when they are.
   *
   * @param utf8 whether the bytes must be UTF-8 (JSON, YAML); otherwise only control bytes are refused
   * @return the reason, e.g. {@code not a text file (control byte 0x00 at offset 12)}
   */
  static String notText(byte[] bytes, boolean utf8) {
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xFF;
      if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
        return String.format("not a text file (control byte 0x%02X at offset %d)", b, i);
      }
    }
    if (!utf8) {
      return null;
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(4096);
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isError()) {
        int at = in.position();
        return String.format("not UTF-8 text (byte 0x%02X at offset %d, line %d, is not valid UTF-8; save the file "
            + "as UTF-8)", bytes[at] & 0xFF, at, line(bytes, at));
      }
      if (r.isOverflow()) {
        out.clear();
        continue;
      }
      r = decoder.flush(out);
      if (r.isOverflow()) {
        out.clear();
        continue;
      }
      return null;
    }
  }

  private static int line(byte[] bytes, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
      }
    }
    return line;
  }

  private static Future<JsonObject> checked(String format, boolean utf8, Vertx vertx, JsonObject config,
                                            Buffer input) {
    String problem = notText(input.getBytes(), utf8);
    if (problem != null) {
      String name = config.getString(NAME, config.getString("path", "config"));
      return Future.failedFuture(new ConfigException(name + ": " + problem));
    }
    return Processors.get(format).process(vertx, config, input);
  }

  /** A vertx-config format behind the text check; the subclasses are what the services file names. */
  private abstract static class Checked implements ConfigProcessor {
    private final String name;
    private final String delegate;
    private final boolean utf8;

    Checked(String name, String delegate, boolean utf8) {
      this.name = name;
      this.delegate = delegate;
      this.utf8 = utf8;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Future<JsonObject> process(Vertx vertx, JsonObject configuration, Buffer input) {
      return checked(delegate, utf8, vertx, configuration, input);
    }
  }

  /** {@value #JSON}: vertx-config's {@code json} after the UTF-8 text check. */
  public static final class Json extends Checked {
    public Json() {
      super(JSON, "json", true);
    }
  }

  /** {@value #YAML}: vertx-config-yaml's {@code yaml} after the UTF-8 text check. */
  public static final class Yaml extends Checked {
    public Yaml() {
      super(YAML, "yaml", true);
    }
  }

  /** {@value #PROPERTIES}: vertx-config's {@code properties} (ISO-8859-1, as MM2) after the binary check. */
  public static final class Properties extends Checked {
    public Properties() {
      super(PROPERTIES, "properties", false);
    }
  }
}
