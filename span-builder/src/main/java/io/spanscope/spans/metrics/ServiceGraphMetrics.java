package io.spanscope.spans.metrics;

import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.resolve.KnownSpan;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Service-graph metrics per client → server edge, as the OpenTelemetry Collector's servicegraph connector
 * names them ({@code traces_service_graph_request_total}, {@code _failed_total},
 * {@code _server_seconds}, {@code _client_seconds}; labels {@code client}, {@code server}): the difference
 * between the client-side and the server-side latency of an edge is the network and queueing time between
 * the two processes. Also the kernel's connection setup: connect time per client service and accept-queue
 * wait per server service. Series are bounded; overflow is counted.
 */
public final class ServiceGraphMetrics implements MetricsSource {

    static final double[] SECONDS_BUCKETS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10};

    private final int maxEdges;
    private final Map<Edge, EdgeSeries> edges = new ConcurrentHashMap<>();
    private final Map<String, Histogram> connectSeconds = new ConcurrentHashMap<>();
    private final Map<String, Histogram> acceptWaitSeconds = new ConcurrentHashMap<>();
    private final AtomicLong overflow = new AtomicLong();

    public ServiceGraphMetrics(int maxEdges) {
        this.maxEdges = maxEdges;
    }

    public void recordEdge(KnownSpan client, ExchangeSpan server) {
        Edge key = new Edge(client.serviceName(), server.service().serviceName());
        EdgeSeries s = edges.get(key);
        if (s == null) {
            if (edges.size() >= maxEdges) {
                overflow.incrementAndGet();
                return;
            }
            s = edges.computeIfAbsent(key, k -> new EdgeSeries());
        }
        s.requests.incrementAndGet();
        if (client.error() || server.error()) {
            s.failed.incrementAndGet();
        }
        s.clientSeconds.record(client.durationNanos() / 1e9);
        s.serverSeconds.record(server.durationNanos() / 1e9);
    }

    /** Connection setup carried by a span: connect time (client) or accept-queue wait (server). */
    public void recordSetup(ExchangeSpan span) {
        if (span.connectDurationNs() >= 0) {
            histogram(connectSeconds, span.service().serviceName()).record(span.connectDurationNs() / 1e9);
        }
        if (span.acceptQueueWaitNs() >= 0) {
            histogram(acceptWaitSeconds, span.service().serviceName()).record(span.acceptQueueWaitNs() / 1e9);
        }
    }

    private Histogram histogram(Map<String, Histogram> map, String service) {
        Histogram h = map.get(service);
        if (h == null) {
            if (map.size() >= maxEdges) {
                overflow.incrementAndGet();
                return new Histogram(SECONDS_BUCKETS);
            }
            h = map.computeIfAbsent(service, k -> new Histogram(SECONDS_BUCKETS));
        }
        return h;
    }

    public long requests(String client, String server) {
        EdgeSeries s = edges.get(new Edge(client, server));
        return s == null ? 0 : s.requests.get();
    }

    @Override
    public void writeTo(PrometheusWriter w) {
        w.family("traces_service_graph_request_total", "counter", "Requests between two traced services.");
        edges.forEach((e, s) -> w.sample("traces_service_graph_request_total", s.requests.get(), e.labels()));
        w.family("traces_service_graph_request_failed_total", "counter", "Failed requests between two traced services.");
        edges.forEach((e, s) -> w.sample("traces_service_graph_request_failed_total", s.failed.get(), e.labels()));
        w.family("traces_service_graph_request_server_seconds", "histogram", "Server-side duration of edge requests.");
        edges.forEach((e, s) -> w.histogram("traces_service_graph_request_server_seconds", s.serverSeconds, e.labels()));
        w.family("traces_service_graph_request_client_seconds", "histogram", "Client-side duration of edge requests.");
        edges.forEach((e, s) -> w.histogram("traces_service_graph_request_client_seconds", s.clientSeconds, e.labels()));
        w.family("spanscope_tcp_connect_duration_seconds", "histogram", "SYN sent to established, per client service.");
        connectSeconds.forEach((svc, h) -> w.histogram("spanscope_tcp_connect_duration_seconds", h, "service_name", svc));
        w.family("spanscope_tcp_accept_queue_wait_seconds", "histogram",
                "Established to accept() returned, per server service.");
        acceptWaitSeconds.forEach((svc, h) -> w.histogram("spanscope_tcp_accept_queue_wait_seconds", h,
                "service_name", svc));
        w.family("spanscope_service_graph_series_overflow_total", "counter",
                "Edges or services not recorded because the series limit was reached.");
        w.sample("spanscope_service_graph_series_overflow_total", overflow.get());
    }

    private record Edge(String client, String server) {
        String[] labels() {
            return new String[] {"client", client, "server", server, "connection_type", ""};
        }
    }

    private static final class EdgeSeries {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Histogram clientSeconds = new Histogram(SECONDS_BUCKETS);
        final Histogram serverSeconds = new Histogram(SECONDS_BUCKETS);
    }
}
