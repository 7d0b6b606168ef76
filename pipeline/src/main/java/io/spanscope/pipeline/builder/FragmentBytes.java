package io.spanscope.pipeline.builder;

import io.spanscope.spans.link.Fragment;
import java.util.IdentityHashMap;

/**
 * Fragments as the resolver sees them (outlines, see {@link FragmentOutlineDecoder}), plus the bytes each
 * arrived as: a fragment is stored while it waits and forwarded once resolved exactly as the agent encoded
 * it (attributes, agent id and publish time kept), never encoded again — an outline could not be. The bytes
 * are remembered by identity for the fragments of the record or punctuation in hand ({@link #forget()}
 * after each). One per task thread.
 */
final class FragmentBytes {

    /** Beyond this many entries the map is replaced rather than cleared: clearing walks its whole table. */
    private static final int REUSED_CAPACITY = 64;

    private final FragmentOutlineDecoder decoder = new FragmentOutlineDecoder();
    private IdentityHashMap<Fragment, byte[]> seen = new IdentityHashMap<>();

    /** @throws io.spanscope.pipeline.wire.WireFormatException when the bytes are not a fragment */
    Fragment decode(byte[] bytes) {
        Fragment fragment = decoder.decode(bytes);
        seen.put(fragment, bytes);
        return fragment;
    }

    /** @throws IllegalStateException for a fragment that was not decoded since the last {@link #forget()} */
    byte[] of(Fragment fragment) {
        byte[] bytes = seen.get(fragment);
        if (bytes == null) {
            throw new IllegalStateException("no bytes for the fragment rooted at span "
                    + Long.toHexString(fragment.root().spanId()));
        }
        return bytes;
    }

    void forget() {
        if (seen.size() > REUSED_CAPACITY) {
            seen = new IdentityHashMap<>(); // a timeout sweep's worth would make every later clear slow
        } else if (!seen.isEmpty()) {
            seen.clear();
        }
    }
}
