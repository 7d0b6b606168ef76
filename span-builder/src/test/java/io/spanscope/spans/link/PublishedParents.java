package io.spanscope.spans.link;

import io.spanscope.spans.ExchangeSpan;

import java.util.List;

/** What the linker made of a call, read back from the fragments it published. */
final class PublishedParents {

    private PublishedParents() {
    }

    /** The local parent span id the linker gave {@code call}; 0 when it left the call unlinked (a remote parent). */
    static long parentOf(List<Fragment> published, ExchangeSpan call) {
        for (Fragment f : published) {
            if (f.root().spanId() == call.spanId()) {
                return f.rootParentIsRemote() ? 0 : f.rootParentSpanId();
            }
            if (f.children().stream().anyMatch(c -> c.spanId() == call.spanId())) {
                return f.root().spanId();
            }
        }
        throw new AssertionError("call not published: " + call);
    }
}
