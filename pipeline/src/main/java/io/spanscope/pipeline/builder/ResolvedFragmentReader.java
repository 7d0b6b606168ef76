package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedInputStream;
import io.spanscope.pipeline.builder.proto.ResolvedFragment;
import io.spanscope.pipeline.builder.proto.ResolvedFragments;
import io.spanscope.pipeline.wire.FragmentDecoder;
import io.spanscope.pipeline.wire.WireFormatException;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.FragmentResolutionListener;
import io.spanscope.spans.resolve.TraceKey;
import java.io.IOException;
import java.util.List;

/**
 * Reads records of the resolved-fragments topic — a {@code ResolvedFragments} batch, or a single
 * {@code ResolvedFragment} as span builders before batching wrote — and hands each decision to a listener
 * (span-builder's {@code ResolvedSpans} turns it into spans exactly as {@code run} does). A fragment that
 * cannot be read is skipped and counted ({@link #unreadable()}); the others of its record are still handed
 * over. Not thread-safe: one per thread.
 */
public final class ResolvedFragmentReader {

    private final FragmentDecoder decoder = new FragmentDecoder();
    private final FragmentResolutionListener listener;
    private long unreadable;

    public ResolvedFragmentReader(FragmentResolutionListener listener) {
        this.listener = listener;
    }

    /** @return the number of spans handed over (0 when nothing in the record could be read) */
    public int read(byte[] value) {
        List<ResolvedFragment> fragments;
        try {
            // aliasing: the fragment fields stay views of the record's bytes, parsed in place
            ResolvedFragments batch = ResolvedFragments.parseFrom(aliasing(value));
            fragments = batch.getFragmentsCount() > 0 ? batch.getFragmentsList()
                    : List.of(ResolvedFragment.parseFrom(aliasing(value)));
        } catch (IOException | NullPointerException e) {
            unreadable++;
            return 0;
        }
        int spans = 0;
        for (int i = 0; i < fragments.size(); i++) {
            spans += hand(fragments.get(i));
        }
        return spans;
    }

    /** Fragments (or whole records) that could not be read, since this reader was made. */
    public long unreadable() {
        return unreadable;
    }

    private int hand(ResolvedFragment resolved) {
        Fragment fragment;
        try {
            fragment = decoder.decode(io.spanscope.pipeline.wire.proto.Fragment.parseFrom(resolved.getFragment()))
                    .fragment();
        } catch (IOException | WireFormatException | NullPointerException e) {
            unreadable++;
            return 0;
        }
        listener.onResolved(fragment, new TraceKey(resolved.getTraceIdHigh(), resolved.getTraceIdLow()),
                resolved.getRootParentSpanId(), resolved.hasCaller() ? KnownSpans.fromMessage(resolved.getCaller()) : null);
        return fragment.size();
    }

    private static CodedInputStream aliasing(byte[] value) {
        CodedInputStream in = CodedInputStream.newInstance(value);
        in.enableAliasing(true);
        return in;
    }
}
