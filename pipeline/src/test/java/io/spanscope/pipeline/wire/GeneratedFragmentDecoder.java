package io.spanscope.pipeline.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.pipeline.wire.proto.KeyValue;
import io.spanscope.pipeline.wire.proto.Service;
import io.spanscope.pipeline.wire.proto.Span;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.service.ServiceIdentity;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder {@link FragmentDecoder} replaced (session 5): parses with the generated message classes, then
 * maps them to {@link Fragment}. Kept as the reference the field-by-number decoder must agree with
 * ({@code FragmentDecoderAgreementTest}) and as the baseline of {@code bench.WireBenchmark}.
 */
public final class GeneratedFragmentDecoder {

    private static final int SERVICE_CACHE_SIZE = 1024;

    private final Map<Service, ServiceIdentity> serviceCache =
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Service, ServiceIdentity> eldest) {
                    return size() > SERVICE_CACHE_SIZE;
                }
            };

    /** @throws WireFormatException when the bytes are not a valid fragment */
    public FragmentDecoder.Decoded decode(byte[] bytes) {
        io.spanscope.pipeline.wire.proto.Fragment message;
        try {
            message = io.spanscope.pipeline.wire.proto.Fragment.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new WireFormatException("not a spanscope.v1.Fragment: " + e.getMessage(), e);
        }
        return decode(message);
    }

    public FragmentDecoder.Decoded decode(io.spanscope.pipeline.wire.proto.Fragment message) {
        if (!message.hasRoot()) {
            throw new WireFormatException("fragment without a root span");
        }
        List<ServiceIdentity> services = new ArrayList<>(message.getServicesCount());
        for (Service s : message.getServicesList()) {
            services.add(serviceCache.computeIfAbsent(s, GeneratedFragmentDecoder::service));
        }
        ExchangeSpan root = span(message.getRoot(), services);
        List<ExchangeSpan> children = new ArrayList<>(message.getChildrenCount());
        for (Span child : message.getChildrenList()) {
            children.add(span(child, services));
        }
        return new FragmentDecoder.Decoded(new Fragment(root, children, message.getRootParentSpanId()),
                message.getAgentId(), message.getPublishedEpochNanos());
    }

    private static ExchangeSpan span(Span s, List<ServiceIdentity> services) {
        if (s.getServiceIndex() >= services.size()) {
            throw new WireFormatException("span " + Long.toHexString(s.getSpanId()) + " names service "
                    + s.getServiceIndex() + " of " + services.size());
        }
        return new ExchangeSpan(s.getSpanId(), s.getRemoteParentSpanId(), kind(s.getKindValue()), s.getName(),
                s.getStartEpochNanos(), s.getEndEpochNanos(), attributes(s.getAttributesList()), status(s),
                services.get(s.getServiceIndex()), s.getTgid(), s.getRequestTid(), s.getResponseTid(),
                s.getStartMonoNanos(), s.getEndMonoNanos(), s.hasPeer() ? endpoint(s.getPeer()) : null,
                s.getError(), s.getConnectDurationNanos(), s.getAcceptQueueWaitNanos(),
                // local-linking evidence stays in the agent: a published fragment is already linked
                0, -1, 0, -1, -1, 0, -1);
    }

    private static ServiceIdentity service(Service s) {
        Attributes attributes = attributes(s.getResourceAttributesList());
        Resource resource = s.getSchemaUrl().isEmpty()
                ? Resource.create(attributes) : Resource.create(attributes, s.getSchemaUrl());
        return new ServiceIdentity(s.getServiceName(), resource, s.getTraced());
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

    private static StatusData status(Span s) {
        if (!s.hasStatus()) {
            return StatusData.unset();
        }
        StatusCode code = switch (s.getStatus().getCodeValue()) {
            case 1 -> StatusCode.OK;
            case 2 -> StatusCode.ERROR;
            default -> StatusCode.UNSET;
        };
        return StatusData.create(code, s.getStatus().getDescription());
    }

    private static Endpoint endpoint(io.spanscope.pipeline.wire.proto.Endpoint e) {
        try {
            return new Endpoint(InetAddress.getByAddress(e.getAddress().toByteArray()), e.getPort());
        } catch (UnknownHostException | IllegalArgumentException ex) {
            throw new WireFormatException("bad endpoint: " + ex.getMessage(), ex);
        }
    }

    private static Attributes attributes(List<KeyValue> values) {
        if (values.isEmpty()) {
            return Attributes.empty();
        }
        AttributesBuilder b = Attributes.builder();
        for (KeyValue kv : values) {
            String key = kv.getKey();
            switch (kv.getValueCase()) {
                case STRING_VALUE -> b.put(key, kv.getStringValue());
                case BOOL_VALUE -> b.put(key, kv.getBoolValue());
                case LONG_VALUE -> b.put(key, kv.getLongValue());
                case DOUBLE_VALUE -> b.put(key, kv.getDoubleValue());
                case STRING_ARRAY -> b.put(key, kv.getStringArray().getValuesList().toArray(String[]::new));
                case BOOL_ARRAY -> {
                    List<Boolean> list = kv.getBoolArray().getValuesList();
                    boolean[] values2 = new boolean[list.size()];
                    for (int i = 0; i < values2.length; i++) {
                        values2[i] = list.get(i);
                    }
                    b.put(key, values2);
                }
                case LONG_ARRAY -> b.put(key, kv.getLongArray().getValuesList().stream()
                        .mapToLong(Long::longValue).toArray());
                case DOUBLE_ARRAY -> b.put(key, kv.getDoubleArray().getValuesList().stream()
                        .mapToDouble(Double::doubleValue).toArray());
                // a value type from a newer schema: the attribute is skipped, the span kept
                case VALUE_NOT_SET -> { }
            }
        }
        return b.build();
    }
}
