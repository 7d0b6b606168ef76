package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedOutputStream;
import io.spanscope.pipeline.builder.proto.ResolvedFragment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolved fragments gathered for one {@code spanscope.v1.ResolvedFragments} record of the resolved topic.
 * The record is written field by field around each fragment's message, so the agent's fragment bytes are
 * copied once, into the record.
 */
final class ResolvedBatch {

    private static final int FRAGMENTS_FIELD = 15;

    private final List<ResolvedFragment> fragments = new ArrayList<>();
    private long firstRootSpanId;

    void add(long rootSpanId, ResolvedFragment fragment) {
        if (fragments.isEmpty()) {
            firstRootSpanId = rootSpanId;
        }
        fragments.add(fragment);
    }

    int size() {
        return fragments.size();
    }

    /** The record key's span id. */
    long firstRootSpanId() {
        return firstRootSpanId;
    }

    byte[] toBytes() {
        int length = 0;
        for (ResolvedFragment f : fragments) {
            length += CodedOutputStream.computeMessageSize(FRAGMENTS_FIELD, f);
        }
        byte[] value = new byte[length];
        CodedOutputStream out = CodedOutputStream.newInstance(value);
        try {
            for (ResolvedFragment f : fragments) {
                out.writeMessage(FRAGMENTS_FIELD, f);
            }
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return value;
    }

    void clear() {
        fragments.clear();
    }
}
