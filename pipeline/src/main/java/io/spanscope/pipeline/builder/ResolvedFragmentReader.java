package io.spanscope.pipeline.builder;

import com.google.protobuf.InvalidProtocolBufferException;
import io.spanscope.pipeline.builder.proto.ResolvedFragment;
import io.spanscope.pipeline.wire.FragmentDecoder;
import io.spanscope.pipeline.wire.WireFormatException;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.FragmentResolutionListener;
import io.spanscope.spans.resolve.TraceKey;

/**
 * Reads records of the resolved-fragments topic and hands each decision to a listener (span-builder's
 * {@code ResolvedSpans} turns it into spans exactly as {@code run} does). Not thread-safe: one per thread.
 */
public final class ResolvedFragmentReader {

    private final FragmentDecoder decoder = new FragmentDecoder();
    private final FragmentResolutionListener listener;

    public ResolvedFragmentReader(FragmentResolutionListener listener) {
        this.listener = listener;
    }

    /** @return the number of spans handed over, or -1 when the record could not be read (nothing handed over) */
    public int read(byte[] value) {
        ResolvedFragment resolved;
        Fragment fragment;
        try {
            resolved = ResolvedFragment.parseFrom(value);
            fragment = decoder.decode(resolved.getFragment().toByteArray()).fragment();
        } catch (InvalidProtocolBufferException | WireFormatException | NullPointerException e) {
            return -1;
        }
        listener.onResolved(fragment, new TraceKey(resolved.getTraceIdHigh(), resolved.getTraceIdLow()),
                resolved.getRootParentSpanId(), resolved.hasCaller() ? KnownSpans.fromMessage(resolved.getCaller()) : null);
        return fragment.size();
    }
}
