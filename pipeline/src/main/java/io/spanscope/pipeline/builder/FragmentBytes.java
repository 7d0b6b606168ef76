package io.spanscope.pipeline.builder;

import io.spanscope.pipeline.wire.FragmentDecoder;
import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.spans.link.Fragment;
import java.util.IdentityHashMap;

/**
 * The agent's codec for fragments, plus the bytes each fragment arrived as: a fragment is stored while it
 * waits and forwarded once resolved exactly as the agent encoded it (its agent id and publish time kept),
 * without encoding it again. The bytes are remembered by identity for the fragments of the record or
 * punctuation in hand ({@link #forget()} after each). One per task thread.
 */
final class FragmentBytes {

    private final FragmentDecoder decoder = new FragmentDecoder();
    private final FragmentEncoder encoder = new FragmentEncoder("span-builder");
    private final IdentityHashMap<Fragment, byte[]> seen = new IdentityHashMap<>();

    /** @throws io.spanscope.pipeline.wire.WireFormatException when the bytes are not a fragment */
    Fragment decode(byte[] bytes) {
        Fragment fragment = decoder.decode(bytes).fragment();
        seen.put(fragment, bytes);
        return fragment;
    }

    /** Remembers the bytes of a fragment decoded earlier (one held in a store's heap mirror). */
    void keep(Fragment fragment, byte[] bytes) {
        seen.put(fragment, bytes);
    }

    byte[] of(Fragment fragment) {
        byte[] bytes = seen.get(fragment);
        return bytes != null ? bytes : encoder.encode(fragment, 0);
    }

    void forget() {
        seen.clear();
    }
}
