package io.spanscope.parsers.http2;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * What one header block gives a record, in fixed slots: the pseudo-headers and the regular headers
 * of {@link Http2RecordFactory#HEADERS_READ}; every other field is dropped as it arrives. The HPACK
 * decoder still decodes every field (its table stays exact), but a kept field costs a name match and
 * a slot store instead of a hash-table entry, and a lookup is a match over five or four names.
 *
 * <p>Written only by Netty's HPACK decoder (through {@link #add}), read only through the accessors
 * overridden here ({@link #get}, the pseudo-header getters, {@link #size}); the hash table of the
 * superclass stays empty. A repeated field keeps its first value, as {@code get} of a map would.
 */
final class RecordHeaders extends DefaultHttp2Headers {

    private static final AsciiString[] PSEUDO = {
        PseudoHeaderName.METHOD.value(), PseudoHeaderName.PATH.value(), PseudoHeaderName.AUTHORITY.value(),
        PseudoHeaderName.STATUS.value(), PseudoHeaderName.SCHEME.value()};
    private static final int METHOD = 0;
    private static final int PATH = 1;
    private static final int AUTHORITY = 2;
    private static final int STATUS = 3;
    private static final int SCHEME = 4;
    private static final AsciiString[] REGULAR = Http2RecordFactory.HEADERS_READ;

    private final CharSequence[] pseudo = new CharSequence[PSEUDO.length];
    private final CharSequence[] regular = new CharSequence[REGULAR.length];
    private int size;

    RecordHeaders() {
        super(false);
    }

    @Override
    public Http2Headers add(CharSequence name, CharSequence value) {
        int hash = AsciiString.hashCode(name);
        int slot = slotOf(PSEUDO, hash, name);
        if (slot >= 0) {
            keep(pseudo, slot, value);
        } else if ((slot = slotOf(REGULAR, hash, name)) >= 0) {
            keep(regular, slot, value);
        }
        return this;
    }

    private void keep(CharSequence[] slots, int slot, CharSequence value) {
        if (slots[slot] == null) {
            slots[slot] = value;
            size++;
        }
    }

    @Override
    public CharSequence get(CharSequence name) {
        int hash = AsciiString.hashCode(name);
        int slot = slotOf(PSEUDO, hash, name);
        if (slot >= 0) {
            return pseudo[slot];
        }
        slot = slotOf(REGULAR, hash, name);
        return slot < 0 ? null : regular[slot];
    }

    @Override
    public CharSequence method() {
        return pseudo[METHOD];
    }

    @Override
    public CharSequence path() {
        return pseudo[PATH];
    }

    @Override
    public CharSequence authority() {
        return pseudo[AUTHORITY];
    }

    @Override
    public CharSequence status() {
        return pseudo[STATUS];
    }

    @Override
    public CharSequence scheme() {
        return pseudo[SCHEME];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Http2Headers clear() {
        java.util.Arrays.fill(pseudo, null);
        java.util.Arrays.fill(regular, null);
        size = 0;
        return this;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RecordHeaders[");
        for (int i = 0; i < PSEUDO.length; i++) {
            if (pseudo[i] != null) {
                s.append(PSEUDO[i]).append(": ").append(pseudo[i]).append(", ");
            }
        }
        for (int i = 0; i < REGULAR.length; i++) {
            if (regular[i] != null) {
                s.append(REGULAR[i]).append(": ").append(regular[i]).append(", ");
            }
        }
        return s.append(']').toString();
    }

    /**
     * The slot of a name, or -1. AsciiString hash codes ignore case and are cached (HPACK's names are
     * AsciiStrings, table entries reused block after block), so most names are told apart by an int;
     * pseudo-header names from Netty's static table are the very instances held here.
     */
    private static int slotOf(AsciiString[] names, int hash, CharSequence name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].hashCode() == hash && (names[i] == name || names[i].contentEqualsIgnoreCase(name))) {
                return i;
            }
        }
        return -1;
    }
}
