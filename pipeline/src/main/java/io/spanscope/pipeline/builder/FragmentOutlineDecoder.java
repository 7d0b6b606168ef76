package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.pipeline.wire.WireFormatException;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.service.ServiceIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads from a {@code spanscope.v1.Fragment} only what the resolver needs: span ids, parents, kinds,
 * times, error flags, service names and the root's peer — not attributes, other peers, resources or names,
 * which are most of the bytes and of the decoding work. The span builder forwards each fragment as the bytes it arrived as (see
 * {@link FragmentBytes}), so the outline is never exported; the exporter decodes the full fragment once.
 * Reads fields by number straight from the bytes (no message objects); unknown fields are skipped as the
 * evolution rules require. Not thread-safe: one per task thread.
 */
final class FragmentOutlineDecoder {

    private static final int MAX_CACHED_SERVICES = 1024;

    // spanscope.v1.Fragment
    private static final int FRAGMENT_ROOT = 1;
    private static final int FRAGMENT_CHILDREN = 2;
    private static final int FRAGMENT_ROOT_PARENT = 3;
    private static final int FRAGMENT_SERVICES = 4;
    // spanscope.v1.Span
    private static final int SPAN_ID = 1;
    private static final int SPAN_REMOTE_PARENT = 2;
    private static final int SPAN_KIND = 3;
    private static final int SPAN_START = 5;
    private static final int SPAN_END = 6;
    private static final int SPAN_SERVICE_INDEX = 9;
    private static final int SPAN_PEER = 15;
    private static final int SPAN_ERROR = 16;
    // spanscope.v1.Service
    private static final int ENDPOINT_ADDRESS = 1;
    private static final int ENDPOINT_PORT = 2;

    private static final int SERVICE_NAME = 1;
    private static final int SERVICE_TRACED = 3;

    /** Identities by name, traced and not: an outline's service carries its name only. */
    private final Map<String, ServiceIdentity> tracedServices = new HashMap<>();
    private final Map<String, ServiceIdentity> untracedServices = new HashMap<>();
    private final List<SpanFields> spans = new ArrayList<>();
    private final List<ServiceIdentity> services = new ArrayList<>();

