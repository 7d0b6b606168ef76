package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;

/**
 * Walks the {@code AnnouncedSpan} entries of {@code spanscope.v1.AnnouncedSpans} bytes by field number, without
 * building messages: the store indexes every span of a batch this way, and the resolver needs the decoded
 * span only of the few that something waits for.
 */
final class AnnouncedSpansWalk {

    private static final int SPANS_FIELD_TAG = (1 << 3) | 2;
    private static final int SPAN_ID_TAG = (1 << 3) | 1;
    private static final int RESOLVED_FIELD = 2;
    private static final int PENDING_FIELD = 3;

    /** What an entry announces. */
    enum Kind { ID_ONLY, RESOLVED, PENDING }

    @FunctionalInterface
    interface EntryVisitor {
        /** @param offset where the entry's length prefix is in the bytes walked */
        void visit(long spanId, int offset, Kind kind);
    }

    private AnnouncedSpansWalk() {
    }

    /**
     * Visits the entries of the {@code length} bytes at {@code from}, in order.
     *
     * @return the number of entries visited
     */
    static int forEach(byte[] bytes, int from, int length, EntryVisitor visitor) throws IOException {
        int entries = 0;
        CodedInputStream in = CodedInputStream.newInstance(bytes, from, length);
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag != SPANS_FIELD_TAG) {
                in.skipField(tag);
                continue;
            }
            int offset = from + in.getTotalBytesRead();
            int limit = in.pushLimit(in.readRawVarint32());
            long spanId = 0;
            Kind kind = Kind.ID_ONLY;
            while (!in.isAtEnd()) {
                int t = in.readTag();
                if (t == SPAN_ID_TAG) {
                    spanId = in.readFixed64();
                } else {
                    int field = t >>> 3;
                    kind = field == RESOLVED_FIELD ? Kind.RESOLVED : field == PENDING_FIELD ? Kind.PENDING : kind;
                    in.skipField(t);
                }
            }
            in.popLimit(limit);
            visitor.visit(spanId, offset, kind);
            entries++;
        }
        return entries;
    }

    /** A stream over the entry whose length prefix is at {@code offset}, limited to it. */
    static CodedInputStream entryAt(byte[] bytes, int offset) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes, offset, bytes.length - offset);
        in.pushLimit(in.readRawVarint32());
        return in;
    }
}
