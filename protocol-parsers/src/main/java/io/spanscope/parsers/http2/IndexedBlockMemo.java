package io.spanscope.parsers.http2;

import java.util.Arrays;

/**
 * The results of the last few header blocks made only of indexed fields (RFC 7541 §6.1), for one
 * direction's exact HPACK decoder. Such a block adds, evicts and resizes nothing, so as long as no
 * other kind of block has been decoded since, the same bytes decode to the same fields: the decoder
 * hands back what HPACK gave the first time instead of running it again. A peer that indexes its repeated headers (gRPC
 * responses and trailers, once the first call has filled the table) sends exactly such blocks, over
 * and over.
 *
 * <p>Only blocks HPACK decoded without error are remembered; anything that may change the table
 * ({@link #forget}) empties the memo. Blocks above {@link #MAX_BLOCK_BYTES} are not kept.
 */
final class IndexedBlockMemo {

    /** A response direction alternates headers and trailers; a few more cover interleaved kinds. */
    private static final int ENTRIES = 4;
    static final int MAX_BLOCK_BYTES = 64;

    /** Allocated on first use: most connections' blocks are not all indexed. */
    private byte[][] blocks;
    private final int[] lengths = new int[ENTRIES];
    /** Each entry's result, a headers object of its own that nothing changes until the entry is replaced. */
    private RecordHeaders[] results;
    private int count;
    private int next;

    /** Whether {@code b[from, to)} is nothing but indexed header field representations. */
    static boolean onlyIndexed(byte[] b, int from, int to) {
        if (to - from > MAX_BLOCK_BYTES || from == to) {
            return false;
        }
        int p = from;
        while (p < to) {
            int first = b[p++];
            if ((first & 0x80) == 0) {
                return false;
            }
            if ((first & 0x7F) == 0x7F) {
                // Multi-byte index: continuation bytes have the top bit set, the last one not (§5.1).
                while (p < to && (b[p] & 0x80) != 0) {
                    p++;
                }
                if (p == to) {
                    return false;
                }
                p++;
            }
        }
        return true;
    }

    /** The remembered result of {@code b[from, to)}, or null; valid until the next {@link #remember}. */
    RecordHeaders find(byte[] b, int from, int to) {
        int length = to - from;
        for (int i = 0; i < count; i++) {
            if (lengths[i] == length && Arrays.equals(blocks[i], 0, length, b, from, to)) {
                return results[i];
            }
        }
        return null;
    }

    /** Remembers the result HPACK gave for {@code b[from, to)}, which {@link #onlyIndexed} accepted. */
    void remember(byte[] b, int from, int to, RecordHeaders headers) {
        if (blocks == null) {
            blocks = new byte[ENTRIES][MAX_BLOCK_BYTES];
            results = new RecordHeaders[ENTRIES];
        }
        int entry = next;
        next = (next + 1) % ENTRIES;
        count = Math.max(count, entry + 1);
        System.arraycopy(b, from, blocks[entry], 0, to - from);
        lengths[entry] = to - from;
        RecordHeaders result = results[entry];
        if (result == null) {
            results[entry] = result = new RecordHeaders();
        }
        result.copyOf(headers);
    }

    /** The table may have changed: nothing remembered holds any more. */
    void forget() {
        count = 0;
        next = 0;
    }
}
