package io.vmm.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's record values: exact sizes, and JSON-like text that compresses like real data. */
class ValueMakerTest {

  @Test
  void jsonValuesHaveTheSizeAndAreText() {
    for (int size : new int[]{2, 10, 300, 512, 1024, 4096}) {
      byte[] v = ValueMaker.json(size).next();
      assertEquals(size, v.length);
      String s = new String(v, StandardCharsets.US_ASCII);
      assertTrue(s.endsWith("\"}"), s);
      assertTrue(s.chars().allMatch(c -> c >= 0x20 && c < 0x7f), s);
    }
    String s = new String(ValueMaker.json(1024).next(), StandardCharsets.US_ASCII);
    assertTrue(s.startsWith("{\"id\":\"") && s.contains("\"items\":[{\"sku\":\"SKU-") && s.contains("\"note\":\""), s);
    assertNotEquals(s, new String(ValueMaker.json(1024).next(), StandardCharsets.US_ASCII));
  }

  @Test
  void jsonCompressesLikeRealDataNotAway() throws IOException {
    ValueMaker m = ValueMaker.json(1024);
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    for (int i = 0; i < 200; i++) {
      raw.writeBytes(m.next());
    }
    double ratio = raw.size() / (double) gzip(raw.toByteArray());
    assertTrue(ratio > 2 && ratio < 12, "gzip ratio " + ratio);
  }

  @Test
  void mixedValuesKeepTheirSize() {
    assertEquals(512, new ValueMaker(512).next().length);
    assertEquals(3, new ValueMaker(3).next().length);
  }

  private static int gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.size();
  }
}
