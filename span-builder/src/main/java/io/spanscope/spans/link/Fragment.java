package io.spanscope.spans.link;

import io.spanscope.spans.ExchangeSpan;
import java.util.List;

/**
 * A span and the local descendants the agent linked to it: the unit that is published when its root
 * completes and whose trace the resolver decides. A server root may have a remote parent (the client span
 * of the same exchange in another process); a client root has none known.
 *
 * @param children spans whose parent is {@code root} (client calls the root's server exchange caused)
 * @param rootParentSpanId the root's parent, 0 when none is known: for a server root the remote client
 *                         span of its exchange; for a client call whose server exchange was published
 *                         before the call's record arrived, that server span (a local parent)
 */
public record Fragment(ExchangeSpan root, List<ExchangeSpan> children, long rootParentSpanId) {

    public Fragment {
        children = List.copyOf(children);
    }

    /** A fragment as the root's own exchange says: server roots point at their remote client span. */
    public static Fragment of(ExchangeSpan root, List<ExchangeSpan> children) {
        return new Fragment(root, children, root.remoteParentSpanId());
    }

    /** True when the root's parent was recorded by another process (it is the client side of its exchange). */
    public boolean rootParentIsRemote() {
        return rootParentSpanId != 0 && rootParentSpanId == root.remoteParentSpanId();
    }

    public int size() {
        return 1 + children.size();
    }
}
