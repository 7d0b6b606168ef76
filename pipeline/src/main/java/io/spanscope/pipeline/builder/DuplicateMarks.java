package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The root span ids of the fragments a task processed since its last commit: checked for duplicates like
 * the {@code seen-fragments} store, and written to it as one batch at the commit ({@link #encode()}: an
 * {@code AnnouncedSpans} of ids only) instead of one store entry per fragment.
 */
final class DuplicateMarks {

    private static final int SPANS_FIELD_TAG = (1 << 3) | 2;
    private static final int SPAN_ID_TAG = (1 << 3) | 1;
    private static final int ENTRY_BYTES = 1 + 1 + 1 + Long.BYTES;

    private final LongKeyMap<Boolean> ids = new LongKeyMap<>();
    private byte[] buffer = new byte[0];

    boolean contains(long rootSpanId) {
        return ids.get(rootSpanId) != null;
    }

    void add(long rootSpanId) {
        ids.put(rootSpanId, Boolean.TRUE);
    }

    boolean isEmpty() {
        return ids.isEmpty();
    }

    void clear() {
        ids.clear();
    }

    /** The marks as {@code AnnouncedSpans}, in the first {@link #encodedLength()} bytes of a reused array. */
    byte[] encode() {
        int length = encodedLength();
        if (buffer.length < length) {
            buffer = new byte[Math.max(length, buffer.length * 2)];
        }
        CodedOutputStream out = CodedOutputStream.newInstance(buffer, 0, length);
        ids.forEachKey(id -> write(out, id));
        out.checkNoSpaceLeft();
        return buffer;
    }

    private static void write(CodedOutputStream out, long id) {
        try {
            out.writeUInt32NoTag(SPANS_FIELD_TAG);
            out.writeUInt32NoTag(1 + Long.BYTES);
            out.writeUInt32NoTag(SPAN_ID_TAG);
            out.writeFixed64NoTag(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int encodedLength() {
        return ENTRY_BYTES * ids.size();
    }
}
