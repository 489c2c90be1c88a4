package io.vmm.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SIZE-byte record values: the first half random bytes, the second half fixed text (like data-path-figures.md), so
 * the data neither compresses away nor is all noise. A new array per {@link #next()}; thread-safe (per-thread random).
 */
final class ValueMaker {
    private final int size;
    private final int randomLen;
    private final byte[] text;

    ValueMaker(int size) {
        this.size = size;
        this.randomLen = size / 2;
        String pattern = "The quick brown fox jumps over the lazy dog; mirror me across clusters. ";
        StringBuilder sb = new StringBuilder();
        while (sb.length() < size - randomLen) {
            sb.append(pattern);
        }
        this.text = sb.substring(0, size - randomLen).getBytes(StandardCharsets.US_ASCII);
    }

    byte[] next() {
        byte[] v = new byte[size];
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i + 8 <= randomLen; i += 8) {
            long l = rnd.nextLong();
            for (int b = 0; b < 8; b++) {
                v[i + b] = (byte) (l >>> (8 * b));
            }
        }
        for (int i = randomLen & ~7; i < randomLen; i++) {
            v[i] = (byte) rnd.nextInt();
        }
        System.arraycopy(text, 0, v, randomLen, text.length);
        return v;
    }
}
