package io.spanscope.spans.metrics;

import static io.spanscope.spans.TestExchanges.clientRecord;
import static io.spanscope.spans.TestExchanges.httpGet;
import static io.spanscope.spans.TestExchanges.serverRecord;
import static io.spanscope.spans.TestExchanges.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.parsers.record.ConnectionSetup;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.TraceKey;
import org.junit.jupiter.api.Test;

class ServiceGraphMetricsTest {

    private static KnownSpan caller(String service, long durationNs, boolean error) {
        return new KnownSpan(new TraceKey(1, 2), service, durationNs, error, true);
    }

    private static ExchangeSpan served(String service, long durationNs, long status) {
        return span(serverRecord(3, 3, 1_000, 1_000 + durationNs, 1, 2).attributes(httpGet("/x", status)), service);
    }

    @Test
    void edgesCountRequestsFailuresAndBothSidesLatency() {
        ServiceGraphMetrics graph = new ServiceGraphMetrics(10);
        graph.recordEdge(caller("frontend", 4_000_000, false), served("backend", 3_000_000, 200));
        graph.recordEdge(caller("frontend", 40_000_000, false), served("backend", 30_000_000, 503));
        graph.recordEdge(caller("backend", 2_000_000, true), served("db", 1_000_000, 200));

        assertThat(graph.requests("frontend", "backend")).isEqualTo(2);
        assertThat(graph.requests("backend", "db")).isEqualTo(1);
        assertThat(graph.requests("backend", "frontend")).isZero();
        String text = write(graph);
        String fb = "client=\"frontend\",server=\"backend\",connection_type=\"\"";
        assertThat(text).contains("traces_service_graph_request_total{" + fb + "} 2\n");
        assertThat(text).contains("traces_service_graph_request_failed_total{" + fb + "} 1\n");
        assertThat(text).contains("traces_service_graph_request_failed_total{client=\"backend\",server=\"db\","
                + "connection_type=\"\"} 1\n");
        assertThat(text).contains("traces_service_graph_request_server_seconds_sum{" + fb + "} 0.033\n");
        assertThat(text).contains("traces_service_graph_request_client_seconds_sum{" + fb + "} 0.044\n");
        assertThat(text).contains("traces_service_graph_request_client_seconds_bucket{" + fb + ",le=\"0.005\"} 1\n");
        assertThat(text).contains("traces_service_graph_request_client_seconds_bucket{" + fb + ",le=\"0.05\"} 2\n");
        assertThat(text).contains("spanscope_service_graph_series_overflow_total 0\n");
    }

    @Test
    void edgesBeyondTheLimitAreCountedAsOverflow() {
        ServiceGraphMetrics graph = new ServiceGraphMetrics(1);
        graph.recordEdge(caller("a", 1, false), served("b", 1, 200));
        graph.recordEdge(caller("a", 1, false), served("c", 1, 200));
        graph.recordEdge(caller("a", 1, false), served("b", 1, 200));

        assertThat(graph.requests("a", "b")).isEqualTo(2);
        assertThat(graph.requests("a", "c")).isZero();
        assertThat(write(graph)).contains("spanscope_service_graph_series_overflow_total 1\n")
                .doesNotContain("server=\"c\"");
    }

    @Test
    void connectionSetupIsRecordedPerService() {
        ServiceGraphMetrics graph = new ServiceGraphMetrics(10);
        ConnectionSetup setup = new ConnectionSetup(1_000_000, 3_000_000, 3_500_000);
        graph.recordSetup(span(clientRecord(2, 2, 5_000_000, 9_000_000, 1, 2).connectionSetup(setup), "frontend"));
        graph.recordSetup(span(serverRecord(3, 3, 5_000_000, 9_000_000, 1, 2).connectionSetup(setup), "backend"));
        graph.recordSetup(span(serverRecord(3, 3, 5_000_000, 9_000_000, 1, 2), "backend"));

        String text = write(graph);
        assertThat(text).contains("spanscope_tcp_connect_duration_seconds_sum{service_name=\"frontend\"} 0.002\n");
        assertThat(text).contains("spanscope_tcp_connect_duration_seconds_count{service_name=\"frontend\"} 1\n");
        assertThat(text).contains("spanscope_tcp_accept_queue_wait_seconds_sum{service_name=\"backend\"} 5.0E-4\n");
        assertThat(text).contains("spanscope_tcp_accept_queue_wait_seconds_count{service_name=\"backend\"} 1\n");
        assertThat(text).doesNotContain("spanscope_tcp_connect_duration_seconds_count{service_name=\"backend\"}");
    }

    private static String write(MetricsSource source) {
        PrometheusWriter w = new PrometheusWriter();
        source.writeTo(w);
        return w.toString();
    }
}
