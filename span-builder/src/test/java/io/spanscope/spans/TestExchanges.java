package io.spanscope.spans;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.resources.Resource;
import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.spans.service.ServiceIdentity;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Records and spans as the parsers and the factory make them, for tests: HTTP/1 exchanges between a
 * frontend (10.0.0.1) and a backend (10.0.0.2:8080), on explicit threads, times and sequence numbers.
 */
public final class TestExchanges {

    public static final CaptureClock CLOCK = new CaptureClock(1_700_000_000_000_000_000L);
    public static final Endpoint FRONTEND_LISTEN = endpoint("10.0.0.1", 80);
    public static final Endpoint BACKEND_LISTEN = endpoint("10.0.0.2", 8080);
    public static final Endpoint LOAD_BALANCER = endpoint("10.0.0.9", 40_000);
    private static final SpanFactory FACTORY = new SpanFactory(CLOCK);

    private TestExchanges() {
    }

    public static Endpoint endpoint(String address, int port) {
        try {
            return new Endpoint(InetAddress.getByName(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static ServiceIdentity service(String name) {
        return new ServiceIdentity(name, Resource.create(io.opentelemetry.api.common.Attributes.of(
                AttributeKey.stringKey("service.name"), name)), true);
    }

    public static Attributes httpGet(String route, long status) {
        return Attributes.builder().put("http.request.method", "GET").put("url.path", route.replace("{id}", "7"))
                .put("http.route", route).put("http.response.status_code", status).build();
    }

    /** A server exchange: the request read by {@code tid} at {@code startNs}, answered by it until {@code endNs}. */
    public static Record.Builder serverRecord(int tgid, int tid, long startNs, long endNs, long q, long r) {
        return Record.builder().protocol(Protocol.HTTP1).connectionId(new ConnectionId(tgid, 100 + tid, 1))
                .role(Role.SERVER).client(LOAD_BALANCER).server(FRONTEND_LISTEN)
                .request(tid, startNs, startNs + 10, q, 120).response(tid, endNs - 10, endNs, r, 480)
                .attributes(httpGet("/orders/{id}", 200));
    }

    /** A call to the backend written by {@code tid} at {@code startNs}, its answer read until {@code endNs}. */
    public static Record.Builder clientRecord(int tgid, int tid, long startNs, long endNs, long q, long r) {
        return Record.builder().protocol(Protocol.HTTP1).connectionId(new ConnectionId(tgid, 200 + tid, 1))
                .role(Role.CLIENT).client(endpoint("10.0.0.1", 50_000 + tid)).server(BACKEND_LISTEN)
                .request(tid, startNs, startNs + 10, q, 90).response(tid, endNs - 10, endNs, r, 300)
                .attributes(httpGet("/stock/{id}", 200));
    }

    public static ExchangeSpan span(Record.Builder record, String service) {
        return FACTORY.create(record.build(), service(service), null);
    }

    public static ExchangeSpan server(int tgid, int tid, long startNs, long endNs, long q, long r) {
        return span(serverRecord(tgid, tid, startNs, endNs, q, r), "frontend");
    }

    public static ExchangeSpan client(int tgid, int tid, long startNs, long endNs, long q, long r) {
        return span(clientRecord(tgid, tid, startNs, endNs, q, r), "frontend");
    }
}
