package io.spanscope.parsers.postgres;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Statement texts of one connection by content: a fixed table probed at up to {@value #WAYS} slots from
 * the hash of the bytes, so a lookup costs one hash and a compare or two, and the cache never grows. A
 * miss replaces one of those slots in turn.
 */
final class PgStatementCache {

    private static final int SLOT_BITS = 7;
    private static final int SLOTS = 1 << SLOT_BITS;
    private static final int WAYS = 4;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final PgStatement[] slots = new PgStatement[SLOTS];
    private final boolean mask;
    private int victim;

    PgStatementCache(boolean mask) {
        this.mask = mask;
    }

    /** Parameter type counts tried when guessing where a Parse's text ends. */
    private static final int MAX_GUESSED_TYPES = 16;

    /**
     * The cached text of a Parse body's statement, found without searching for the NUL that ends it: a
     * Parse body ends with the text's NUL, a 16-bit count k and k 4-byte type OIDs, so the first k that
     * fits the message's end gives a candidate end. A cached text equal to the candidate range (cached
     * texts hold no NUL) proves the guess. Null when nothing fits: the caller searches.
     *
     * @param textStart just past the statement name's NUL
     * @param end the end of the Parse body
     */
    PgStatement cachedParseText(byte[] b, int textStart, int end) {
        for (int k = 0; k <= MAX_GUESSED_TYPES; k++) {
            int textEnd = end - 3 - 4 * k;
            if (textEnd < textStart) {
                return null;
            }
            if (b[textEnd] == 0 && PgBytes.int16(b, textEnd + 1) == k) {
                PgStatement cached = find(b, textStart, textEnd, sampledHash(b, textStart, textEnd));
                return cached != null && !cached.containsNul ? cached : null;
            }
        }
        return null;
    }

    private PgStatement find(byte[] b, int from, int to, int hash) {
        int base = (hash * 0x9E37_79B9) >>> (32 - SLOT_BITS);
        for (int way = 0; way < WAYS; way++) {
            PgStatement cached = slots[(base + way) & (SLOTS - 1)];
            if (cached != null && cached.hash == hash
                    && Arrays.equals(cached.bytes, 0, cached.bytes.length, b, from, to)) {
                return cached;
            }
        }
        return null;
    }

    PgStatement lookup(byte[] b, int from, int to) {
        int hash = sampledHash(b, from, to);
        int base = (hash * 0x9E37_79B9) >>> (32 - SLOT_BITS);
        int free = -1;
        for (int way = 0; way < WAYS; way++) {
            PgStatement cached = slots[(base + way) & (SLOTS - 1)];
            if (cached == null) {
                free = free < 0 ? (base + way) & (SLOTS - 1) : free;
            } else if (cached.hash == hash
                    && Arrays.equals(cached.bytes, 0, cached.bytes.length, b, from, to)) {
                return cached;
            }
        }
        PgStatement fresh = new PgStatement(Arrays.copyOfRange(b, from, to), hash, PgBytes.utf8(b, from, to), mask);
        slots[free >= 0 ? free : (base + (victim++ & (WAYS - 1))) & (SLOTS - 1)] = fresh;
        return fresh;
    }

    /**
     * Length and the first and last 16 bytes (read as four words): texts that share all three are told
     * apart by the full compare, and the probe keeps several of them, so a cheap hash costs no correctness.
     */
    private static int sampledHash(byte[] b, int from, int to) {
        int length = to - from;
        long h = length;
        if (length >= 16) {
            h = h * 0x9E37_79B9_7F4A_7C15L + (long) LONGS.get(b, from);
            h = h * 0x9E37_79B9_7F4A_7C15L + (long) LONGS.get(b, from + 8);
            h = h * 0x9E37_79B9_7F4A_7C15L + (long) LONGS.get(b, to - 16);
            h = h * 0x9E37_79B9_7F4A_7C15L + (long) LONGS.get(b, to - 8);
        } else {
            for (int i = from; i < to; i++) {
                h = h * 31 + b[i];
            }
        }
        return (int) (h ^ (h >>> 32));
    }
}
