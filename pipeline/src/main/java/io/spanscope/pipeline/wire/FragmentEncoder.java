package io.spanscope.pipeline.wire;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.service.ServiceIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Fragment → the bytes of a {@code spanscope.v1.Fragment} message, written straight from the span
 * objects with {@link CodedOutputStream}: no protobuf message objects are built, sizes are computed first
 * so the output array is allocated once at its exact length. Field numbers follow
 * {@code spanscope/v1/fragment.proto}; {@code FragmentCodecTest} checks the result with the generated
 * parser. Not thread-safe: one encoder per publishing thread.
 */
public final class FragmentEncoder {

    // spanscope.v1.Fragment
    private static final int FRAGMENT_ROOT = 1;
    private static final int FRAGMENT_CHILDREN = 2;
    private static final int FRAGMENT_ROOT_PARENT = 3;
    private static final int FRAGMENT_SERVICES = 4;
    private static final int FRAGMENT_AGENT_ID = 5;
    private static final int FRAGMENT_PUBLISHED = 6;
    // spanscope.v1.Span
    private static final int SPAN_ID = 1;
    private static final int SPAN_REMOTE_PARENT = 2;
    private static final int SPAN_KIND = 3;
    private static final int SPAN_NAME = 4;
    private static final int SPAN_START = 5;
    private static final int SPAN_END = 6;
    private static final int SPAN_ATTRIBUTES = 7;
    private static final int SPAN_STATUS = 8;
    private static final int SPAN_SERVICE_INDEX = 9;
    private static final int SPAN_TGID = 10;
    private static final int SPAN_REQUEST_TID = 11;
    private static final int SPAN_RESPONSE_TID = 12;
    private static final int SPAN_START_MONO = 13;
    private static final int SPAN_END_MONO = 14;
    private static final int SPAN_PEER = 15;
    private static final int SPAN_ERROR = 16;
    private static final int SPAN_CONNECT = 17;
    private static final int SPAN_ACCEPT_WAIT = 18;
    // spanscope.v1.Status, Endpoint, Service
    private static final int STATUS_CODE = 1;
    private static final int STATUS_DESCRIPTION = 2;
    private static final int ENDPOINT_ADDRESS = 1;
    private static final int ENDPOINT_PORT = 2;
    private static final int SERVICE_NAME = 1;
    private static final int SERVICE_ATTRIBUTES = 2;
    private static final int SERVICE_TRACED = 3;
    private static final int SERVICE_SCHEMA_URL = 4;

    private final String agentId;
    private final List<ServiceIdentity> services = new ArrayList<>();
    private final AttributeSizer sizer = new AttributeSizer();
    private final AttributeWriter writer = new AttributeWriter();
    /** Sizes of the root (index 0) and the children, computed once per fragment and used when writing. */
    private int[] spanSizes = new int[16];

    /** @param agentId written into every fragment (empty for none) */
    public FragmentEncoder(String agentId) {
        this.agentId = agentId == null ? "" : agentId;
    }