    /** @throws WireFormatException when the bytes are not a fragment with a root whose services all exist */
    Fragment decode(byte[] bytes) {
        spans.clear();
        services.clear();
        long rootParent = 0;
        boolean hasRoot = false;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case FRAGMENT_ROOT -> {
                        SpanFields root = readSpan(in, true);
                        if (hasRoot) {
                            spans.set(0, root); // a repeated singular message: the last one counts
                        } else {
                            spans.add(0, root);
                            hasRoot = true;
                        }
                    }
                    case FRAGMENT_CHILDREN -> spans.add(readSpan(in, false));
                    case FRAGMENT_ROOT_PARENT -> rootParent = in.readFixed64();
                    case FRAGMENT_SERVICES -> services.add(readService(in));
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new WireFormatException("not a spanscope.v1.Fragment: " + e.getMessage(), e);
        }
        if (!hasRoot) {
            throw new WireFormatException("fragment without a root span");
        }
        ExchangeSpan root = span(spans.get(0));
        List<ExchangeSpan> children = new ArrayList<>(spans.size() - 1);
        for (int i = 1; i < spans.size(); i++) {
            children.add(span(spans.get(i)));
        }
        return new Fragment(root, children, rootParent);
    }

    /** Receives the span ids of a fragment. */
    @FunctionalInterface
    interface SpanIdVisitor {
        void visit(long spanId);
    }

    /**
     * Walks the span ids of a fragment that {@link #decode} accepted before (a waiting one): its children's,
     * then its root's. Builds nothing: announcing a waiter's spans pending needs no outline.
     *
     * @throws WireFormatException when the bytes are not a fragment with a root
     */
    static void forEachSpanId(byte[] bytes, SpanIdVisitor visitor) {
        long rootId = 0;
        boolean hasRoot = false;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = WireFormat.getTagFieldNumber(tag);
                if (field == FRAGMENT_ROOT) {
                    rootId = readSpanId(in); // a repeated singular message: the last one counts
                    hasRoot = true;
                } else if (field == FRAGMENT_CHILDREN) {
                    visitor.visit(readSpanId(in));
                } else {
                    in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new WireFormatException("not a spanscope.v1.Fragment: " + e.getMessage(), e);
        }
        if (!hasRoot) {
            throw new WireFormatException("fragment without a root span");
        }
        visitor.visit(rootId);
    }

    private static long readSpanId(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        long spanId = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == SPAN_ID) {
                spanId = in.readFixed64();
            } else {
                in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return spanId;
    }

    /** {@code withPeer}: the root's peer tells the resolver whether its caller is external. */
    private static SpanFields readSpan(CodedInputStream in, boolean withPeer) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        SpanFields s = new SpanFields();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case SPAN_ID -> s.spanId = in.readFixed64();
                case SPAN_REMOTE_PARENT -> s.remoteParentSpanId = in.readFixed64();
                case SPAN_KIND -> s.kind = in.readEnum();
                case SPAN_START -> s.startEpochNanos = in.readFixed64();
                case SPAN_END -> s.endEpochNanos = in.readFixed64();
                case SPAN_SERVICE_INDEX -> s.serviceIndex = in.readUInt32();
                case SPAN_ERROR -> s.error = in.readBool();
                case SPAN_PEER -> {
                    if (withPeer) {
                        s.peer = readEndpoint(in);
                    } else {
                        in.skipField(tag);
                    }
                }
                default -> in.skipField(tag);
            }
        }
        in.checkLastTagWas(0);
        in.popLimit(limit);
        return s;
    }

    private static Endpoint readEndpoint(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        byte[] address = null;
        int port = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case ENDPOINT_ADDRESS -> address = in.readByteArray();
                case ENDPOINT_PORT -> port = in.readUInt32();
                default -> in.skipField(tag);
            }
        }
        in.checkLastTagWas(0);
        in.popLimit(limit);
        if (address == null) {
            return null;
        }
        try {
            return new Endpoint(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new WireFormatException("bad endpoint: " + e.getMessage(), e);
        }
    }

    private ServiceIdentity readService(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        String name = "";
        boolean traced = false;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case SERVICE_NAME -> name = in.readStringRequireUtf8();
                case SERVICE_TRACED -> traced = in.readBool();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        Map<String, ServiceIdentity> cache = traced ? tracedServices : untracedServices;
        ServiceIdentity identity = cache.get(name);
        if (identity == null) {
            if (cache.size() >= MAX_CACHED_SERVICES) {
                cache.clear();
            }
            identity = new ServiceIdentity(name, Resource.empty(), traced);
            cache.put(name, identity);
        }
        return identity;
    }

    private ExchangeSpan span(SpanFields s) {
        // index checked as an unsigned 32-bit number, as the full decoder reads it
        if (s.serviceIndex < 0 || s.serviceIndex >= services.size()) {
            throw new WireFormatException("span " + Long.toHexString(s.spanId) + " names service "
                    + Integer.toUnsignedString(s.serviceIndex) + " of " + services.size());
        }
        return new ExchangeSpan(s.spanId, s.remoteParentSpanId, kind(s.kind), "", s.startEpochNanos,
                s.endEpochNanos, Attributes.empty(), StatusData.unset(), services.get(s.serviceIndex), 0, 0, 0,
                0, 0, s.peer, s.error, 0, 0, 0, -1, 0, -1, -1, 0, -1);
    }

    private static SpanKind kind(int number) {
        return switch (number) {
            case 2 -> SpanKind.SERVER;
            case 3 -> SpanKind.CLIENT;
            case 4 -> SpanKind.PRODUCER;
            case 5 -> SpanKind.CONSUMER;
            default -> SpanKind.INTERNAL;
        };
    }

    private static final class SpanFields {
        long spanId;
        long remoteParentSpanId;
        int kind;
        long startEpochNanos;
        long endEpochNanos;
        int serviceIndex;
        boolean error;
        Endpoint peer;
    }
}
