package io.vmm.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SIZE-byte record values, in one of two shapes:
 * <ul>
 *   <li>{@link #ValueMaker(int)} (uncompressed runs): the first half random bytes, the second half fixed text (like
 *       data-path-figures.md), so the data neither compresses away nor is all noise;</li>
 *   <li>{@link #json(int)} (runs with {@code --codec}, issue 17's "1 KB JSON-like records"): a JSON event as a
 *       service would log it: the same field names in every record, values drawn from small vocabularies (event
 *       types, names, countries, user agents, categories), unique ids, timestamps and prices, a list of items and a
 *       free-text note of dictionary words, cut or filled to exactly SIZE bytes. Compresses like real JSON text
 *       (several times with lz4 or zstd, not a hundred times).</li>
 * </ul>
 * A new array per {@link #next()}; thread-safe (per-thread random).
 */
final class ValueMaker {

    private static final String[] EVENTS = {"page_view", "add_to_cart", "checkout", "search", "login", "logout",
        "purchase", "review"};
    private static final String[] FIRST = {"Anna", "Ben", "Chloe", "David", "Elena", "Farid", "Greta", "Hiro", "Ines",
        "Jonas", "Kira", "Luca", "Maya", "Noah", "Olga", "Pavel"};
    private static final String[] LAST = {"Schmidt", "Garcia", "Rossi", "Kowalski", "Nguyen", "Smith", "Dubois",
        "Tanaka", "Silva", "Jensen", "Novak", "Mueller"};
    private static final String[] COUNTRIES = {"DE", "FR", "IT", "PL", "US", "JP", "BR", "DK", "ES", "NL"};
    private static final String[] TIERS = {"free", "basic", "premium", "enterprise"};
    private static final String[] SECTIONS = {"products", "categories", "deals", "search", "account", "cart"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"};
    private static final String[] CATEGORIES = {"books", "garden", "kitchen", "toys", "electronics", "sports",
        "clothing", "music"};
    private static final String[] WORDS = {"order", "shipped", "delayed", "customer", "asked", "about", "delivery",
        "window", "the", "a", "package", "was", "left", "at", "door", "refund", "requested", "because", "item",
        "arrived", "damaged", "size", "too", "small", "please", "call", "back", "before", "noon", "gift", "wrap",
        "express", "warehouse", "berlin", "lyon", "milan", "invoice", "sent", "again", "address", "changed", "to",
        "new", "apartment", "on", "second", "floor", "and", "thanks", "for", "quick", "help", "with", "coupon"};

    private final int size;
    private final boolean json;
    private final int randomLen;
    private final byte[] text;

    /** Half random bytes, half fixed text; {@code size} >= 2. */
    ValueMaker(int size) {
        this(size, false);
    }

    private ValueMaker(int size, boolean json) {
        this.size = size;
        this.json = json;
        this.randomLen = size / 2;
        String pattern = "The quick brown fox jumps over the lazy dog; mirror me across clusters. ";
        StringBuilder sb = new StringBuilder();
        while (sb.length() < size - randomLen) {
            sb.append(pattern);
        }
        this.text = sb.substring(0, size - randomLen).getBytes(StandardCharsets.US_ASCII);
    }

    /** JSON-like text values of exactly {@code size} bytes (ASCII, {@code size} >= 2); below ~500 B the event is cut short. */
    static ValueMaker json(int size) {
        return new ValueMaker(size, true);
    }

    byte[] next() {
        return json ? nextJson() : nextMixed();
    }

    private byte[] nextMixed() {
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

    private byte[] nextJson() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(size + 256);
        sb.append("{\"id\":\"").append(hex(rnd.nextLong(), 8)).append('-').append(hex(rnd.nextLong(), 4)).append('-')
                .append(hex(rnd.nextLong(), 4)).append('-').append(hex(rnd.nextLong(), 12)).append("\",");
        sb.append("\"ts\":").append(1_760_000_000_000L + rnd.nextLong(1_000_000_000L)).append(',');
        sb.append("\"type\":\"").append(pick(EVENTS, rnd)).append("\",");
        sb.append("\"user\":{\"id\":").append(rnd.nextInt(1_000_000)).append(",\"name\":\"").append(pick(FIRST, rnd))
                .append(' ').append(pick(LAST, rnd)).append("\",\"country\":\"")
                .append(pick(COUNTRIES, rnd)).append("\",\"tier\":\"").append(pick(TIERS, rnd)).append("\"},");
        sb.append("\"page\":\"https://shop.example.com/").append(pick(SECTIONS, rnd)).append('/')
                .append(rnd.nextInt(100_000)).append("\",");
        sb.append("\"agent\":\"").append(pick(AGENTS, rnd)).append("\",");
        sb.append("\"items\":[");
        int items = 0;
        while (items < 12 && sb.length() < size * 6 / 10) {
            if (items > 0) {
                sb.append(',');
            }
            sb.append("{\"sku\":\"SKU-").append(10_000 + rnd.nextInt(90_000)).append("\",\"qty\":").append(1 + rnd.nextInt(5))
                    .append(",\"price\":").append(1 + rnd.nextInt(200)).append('.').append(10 + rnd.nextInt(90))
                    .append(",\"category\":\"").append(pick(CATEGORIES, rnd)).append("\"}");
            items++;
        }
        sb.append("],\"note\":\"");
        int noteEnd = size - 2; // the closing "}
        while (sb.length() < noteEnd) {
            sb.append(pick(WORDS, rnd)).append(' ');
        }
        sb.setLength(noteEnd); // below ~500 B this cuts the event short
        sb.append("\"}");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String pick(String[] values, ThreadLocalRandom rnd) {
        return values[rnd.nextInt(values.length)];
    }

    private static String hex(long v, int digits) {
        String h = Long.toHexString(v);
        return h.length() >= digits ? h.substring(0, digits) : "0".repeat(digits - h.length()) + h;
    }
}
