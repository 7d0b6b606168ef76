package io.spanscope.pipeline.wire;

import static com.google.protobuf.WireFormat.WIRETYPE_FIXED64;
import static com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED;
import static com.google.protobuf.WireFormat.WIRETYPE_VARINT;

import com.google.protobuf.CodedInputStream;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.service.ServiceIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a {@code spanscope.v1.Fragment} → {@link Fragment}, read field by field straight from the
 * bytes (no generated message objects), with the generated parser's outcome: unknown fields and known
 * numbers with another wire type are skipped, a singular message that occurs twice is merged, the last
 * scalar wins, invalid UTF-8 is rejected. What repeats from fragment to fragment is decoded once and
 * shared: service identities with their resources (found by the bytes of the {@code Service}), attribute
 * keys, short strings, peer addresses. Not thread-safe: one decoder per consuming thread.
 */
public final class FragmentDecoder {

    private static final int MAX_CACHED_SERVICES = 1024;
    private static final int MAX_CACHED_ADDRESSES = 4096;

    // tags: field number << 3 | wire type. spanscope.v1.Fragment
    private static final int FRAGMENT_ROOT = 1 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int FRAGMENT_CHILD = 2 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int FRAGMENT_ROOT_PARENT = 3 << 3 | WIRETYPE_FIXED64;
    private static final int FRAGMENT_SERVICE = 4 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int FRAGMENT_AGENT_ID = 5 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int FRAGMENT_PUBLISHED = 6 << 3 | WIRETYPE_FIXED64;
    // spanscope.v1.Span
    private static final int SPAN_ID = 1 << 3 | WIRETYPE_FIXED64;
    private static final int SPAN_REMOTE_PARENT = 2 << 3 | WIRETYPE_FIXED64;
    private static final int SPAN_KIND = 3 << 3 | WIRETYPE_VARINT;
    private static final int SPAN_NAME = 4 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int SPAN_START = 5 << 3 | WIRETYPE_FIXED64;
    private static final int SPAN_END = 6 << 3 | WIRETYPE_FIXED64;
    private static final int SPAN_ATTRIBUTE = 7 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int SPAN_STATUS = 8 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int SPAN_SERVICE_INDEX = 9 << 3 | WIRETYPE_VARINT;
    private static final int SPAN_TGID = 10 << 3 | WIRETYPE_VARINT;
    private static final int SPAN_REQUEST_TID = 11 << 3 | WIRETYPE_VARINT;
    private static final int SPAN_RESPONSE_TID = 12 << 3 | WIRETYPE_VARINT;
    private static final int SPAN_START_MONO = 13 << 3 | WIRETYPE_FIXED64;
    private static final int SPAN_END_MONO = 14 << 3 | WIRETYPE_FIXED64;
    private static final int SPAN_PEER = 15 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int SPAN_ERROR = 16 << 3 | WIRETYPE_VARINT;
    private static final int SPAN_CONNECT_DURATION = 17 << 3 | WIRETYPE_FIXED64;
    private static final int SPAN_ACCEPT_QUEUE_WAIT = 18 << 3 | WIRETYPE_FIXED64;
    // spanscope.v1.Status
    private static final int STATUS_CODE = 1 << 3 | WIRETYPE_VARINT;
    private static final int STATUS_DESCRIPTION = 2 << 3 | WIRETYPE_LENGTH_DELIMITED;
    // spanscope.v1.Endpoint
    private static final int ENDPOINT_ADDRESS = 1 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int ENDPOINT_PORT = 2 << 3 | WIRETYPE_VARINT;
    // spanscope.v1.Service
    private static final int SERVICE_NAME = 1 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int SERVICE_RESOURCE_ATTRIBUTE = 2 << 3 | WIRETYPE_LENGTH_DELIMITED;
    private static final int SERVICE_TRACED = 3 << 3 | WIRETYPE_VARINT;
    private static final int SERVICE_SCHEMA_URL = 4 << 3 | WIRETYPE_LENGTH_DELIMITED;

    private final SharedStrings strings = new SharedStrings();
    private final AttributeReader attributes = new AttributeReader(strings);
    private final ByteSliceCache<ServiceIdentity> serviceCache = new ByteSliceCache<>(MAX_CACHED_SERVICES);
    private final ByteSliceCache<InetAddress> addressCache = new ByteSliceCache<>(MAX_CACHED_ADDRESSES);

    // one fragment's fields, reused from fragment to fragment
    private final SpanFields root = new SpanFields();
    private final List<SpanFields> children = new ArrayList<>();
    private int childCount;
    private final List<ServiceIdentity> services = new ArrayList<>();
    private final List<ExchangeSpan> childSpans = new ArrayList<>();

    /** A decoded fragment and what the agent stamped on it. */
    public record Decoded(Fragment fragment, String agentId, long publishedEpochNanos) {
    }

