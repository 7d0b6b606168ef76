package io.spanscope.spans;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.ConnectionSetup;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.spans.ids.SpanIds;
import io.spanscope.spans.service.ServiceIdentity;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a record into an {@link ExchangeSpan}: deterministic id, kind from the observing side, name,
 * attributes and status by the semantic conventions, wall-clock times from the capture clock, capture
 * damage and connection setup as attributes.
 */
public final class SpanFactory {

    public static final AttributeKey<List<String>> CAPTURE_DAMAGE = AttributeKey.stringArrayKey("spanscope.capture.damage");
    public static final AttributeKey<Double> CONNECT_DURATION_MS = AttributeKey.doubleKey("spanscope.tcp.connect.duration_ms");
    public static final AttributeKey<Double> ACCEPT_QUEUE_WAIT_MS = AttributeKey.doubleKey("spanscope.tcp.accept_queue.wait_ms");
    private static final RecordFlag[] FLAGS = RecordFlag.values();

    private final CaptureClock clock;

    public SpanFactory(CaptureClock clock) {
        this.clock = clock;
    }

    /**
     * @param peerService the service name of the process at the other end when it is traced, else null
     */
    public ExchangeSpan create(Record record, ServiceIdentity service, String peerService) {
        boolean server = record.role() == Role.SERVER;
        long q = record.requestSequence();
        long r = record.responseSequence();
        long spanId;
        long parent = SpanIds.INVALID;
        if (SpanIds.linkable(q, r)) {
            spanId = server ? SpanIds.server(q, r) : SpanIds.client(q, r);
            if (server) {
                parent = SpanIds.client(q, r);
            }
        } else {
            long connectionKey = (long) record.connectionId().tgid() << 32 ^ (long) record.connectionId().fd() << 16
                    ^ record.connectionId().generation();
            spanId = SpanIds.local(connectionKey, record.requestStartNs());
        }
        long startNs = record.requestStartNs() != 0 ? record.requestStartNs() : record.responseStartNs();
        long endNs = Math.max(Math.max(record.responseEndNs(), record.responseStartNs()),
                Math.max(record.requestEndNs(), startNs));
        String errorType = SpanOutcome.errorType(record.protocol(), record.role(), record.attributes());
        Endpoint peer = server ? record.client() : record.server();
        ConnectionSetup setup = record.connectionSetup();
        long connectNs = setup == null || server ? -1 : setup.connectDurationNs();
        long acceptWaitNs = setup == null || !server ? -1 : setup.acceptQueueWaitNs();
        return new ExchangeSpan(spanId, parent, server ? SpanKind.SERVER : SpanKind.CLIENT,
                SpanNaming.name(record.protocol(), record.attributes()),
                clock.toEpochNanos(startNs), clock.toEpochNanos(endNs),
                attributes(record, server, peer, peerService, errorType, connectNs, acceptWaitNs),
                SpanOutcome.status(errorType, record.attributes()), service,
                record.tgid(), record.requestTid(), record.responseTid(), startNs, endNs, peer, errorType != null,
                connectNs, acceptWaitNs, record.connectionId().generation(), q, record.causeGeneration(),
                record.causeSequence(), r, record.completedCallGeneration(), record.completedCallSequence(),
                record.clientWokenNs());
    }

    private static io.opentelemetry.api.common.Attributes attributes(Record record, boolean server, Endpoint peer,
                                                                     String peerService, String errorType,
                                                                     long connectNs, long acceptWaitNs) {
        AttributesBuilder b = io.opentelemetry.api.common.Attributes.builder();
        record.attributes().forEach((key, value) -> put(b, key, value));
        b.put("network.transport", "tcp");
        Endpoint self = server ? record.server() : record.client();
        if (peer != null) {
            b.put("network.peer.address", peer.address().getHostAddress());
            b.put("network.peer.port", (long) peer.port());
            b.put("network.type", peer.address() instanceof Inet6Address ? "ipv6" : "ipv4");
            if (server) {
                b.put("client.address", peer.address().getHostAddress());
                b.put("client.port", (long) peer.port());
            } else if (!record.attributes().containsKey("server.address")) {
                b.put("server.address", peer.address().getHostAddress());
                b.put("server.port", (long) peer.port());
            }
        }
        if (!server && peerService != null) {
            b.put("peer.service", peerService);
        }
        if (server && self != null && !record.attributes().containsKey("server.port")) {
            b.put("server.port", (long) self.port());
        }
        if (record.requestTid() != 0) {
            b.put("thread.id", (long) record.requestTid());
        }
        if (errorType != null) {
            b.put("error.type", errorType);
        } else {
            // a parser may name an outcome that is no error on this side (a gRPC NOT_FOUND, server side)
            b.remove(AttributeKey.stringKey("error.type"));
        }
        if (record.requestBytes() > 0) {
            b.put("spanscope.request.size", record.requestBytes());
        }
        if (record.responseBytes() > 0) {
            b.put("spanscope.response.size", record.responseBytes());
        }
        if (connectNs >= 0) {
            b.put(CONNECT_DURATION_MS, connectNs / 1e6);
        }
        if (acceptWaitNs >= 0) {
            b.put(ACCEPT_QUEUE_WAIT_MS, acceptWaitNs / 1e6);
        }
        if (!record.isIntact()) {
            List<String> damage = new ArrayList<>(2);
            for (RecordFlag flag : FLAGS) {
                if (record.hasFlag(flag) && flag != RecordFlag.JOINED_MID_STREAM) {
                    damage.add(flag.name());
                }
            }
            b.put(CAPTURE_DAMAGE, damage);
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static void put(AttributesBuilder b, String key, Object value) {
        if (value instanceof String s) {
            b.put(key, s);
        } else if (value instanceof Long l) {
            b.put(key, l);
        } else if (value instanceof Boolean bool) {
            b.put(key, bool);
        } else if (value instanceof List<?> list) {
            b.put(AttributeKey.stringArrayKey(key), (List<String>) list);
        } else if (value != null) {
            b.put(key, value.toString());
        }
    }
}
