package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedInputStream;
import io.spanscope.pipeline.builder.proto.ResolvedFragment;
import io.spanscope.pipeline.wire.FragmentDecoder;
import io.spanscope.pipeline.wire.WireFormatException;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.FragmentResolutionListener;
import io.spanscope.spans.resolve.TraceKey;
import java.io.IOException;

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
            // aliasing: the fragment field stays a view of the record's bytes, parsed in place
            CodedInputStream in = CodedInputStream.newInstance(value);
            in.enableAliasing(true);
            resolved = ResolvedFragment.parseFrom(in);
            fragment = decoder.decode(io.spanscope.pipeline.wire.proto.Fragment.parseFrom(resolved.getFragment()))
                    .fragment();
        } catch (IOException | WireFormatException | NullPointerException e) {
            return -1;
        }
        listener.onResolved(fragment, new TraceKey(resolved.getTraceIdHigh(), resolved.getTraceIdLow()),
                resolved.getRootParentSpanId(), resolved.hasCaller() ? KnownSpans.fromMessage(resolved.getCaller()) : null);
        return fragment.size();
    }
}