    /** The encoded fragment; its length is exactly the message's size. */
    public byte[] encode(Fragment fragment, long publishedEpochNanos) {
        services.clear();
        indexServices(fragment);
        byte[] out = new byte[fragmentSize(fragment, publishedEpochNanos)];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            writeFragment(o, fragment, publishedEpochNanos);
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("size and content of a fragment disagree", e);
        } finally {
            services.clear();
        }
        return out;
    }

    private void indexServices(Fragment fragment) {
        serviceIndex(fragment.root().service());
        for (ExchangeSpan child : fragment.children()) {
            serviceIndex(child.service());
        }
    }

    /** Fragments hold one or a few services, so a linear search beats hashing the resource. */
    private int serviceIndex(ServiceIdentity service) {
        for (int i = 0; i < services.size(); i++) {
            ServiceIdentity known = services.get(i);
            if (known == service || known.equals(service)) {
                return i;
            }
        }
        services.add(service);
        return services.size() - 1;
    }

    // ---- sizes ----

    private int fragmentSize(Fragment f, long published) {
        List<ExchangeSpan> children = f.children();
        if (spanSizes.length < children.size() + 1) {
            spanSizes = new int[children.size() + 1];
        }
        spanSizes[0] = spanSize(f.root());
        int size = messageFieldSize(FRAGMENT_ROOT, spanSizes[0]);
        for (int i = 0; i < children.size(); i++) {
            spanSizes[i + 1] = spanSize(children.get(i));
            size += messageFieldSize(FRAGMENT_CHILDREN, spanSizes[i + 1]);
        }
        size += fixed64Size(FRAGMENT_ROOT_PARENT, f.rootParentSpanId());
        for (ServiceIdentity s : services) {
            size += messageFieldSize(FRAGMENT_SERVICES, serviceSize(s));
        }
        size += stringSize(FRAGMENT_AGENT_ID, agentId);
        size += fixed64Size(FRAGMENT_PUBLISHED, published);
        return size;
    }

    private int spanSize(ExchangeSpan s) {
        int size = fixed64Size(SPAN_ID, s.spanId())
                + fixed64Size(SPAN_REMOTE_PARENT, s.remoteParentSpanId())
                + enumSize(SPAN_KIND, kindNumber(s.kind()))
                + stringSize(SPAN_NAME, s.name())
                + fixed64Size(SPAN_START, s.startEpochNanos())
                + fixed64Size(SPAN_END, s.endEpochNanos())
                + attributesSize(SPAN_ATTRIBUTES, s.attributes());
        int status = statusSize(s.status());
        if (status > 0) {
            size += messageFieldSize(SPAN_STATUS, status);
        }
        size += uint32Size(SPAN_SERVICE_INDEX, serviceIndex(s.service()))
                + uint32Size(SPAN_TGID, s.tgid())
                + uint32Size(SPAN_REQUEST_TID, s.requestTid())
                + uint32Size(SPAN_RESPONSE_TID, s.responseTid())
                + fixed64Size(SPAN_START_MONO, s.startNs())
                + fixed64Size(SPAN_END_MONO, s.endNs());
        if (s.peer() != null) {
            size += messageFieldSize(SPAN_PEER, endpointSize(s.peer()));
        }
        if (s.error()) {
            size += CodedOutputStream.computeBoolSize(SPAN_ERROR, true);
        }
        return size + fixed64Size(SPAN_CONNECT, s.connectDurationNs())
                + fixed64Size(SPAN_ACCEPT_WAIT, s.acceptQueueWaitNs());
    }

    private static int statusSize(StatusData status) {
        if (status == null) {
            return 0;
        }
        return enumSize(STATUS_CODE, statusNumber(status)) + stringSize(STATUS_DESCRIPTION, status.getDescription());
    }

    private static int endpointSize(Endpoint e) {
        int addressLength = e.address().getAddress().length;
        return CodedOutputStream.computeTagSize(ENDPOINT_ADDRESS)
                + CodedOutputStream.computeUInt32SizeNoTag(addressLength) + addressLength
                + uint32Size(ENDPOINT_PORT, e.port());
    }

    private int serviceSize(ServiceIdentity s) {
        int size = stringSize(SERVICE_NAME, s.serviceName());
        if (s.resource() != null) {
            size += attributesSize(SERVICE_ATTRIBUTES, s.resource().getAttributes())
                    + stringSize(SERVICE_SCHEMA_URL, s.resource().getSchemaUrl());
        }
        if (s.traced()) {
            size += CodedOutputStream.computeBoolSize(SERVICE_TRACED, true);
        }
        return size;
    }

    private int attributesSize(int field, Attributes attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return 0;
        }
        sizer.field = field;
        sizer.total = 0;
        attributes.forEach(sizer);
        return sizer.total;
    }

    // ---- writing ----

    private void writeFragment(CodedOutputStream o, Fragment f, long published) throws IOException {
        writeSpan(o, FRAGMENT_ROOT, f.root(), spanSizes[0]);
        List<ExchangeSpan> children = f.children();
        for (int i = 0; i < children.size(); i++) {
            writeSpan(o, FRAGMENT_CHILDREN, children.get(i), spanSizes[i + 1]);
        }
        writeFixed64(o, FRAGMENT_ROOT_PARENT, f.rootParentSpanId());
        for (ServiceIdentity s : services) {
            writeService(o, s);
        }
        writeString(o, FRAGMENT_AGENT_ID, agentId);
        writeFixed64(o, FRAGMENT_PUBLISHED, published);
    }

    private void writeSpan(CodedOutputStream o, int field, ExchangeSpan s, int size) throws IOException {
        o.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(size);
        writeFixed64(o, SPAN_ID, s.spanId());
        writeFixed64(o, SPAN_REMOTE_PARENT, s.remoteParentSpanId());
        int kind = kindNumber(s.kind());
        if (kind != 0) {
            o.writeEnum(SPAN_KIND, kind);
        }
        writeString(o, SPAN_NAME, s.name());
        writeFixed64(o, SPAN_START, s.startEpochNanos());
        writeFixed64(o, SPAN_END, s.endEpochNanos());
        writeAttributes(o, SPAN_ATTRIBUTES, s.attributes());
        int status = statusSize(s.status());
        if (status > 0) {
            o.writeTag(SPAN_STATUS, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(status);
            int code = statusNumber(s.status());
            if (code != 0) {
                o.writeEnum(STATUS_CODE, code);
            }
            writeString(o, STATUS_DESCRIPTION, s.status().getDescription());
        }
        writeUInt32(o, SPAN_SERVICE_INDEX, serviceIndex(s.service()));
        writeUInt32(o, SPAN_TGID, s.tgid());
        writeUInt32(o, SPAN_REQUEST_TID, s.requestTid());
        writeUInt32(o, SPAN_RESPONSE_TID, s.responseTid());
        writeFixed64(o, SPAN_START_MONO, s.startNs());
        writeFixed64(o, SPAN_END_MONO, s.endNs());
        if (s.peer() != null) {
            o.writeTag(SPAN_PEER, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(endpointSize(s.peer()));
            o.writeByteArray(ENDPOINT_ADDRESS, s.peer().address().getAddress());
            writeUInt32(o, ENDPOINT_PORT, s.peer().port());
        }
        if (s.error()) {
            o.writeBool(SPAN_ERROR, true);
        }
        writeFixed64(o, SPAN_CONNECT, s.connectDurationNs());
        writeFixed64(o, SPAN_ACCEPT_WAIT, s.acceptQueueWaitNs());
    }

    private void writeService(CodedOutputStream o, ServiceIdentity s) throws IOException {
        o.writeTag(FRAGMENT_SERVICES, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(serviceSize(s));
        writeString(o, SERVICE_NAME, s.serviceName());
        if (s.resource() != null) {
            writeAttributes(o, SERVICE_ATTRIBUTES, s.resource().getAttributes());
        }
        if (s.traced()) {
            o.writeBool(SERVICE_TRACED, true);
        }
        if (s.resource() != null) {
            writeString(o, SERVICE_SCHEMA_URL, s.resource().getSchemaUrl());
        }
    }

    private void writeAttributes(CodedOutputStream o, int field, Attributes attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return;
        }
        writer.out = o;
        writer.field = field;
        attributes.forEach(writer);
        writer.out = null;
    }

    private static void writeFixed64(CodedOutputStream o, int field, long value) throws IOException {
        if (value != 0) {
            o.writeFixed64(field, value);
        }
    }

    private static void writeUInt32(CodedOutputStream o, int field, int value) throws IOException {
        if (value != 0) {
            o.writeUInt32(field, value);
        }
    }

    private static void writeString(CodedOutputStream o, int field, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            o.writeString(field, value);
        }
    }

    // ---- field sizes, proto3 defaults omitted ----

    private static int messageFieldSize(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    private static int fixed64Size(int field, long value) {
        return value == 0 ? 0 : CodedOutputStream.computeFixed64Size(field, value);
    }

    private static int uint32Size(int field, int value) {
        return value == 0 ? 0 : CodedOutputStream.computeUInt32Size(field, value);
    }

    private static int enumSize(int field, int value) {
        return value == 0 ? 0 : CodedOutputStream.computeEnumSize(field, value);
    }

    private static int stringSize(int field, String value) {
        return value == null || value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
    }

    static int kindNumber(SpanKind kind) {
        if (kind == null) {
            return 0;
        }
        return switch (kind) {
            case INTERNAL -> 1;
            case SERVER -> 2;
            case CLIENT -> 3;
            case PRODUCER -> 4;
            case CONSUMER -> 5;
        };
    }

    static int statusNumber(StatusData status) {
        return switch (status.getStatusCode()) {
            case UNSET -> 0;
            case OK -> 1;
            case ERROR -> 2;
        };
    }

    /**
     * One {@code KeyValue} (oneof value: the value is written even when it is a default, so its type
     * survives). Shared by the sizer and the writer so that both agree byte for byte.
     */
    static int keyValueSize(AttributeKey<?> key, Object value) {
        int size = stringSize(KeyValueFields.KEY, key.getKey());
        return size + switch (key.getType()) {
            case STRING -> CodedOutputStream.computeStringSize(KeyValueFields.STRING, (String) value);
            case BOOLEAN -> CodedOutputStream.computeBoolSize(KeyValueFields.BOOL, (Boolean) value);
            case LONG -> CodedOutputStream.computeSInt64Size(KeyValueFields.LONG, (Long) value);
            case DOUBLE -> CodedOutputStream.computeDoubleSize(KeyValueFields.DOUBLE, (Double) value);
            case STRING_ARRAY -> messageFieldSize(KeyValueFields.STRING_ARRAY, stringArraySize((List<?>) value));
            case BOOLEAN_ARRAY -> messageFieldSize(KeyValueFields.BOOL_ARRAY, packedSize(((List<?>) value).size()));
            case LONG_ARRAY -> messageFieldSize(KeyValueFields.LONG_ARRAY, packedSize(longsSize((List<?>) value)));
            case DOUBLE_ARRAY -> messageFieldSize(KeyValueFields.DOUBLE_ARRAY, packedSize(8 * ((List<?>) value).size()));
        };
    }

    private static int stringArraySize(List<?> values) {
        int size = 0;
        for (Object v : values) {
            size += CodedOutputStream.computeStringSize(1, (String) v);
        }
        return size;
    }

    private static int longsSize(List<?> values) {
        int size = 0;
        for (Object v : values) {
            size += CodedOutputStream.computeSInt64SizeNoTag((Long) v);
        }
        return size;
    }

    /** A packed repeated field 1 holding {@code payload} bytes; nothing when empty. */
    private static int packedSize(int payload) {
        return payload == 0 ? 0 : messageFieldSize(1, payload);
    }

    static void writeKeyValue(CodedOutputStream o, AttributeKey<?> key, Object value) throws IOException {
        writeString(o, KeyValueFields.KEY, key.getKey());
        switch (key.getType()) {
            case STRING -> o.writeString(KeyValueFields.STRING, (String) value);
            case BOOLEAN -> o.writeBool(KeyValueFields.BOOL, (Boolean) value);
            case LONG -> o.writeSInt64(KeyValueFields.LONG, (Long) value);
            case DOUBLE -> o.writeDouble(KeyValueFields.DOUBLE, (Double) value);
            case STRING_ARRAY -> {
                List<?> values = (List<?>) value;
                lengthDelimited(o, KeyValueFields.STRING_ARRAY, stringArraySize(values));
                for (Object v : values) {
                    o.writeString(1, (String) v);
                }
            }
            case BOOLEAN_ARRAY -> {
                List<?> values = (List<?>) value;
                lengthDelimited(o, KeyValueFields.BOOL_ARRAY, packedSize(values.size()));
                if (!values.isEmpty()) {
                    lengthDelimited(o, 1, values.size());
                    for (Object v : values) {
                        o.writeBoolNoTag((Boolean) v);
                    }
                }
            }
            case LONG_ARRAY -> {
                List<?> values = (List<?>) value;
                int payload = longsSize(values);
                lengthDelimited(o, KeyValueFields.LONG_ARRAY, packedSize(payload));
                if (payload > 0) {
                    lengthDelimited(o, 1, payload);
                    for (Object v : values) {
                        o.writeSInt64NoTag((Long) v);
                    }
                }
            }
            case DOUBLE_ARRAY -> {
                List<?> values = (List<?>) value;
                lengthDelimited(o, KeyValueFields.DOUBLE_ARRAY, packedSize(8 * values.size()));
                if (!values.isEmpty()) {
                    lengthDelimited(o, 1, 8 * values.size());
                    for (Object v : values) {
                        o.writeDoubleNoTag((Double) v);
                    }
                }
            }
        }
    }

    private static void lengthDelimited(CodedOutputStream o, int field, int length) throws IOException {
        o.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(length);
    }

    /** Field numbers of {@code spanscope.v1.KeyValue}. */
    private static final class KeyValueFields {
        static final int KEY = 1;
        static final int STRING = 2;
        static final int BOOL = 3;
        static final int LONG = 4;
        static final int DOUBLE = 5;
        static final int STRING_ARRAY = 6;
        static final int BOOL_ARRAY = 7;
        static final int LONG_ARRAY = 8;
        static final int DOUBLE_ARRAY = 9;
    }

    /** Sums the sizes of repeated KeyValue fields; a reused instance, so iterating allocates nothing. */
    private static final class AttributeSizer implements BiConsumer<AttributeKey<?>, Object> {
        int field;
        int total;

        @Override
        public void accept(AttributeKey<?> key, Object value) {
            total += messageFieldSize(field, keyValueSize(key, value));
        }
    }

    private static final class AttributeWriter implements BiConsumer<AttributeKey<?>, Object> {
        CodedOutputStream out;
        int field;

        @Override
        public void accept(AttributeKey<?> key, Object value) {
            try {
                lengthDelimited(out, field, keyValueSize(key, value));
                writeKeyValue(out, key, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
