package io.spanscope.parsers.http2;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

import java.util.Arrays;

/**
 * What one header block gives a record, in fixed slots: the pseudo-headers and the regular headers
 * of {@link Http2RecordFactory#HEADERS_READ}; every other field is dropped as it arrives. The HPACK
 * decoder still decodes every field (its table stays exact), but a kept field costs a name match and
 * a slot store instead of a hash-table entry, and a lookup is one probe of a small table of names.
 *
 * <p>Written only by Netty's HPACK decoder (through {@link #add}), read only through the accessors
 * overridden here ({@link #get}, the pseudo-header getters, {@link #size}); the hash table of the
 * superclass stays empty. A repeated field keeps its first value, as {@code get} of a map would.
 */
final class RecordHeaders extends DefaultHttp2Headers {

    private static final int METHOD = 0;
    private static final int PATH = 1;
    private static final int AUTHORITY = 2;
    private static final int STATUS = 3;
    private static final int SCHEME = 4;
    /** The kept names, pseudo-headers at the indices above, then {@link Http2RecordFactory#HEADERS_READ}. */
    private static final AsciiString[] NAMES = keptNames();
    private static final NameSlots SLOTS = new NameSlots(NAMES);

    private final CharSequence[] slots = new CharSequence[NAMES.length];
    /** Per slot, the last other instance of its name met (HPACK's static table has its own). */
    private final CharSequence[] aliases = new CharSequence[NAMES.length];
    private int size;

    RecordHeaders() {
        super(false);
    }

    @Override
    public Http2Headers add(CharSequence name, CharSequence value) {
        int slot = SLOTS.slotOf(name, aliases);
        if (slot >= 0 && slots[slot] == null) {
            slots[slot] = value;
            size++;
        }
        return this;
    }

    @Override
    public CharSequence get(CharSequence name) {
        int slot = SLOTS.slotOf(name, aliases);
        return slot < 0 ? null : slots[slot];
    }

    @Override
    public CharSequence method() {
        return slots[METHOD];
    }

    @Override
    public CharSequence path() {
        return slots[PATH];
    }

    @Override
    public CharSequence authority() {
        return slots[AUTHORITY];
    }

    @Override
    public CharSequence status() {
        return slots[STATUS];
    }

    @Override
    public CharSequence scheme() {
        return slots[SCHEME];
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
        Arrays.fill(slots, null);
        size = 0;
        return this;
    }

    /** Makes these headers hold what {@code other} holds. */
    void copyOf(RecordHeaders other) {
        System.arraycopy(other.slots, 0, slots, 0, slots.length);
        size = other.size;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RecordHeaders[");
        for (int i = 0; i < NAMES.length; i++) {
            if (slots[i] != null) {
                s.append(NAMES[i]).append(": ").append(slots[i]).append(", ");
            }
        }
        return s.append(']').toString();
    }

    private static AsciiString[] keptNames() {
        AsciiString[] pseudo = {
            PseudoHeaderName.METHOD.value(), PseudoHeaderName.PATH.value(), PseudoHeaderName.AUTHORITY.value(),
            PseudoHeaderName.STATUS.value(), PseudoHeaderName.SCHEME.value()};
        AsciiString[] regular = Http2RecordFactory.HEADERS_READ;
        AsciiString[] names = Arrays.copyOf(pseudo, pseudo.length + regular.length);
        System.arraycopy(regular, 0, names, pseudo.length, regular.length);
        return names;
    }

    /**
     * Name to slot by an open-addressed table over the names' hash codes. AsciiString hash codes ignore
     * case and are cached (HPACK's names are AsciiStrings, table entries reused block after block), so
     * a name is usually placed or ruled out by one int compare; the names of Netty's static table are
     * the very instances held here or, once met, remembered per headers object. Every field HPACK
     * decodes passes through here, kept or not.
     */
    private static final class NameSlots {
        private final AsciiString[] names;
        private final int[] hashes;
        private final int[] slots;
        private final int mask;

        NameSlots(AsciiString[] kept) {
            int capacity = Integer.highestOneBit(kept.length * 4 - 1) << 1;
            names = new AsciiString[capacity];
            hashes = new int[capacity];
            slots = new int[capacity];
            mask = capacity - 1;
            for (int slot = 0; slot < kept.length; slot++) {
                int hash = kept[slot].hashCode();
                int i = spread(hash) & mask;
                while (names[i] != null) {
                    i = (i + 1) & mask;
                }
                names[i] = kept[slot];
                hashes[i] = hash;
                slots[i] = slot;
            }
        }

        /**
         * @param aliases per slot, an instance already found equal to its name (updated here), so a
         *                name instance met again (a table entry's) is matched by identity
         */
        int slotOf(CharSequence name, CharSequence[] aliases) {
            int hash = AsciiString.hashCode(name);
            for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
                AsciiString candidate = names[i];
                if (candidate == null) {
                    return -1;
                }
                if (hashes[i] == hash) {
                    int slot = slots[i];
                    if (candidate == name || aliases[slot] == name) {
                        return slot;
                    }
                    if (candidate.contentEqualsIgnoreCase(name)) {
                        aliases[slot] = name;
                        return slot;
                    }
                }
            }
        }

        private static int spread(int hash) {
            return hash ^ (hash >>> 16);
        }
    }
}