    /** @throws WireFormatException when the bytes are not a valid fragment */
    public Decoded decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Decodes {@code bytes[offset, offset + length)}, e.g. a fragment inside a resolved record, in place.
     *
     * @throws WireFormatException when the bytes are not a valid fragment
     */
    public Decoded decode(byte[] bytes, int offset, int length) {
        services.clear();
        childSpans.clear();
        childCount = 0;
        root.clear();
        boolean hasRoot = false;
        long rootParent = 0;
        String agentId = "";
        long published = 0;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case FRAGMENT_ROOT -> {
                        readSpan(in, bytes, offset, root); // a second root merges into the first
                        hasRoot = true;
                    }
                    case FRAGMENT_CHILD -> readSpan(in, bytes, offset, nextChild());
                    case FRAGMENT_ROOT_PARENT -> rootParent = in.readFixed64();
                    case FRAGMENT_SERVICE -> services.add(readService(in, bytes, offset));
                    case FRAGMENT_AGENT_ID -> agentId = strings.read(in, bytes, offset);
                    case FRAGMENT_PUBLISHED -> published = in.readFixed64();
                    default -> WireFields.skip(in, tag);
                }
            }
            if (!hasRoot) {
                throw new WireFormatException("fragment without a root span");
            }
            ExchangeSpan rootSpan = span(root, bytes);
            for (int i = 0; i < childCount; i++) {
                childSpans.add(span(children.get(i), bytes));
            }
            return new Decoded(new Fragment(rootSpan, childSpans, rootParent), agentId, published);
        } catch (IOException e) {
            throw new WireFormatException("not a spanscope.v1.Fragment: " + e.getMessage(), e);
        } finally {
            childSpans.clear(); // the fragment holds its own copy; these must not keep spans alive
        }
    }

    /** Same as {@code decode(message.toByteArray())}: the message is read as the bytes it serializes to. */
    public Decoded decode(io.spanscope.pipeline.wire.proto.Fragment message) {
        return decode(message.toByteArray());
    }

    private SpanFields nextChild() {
        if (childCount == children.size()) {
            children.add(new SpanFields());
        }
        SpanFields child = children.get(childCount++);
        child.clear();
        return child;
    }

    /** Reads a length-delimited Span into {@code s}, over what it already holds (a merge). */
    private void readSpan(CodedInputStream in, byte[] bytes, int base, SpanFields s) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case SPAN_ID -> s.spanId = in.readFixed64();
                case SPAN_REMOTE_PARENT -> s.remoteParentSpanId = in.readFixed64();
                case SPAN_KIND -> s.kind = in.readEnum();
                case SPAN_NAME -> s.name = strings.read(in, bytes, base);
                case SPAN_START -> s.startEpochNanos = in.readFixed64();
                case SPAN_END -> s.endEpochNanos = in.readFixed64();
                case SPAN_ATTRIBUTE -> attributes.read(in, bytes, base, s.attributes());
                case SPAN_STATUS -> readStatus(in, bytes, base, s);
                case SPAN_SERVICE_INDEX -> s.serviceIndex = in.readUInt32();
                case SPAN_TGID -> s.tgid = in.readUInt32();
                case SPAN_REQUEST_TID -> s.requestTid = in.readUInt32();
                case SPAN_RESPONSE_TID -> s.responseTid = in.readUInt32();
                case SPAN_START_MONO -> s.startMonoNanos = in.readFixed64();
                case SPAN_END_MONO -> s.endMonoNanos = in.readFixed64();
                case SPAN_PEER -> readPeer(in, base, s);
                case SPAN_ERROR -> s.error = in.readBool();
                case SPAN_CONNECT_DURATION -> s.connectDurationNanos = in.readFixed64();
                case SPAN_ACCEPT_QUEUE_WAIT -> s.acceptQueueWaitNanos = in.readFixed64();
                default -> WireFields.skip(in, tag);
            }
        }
        in.popLimit(limit);
    }

    private void readStatus(CodedInputStream in, byte[] bytes, int base, SpanFields s) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        s.hasStatus = true;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case STATUS_CODE -> s.statusCode = in.readEnum();
                case STATUS_DESCRIPTION -> s.statusDescription = strings.read(in, bytes, base);
                default -> WireFields.skip(in, tag);
            }
        }
        in.popLimit(limit);
    }

    /** The address stays a range of the bytes until the span is built: a later peer field may replace it. */
    private static void readPeer(CodedInputStream in, int base, SpanFields s) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        s.hasPeer = true;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case ENDPOINT_ADDRESS -> {
                    s.peerAddressLength = in.readRawVarint32();
                    s.peerAddressStart = base + in.getTotalBytesRead();
                    in.skipRawBytes(s.peerAddressLength);
                }
                case ENDPOINT_PORT -> s.peerPort = in.readUInt32();
                default -> WireFields.skip(in, tag);
            }
        }
        in.popLimit(limit);
    }

    /** A service seen before (the same bytes) is the same identity; a new one is decoded from its range. */
    private ServiceIdentity readService(CodedInputStream in, byte[] bytes, int base) throws IOException {
        int length = in.readRawVarint32();
        int start = base + in.getTotalBytesRead();
        in.skipRawBytes(length);
        ServiceIdentity identity = serviceCache.get(bytes, start, length);
        if (identity == null) {
            identity = decodeService(bytes, start, length);
            serviceCache.put(bytes, start, length, identity);
        }
        return identity;
    }

    private ServiceIdentity decodeService(byte[] bytes, int start, int length) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes, start, length);
        String name = "";
        AttributesBuilder resource = Attributes.builder();
        boolean traced = false;
        String schemaUrl = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case SERVICE_NAME -> name = strings.read(in, bytes, start);
                case SERVICE_RESOURCE_ATTRIBUTE -> attributes.read(in, bytes, start, resource);
                case SERVICE_TRACED -> traced = in.readBool();
                case SERVICE_SCHEMA_URL -> schemaUrl = strings.read(in, bytes, start);
                default -> WireFields.skip(in, tag);
            }
        }
        Attributes attributes = resource.build();
        try {
            return new ServiceIdentity(name, schemaUrl.isEmpty()
                    ? Resource.create(attributes) : Resource.create(attributes, schemaUrl), traced);
        } catch (IllegalArgumentException e) {
            // OpenTelemetry allows resource keys of printable ASCII only, at most 255 characters
            throw new WireFormatException("bad resource of service " + name + ": " + e.getMessage(), e);
        }
    }

    private ExchangeSpan span(SpanFields s, byte[] bytes) {
        // service_index is an unsigned 32-bit number
        if (Integer.compareUnsigned(s.serviceIndex, services.size()) >= 0) {
            throw new WireFormatException("span " + Long.toHexString(s.spanId) + " names service "
                    + Integer.toUnsignedString(s.serviceIndex) + " of " + services.size());
        }
        return new ExchangeSpan(s.spanId, s.remoteParentSpanId, kind(s.kind), s.name, s.startEpochNanos,
                s.endEpochNanos, s.attributes == null ? Attributes.empty() : s.attributes.build(), status(s),
                services.get(s.serviceIndex), s.tgid, s.requestTid, s.responseTid, s.startMonoNanos, s.endMonoNanos,
                s.hasPeer ? peer(s, bytes) : null, s.error, s.connectDurationNanos, s.acceptQueueWaitNanos,
                // local-linking evidence stays in the agent: a published fragment is already linked
                0, -1, 0, -1, -1, 0, -1);
    }

    private Endpoint peer(SpanFields s, byte[] bytes) {
        try {
            InetAddress address = addressCache.get(bytes, s.peerAddressStart, s.peerAddressLength);
            if (address == null) {
                byte[] raw = new byte[s.peerAddressLength];
                System.arraycopy(bytes, s.peerAddressStart, raw, 0, raw.length);
                address = InetAddress.getByAddress(raw);
                addressCache.put(bytes, s.peerAddressStart, s.peerAddressLength, address);
            }
            return new Endpoint(address, s.peerPort);
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new WireFormatException("bad endpoint: " + e.getMessage(), e);
        }
    }

    private static SpanKind kind(int number) {
        return switch (number) {
            case 1 -> SpanKind.INTERNAL;
            case 2 -> SpanKind.SERVER;
            case 3 -> SpanKind.CLIENT;
            case 4 -> SpanKind.PRODUCER;
            case 5 -> SpanKind.CONSUMER;
            // an unset or unknown kind (from a newer schema) reads as the OTel default
            default -> SpanKind.INTERNAL;
        };
    }

    private static StatusData status(SpanFields s) {
        if (!s.hasStatus) {
            return StatusData.unset();
        }
        StatusCode code = switch (s.statusCode) {
            case 1 -> StatusCode.OK;
            case 2 -> StatusCode.ERROR;
            default -> StatusCode.UNSET;
        };
        return StatusData.create(code, s.statusDescription);
    }

    /** One Span message's fields as read so far; proto3 defaults after {@link #clear()}. */
    private static final class SpanFields {
        long spanId;
        long remoteParentSpanId;
        int kind;
        String name;
        long startEpochNanos;
        long endEpochNanos;
        AttributesBuilder attributes;
        boolean hasStatus;
        int statusCode;
        String statusDescription;
        int serviceIndex;
        int tgid;
        int requestTid;
        int responseTid;
        long startMonoNanos;
        long endMonoNanos;
        boolean hasPeer;
        int peerAddressStart;
        int peerAddressLength;
        int peerPort;
        boolean error;
        long connectDurationNanos;
        long acceptQueueWaitNanos;

        AttributesBuilder attributes() {
            if (attributes == null) {
                attributes = Attributes.builder();
            }
            return attributes;
        }

        void clear() {
            spanId = 0;
            remoteParentSpanId = 0;
            kind = 0;
            name = "";
            startEpochNanos = 0;
            endEpochNanos = 0;
            attributes = null;
            hasStatus = false;
            statusCode = 0;
            statusDescription = "";
            serviceIndex = 0;
            tgid = 0;
            requestTid = 0;
            responseTid = 0;
            startMonoNanos = 0;
            endMonoNanos = 0;
            hasPeer = false;
            peerAddressStart = 0;
            peerAddressLength = 0;
            peerPort = 0;
            error = false;
            connectDurationNanos = 0;
            acceptQueueWaitNanos = 0;
        }
    }
}
