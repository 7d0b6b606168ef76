package io.spanscope.pipeline.builder;

import static com.google.protobuf.WireFormat.WIRETYPE_FIXED64;
import static com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED;
import static com.google.protobuf.WireFormat.WIRETYPE_VARINT;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.spanscope.pipeline.wire.FragmentDecoder;
import io.spanscope.pipeline.wire.WireFormatException;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.FragmentResolutionListener;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.TraceKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads records of the resolved-fragments topic — a {@code ResolvedFragments} batch, or a single
 * {@code ResolvedFragment} as span builders before batching wrote — and hands each decision to a listener
 * (span-builder's {@code ResolvedSpans} turns it into spans exactly as {@code run} does). Everything is read
 * by field number straight from the record's bytes: each fragment is decoded in place, where it lies in the
 * record. A record whose envelope cannot be read is skipped whole; a fragment that cannot be read is skipped
 * and counted ({@link #unreadable()}), the others of its record are still handed over. Not thread-safe: one
 * per thread.
 */
public final class ResolvedFragmentReader {

    // spanscope.v1.ResolvedFragments
    private static final int BATCH_FRAGMENT = 15 << 3 | WIRETYPE_LENGTH_DELIMITED;
    // spanscope.v1.ResolvedFragment
    private static final int TRACE_ID_HIGH = 1 << 3 | WIRETYPE_FIXED64;
    private static final int TRACE_ID_LOW = 2 << 3 | WIRETYPE_FIXED64;
    private static final int ROOT_PARENT = 3 << 3 | WIRETYPE_FIXED64;
    private static final int CALLER = 4 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int FRAGMENT = 5 << 3 | WIRETYPE_LENGTH_DELIMITED;
    // spanscope.v1.ResolvedSpan (the caller)
    private static final int CALLER_TRACE_ID_HIGH = 1 << 3 | WIRETYPE_FIXED64;
    private static final int CALLER_TRACE_ID_LOW = 2 << 3 | WIRETYPE_FIXED64;
    private static final int CALLER_SERVICE_NAME = 3 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int CALLER_DURATION = 4 << 3 | WIRETYPE_FIXED64;
    private static final int CALLER_ERROR = 5 << 3 | WIRETYPE_VARINT;
    private static final int CALLER_CLIENT = 6 << 3 | WIRETYPE_VARINT;

    private final FragmentDecoder decoder = new FragmentDecoder();
    private final FragmentResolutionListener listener;
    private final List<Resolved> resolved = new ArrayList<>();
    private int resolvedCount;
    private long unreadable;

    public ResolvedFragmentReader(FragmentResolutionListener listener) {
        this.listener = listener;
    }

    /** @return the number of spans handed over (0 when nothing in the record could be read) */
    public int read(byte[] value) {
        if (value == null) {
            unreadable++;
            return 0;
        }
        resolvedCount = 0;
        try {
            CodedInputStream in = CodedInputStream.newInstance(value);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == BATCH_FRAGMENT) {
                    int length = in.readRawVarint32();
                    int start = in.getTotalBytesRead();
                    in.skipRawBytes(length);
                    readResolved(value, start, length);
                } else {
                    skip(in, tag);
                }
            }
            if (resolvedCount == 0) {
                readResolved(value, 0, value.length);
            }
        } catch (IOException e) {
            unreadable++;
            return 0;
        }
        int spans = 0;
        for (int i = 0; i < resolvedCount; i++) {
            spans += hand(resolved.get(i), value);
        }
        return spans;
    }

    /** Fragments (or whole records) that could not be read, since this reader was made. */
    public long unreadable() {
        return unreadable;
    }

    private int hand(Resolved r, byte[] value) {
        Fragment fragment;
        try {
            fragment = decoder.decode(value, r.fragmentStart, r.fragmentLength).fragment();
        } catch (WireFormatException e) {
            unreadable++;
            return 0;
        }
        KnownSpan caller = r.hasCaller ? new KnownSpan(new TraceKey(r.callerTraceIdHigh, r.callerTraceIdLow),
                r.callerServiceName, r.callerDurationNanos, r.callerError, r.callerClient) : null;
        listener.onResolved(fragment, new TraceKey(r.traceIdHigh, r.traceIdLow), r.rootParentSpanId, caller);
        return fragment.size();
    }

    private void readResolved(byte[] value, int start, int length) throws IOException {
        if (resolvedCount == resolved.size()) {
            resolved.add(new Resolved());
        }
        Resolved r = resolved.get(resolvedCount++);
        r.clear();
        CodedInputStream in = CodedInputStream.newInstance(value, start, length);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case TRACE_ID_HIGH -> r.traceIdHigh = in.readFixed64();
                case TRACE_ID_LOW -> r.traceIdLow = in.readFixed64();
                case ROOT_PARENT -> r.rootParentSpanId = in.readFixed64();
                case CALLER -> readCaller(in, r);
                case FRAGMENT -> {
                    r.fragmentLength = in.readRawVarint32();
                    r.fragmentStart = start + in.getTotalBytesRead();
                    in.skipRawBytes(r.fragmentLength);
                }
                default -> skip(in, tag);
            }
        }
    }

    /** Reads over what {@code r} holds: a caller that occurs twice is merged, as the generated parser does. */
    private static void readCaller(CodedInputStream in, Resolved r) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        r.hasCaller = true;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case CALLER_TRACE_ID_HIGH -> r.callerTraceIdHigh = in.readFixed64();
                case CALLER_TRACE_ID_LOW -> r.callerTraceIdLow = in.readFixed64();
                case CALLER_SERVICE_NAME -> r.callerServiceName = in.readStringRequireUtf8();
                case CALLER_DURATION -> r.callerDurationNanos = in.readFixed64();
                case CALLER_ERROR -> r.callerError = in.readBool();
                case CALLER_CLIENT -> r.callerClient = in.readBool();
                default -> skip(in, tag);
            }
        }
        in.popLimit(limit);
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("end-group tag outside a group");
        }
    }

    /** One ResolvedFragment's fields; the fragment is a range of the record. Reused from record to record. */
    private static final class Resolved {
        long traceIdHigh;
        long traceIdLow;
        long rootParentSpanId;
        boolean hasCaller;
        long callerTraceIdHigh;
        long callerTraceIdLow;
        String callerServiceName;
        long callerDurationNanos;
        boolean callerError;
        boolean callerClient;
        int fragmentStart;
        int fragmentLength;

        void clear() {
            traceIdHigh = 0;
            traceIdLow = 0;
            rootParentSpanId = 0;
            hasCaller = false;
            callerTraceIdHigh = 0;
            callerTraceIdLow = 0;
            callerServiceName = "";
            callerDurationNanos = 0;
            callerError = false;
            callerClient = false;
            fragmentStart = 0;
            fragmentLength = 0;
        }
    }
}
