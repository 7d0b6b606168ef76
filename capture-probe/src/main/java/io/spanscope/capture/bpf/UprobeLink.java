package io.spanscope.capture.bpf;

import com.sun.jna.Pointer;
import java.util.List;

/** One attached uprobe; {@link #close()} detaches it (idempotent). Not thread-safe: one owner. */
public final class UprobeLink implements AutoCloseable {

    private final Pointer link;
    private final List<UprobeLink> owner;
    private boolean closed;

    UprobeLink(Pointer link, List<UprobeLink> owner) {
        this.link = link;
        this.owner = owner;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        owner.remove(this);
        LibBpf.bpf_link__destroy(link);
    }
}
