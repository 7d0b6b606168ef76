package io.spanscope.parsers.postgres;

import java.util.Arrays;

/**
 * Statement texts of one connection by content: direct-mapped on a hash of the bytes, so a lookup costs
 * one hash and one compare and the cache never grows. A collision replaces the older text.
 */
final class PgStatementCache {

    private static final int SLOTS = 64;

    private final PgStatement[] slots = new PgStatement[SLOTS];
    private final boolean mask;

    PgStatementCache(boolean mask) {
        this.mask = mask;
    }

    PgStatement lookup(byte[] b, int from, int to) {
        int hash = 1;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + b[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        PgStatement cached = slots[slot];
        if (cached != null && cached.hash == hash && Arrays.equals(cached.bytes, 0, cached.bytes.length, b, from, to)) {
            return cached;
        }
        PgStatement fresh = new PgStatement(Arrays.copyOfRange(b, from, to), hash, PgBytes.utf8(b, from, to), mask);
        slots[slot] = fresh;
        return fresh;
    }
}
