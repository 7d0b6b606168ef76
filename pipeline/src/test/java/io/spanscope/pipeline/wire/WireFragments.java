package io.spanscope.pipeline.wire;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.service.ServiceIdentity;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Fragments shaped like the span factory's, for codec and publisher tests. */
public final class WireFragments {

    public static final long EPOCH = 1_700_000_000_000_000_000L;

    private WireFragments() {
    }

    public static ServiceIdentity service(String name, int pid) {
        return new ServiceIdentity(name, Resource.create(Attributes.builder()
                .put("service.name", name).put("host.name", "node-a").put("process.pid", (long) pid)
                .put("process.command_line", "python3 " + name + ".py --port 80").build()), true);
    }

    public static Endpoint endpoint(String address, int port) {
        try {
            return new Endpoint(InetAddress.getByName(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static ExchangeSpan server(long spanId, long remoteParent, ServiceIdentity service) {
        return new ExchangeSpan(spanId, remoteParent, SpanKind.SERVER, "GET /orders/{id}", EPOCH + 1_000,
                EPOCH + 9_000_000, Attributes.builder().put("http.request.method", "GET")
                .put("url.path", "/orders/7").put("http.route", "/orders/{id}")
                .put("http.response.status_code", 200L).put("network.peer.address", "10.0.0.9")
                .put("network.peer.port", 40_000L).put("thread.id", 4242L).build(),
                StatusData.unset(), service, 4242, 4243, 4243, 1_000, 9_000_000,
                endpoint("10.0.0.9", 40_000), false, 0, 125_000, 0, -1, 0, -1, -1, 0, -1);
    }

    public static ExchangeSpan client(long spanId, ServiceIdentity service, boolean error) {
        return new ExchangeSpan(spanId, 0, SpanKind.CLIENT, "GET /stock/{id}", EPOCH + 2_000, EPOCH + 8_000_000,
                Attributes.builder().put("http.request.method", "GET").put("server.address", "backend")
                        .put("http.response.status_code", error ? 503L : 200L)
                        .put("error.type", error ? "503" : "").build(),
                error ? StatusData.create(io.opentelemetry.api.trace.StatusCode.ERROR, "Service Unavailable")
                        : StatusData.unset(),
                service, 4242, 4243, 4243, 2_000, 8_000_000, endpoint("fd00::2", 8080), error, 350_000, 0, 0, -1, 0, -1, -1, 0, -1);
    }

    /** A frontend server span with two calls, waiting for its remote parent. */
    public static Fragment frontendFragment(long serverId, long parentId) {
        ServiceIdentity frontend = service("frontend", 4242);
        return new Fragment(server(serverId, parentId, frontend),
                List.of(client(serverId + 1, frontend, false), client(serverId + 2, frontend, true)), parentId);
    }

    /** Every attribute type OpenTelemetry has, including empty arrays and default values. */
    public static Attributes everyAttributeType() {
        return Attributes.builder()
                .put("s", "").put("s2", "héllo ✓")
                .put("b", false).put("b2", true)
                .put("l", 0L).put("l2", -5L).put("l3", Long.MIN_VALUE)
                .put("d", 0.0).put("d2", -1.5e300)
                .put(AttributeKey.stringArrayKey("sa"), List.of("x", "", "z"))
                .put(AttributeKey.stringArrayKey("sa0"), List.of())
                .put(AttributeKey.booleanArrayKey("ba"), List.of(true, false))
                .put(AttributeKey.longArrayKey("la"), List.of(1L, -1L, Long.MAX_VALUE))
                .put(AttributeKey.longArrayKey("la0"), List.of())
                .put(AttributeKey.doubleArrayKey("da"), List.of(1.25, Double.NaN))
                .build();
    }
}
