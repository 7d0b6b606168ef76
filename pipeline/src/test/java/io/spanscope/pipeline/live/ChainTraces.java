package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the end-to-end tests expect of the chain loadgen → frontend → backend → inventory
 * ({@code peers/loadgen.py}, {@code peers/chain_service.py}) as Jaeger's query API returns it, and the
 * helpers to read that JSON and the agent's Prometheus text.
 */
final class ChainTraces {

    private static final double NESTING_SLACK_MS = 1.0;

    static final String ROUTE = "GET /api/items/{id}";

    private ChainTraces() {
    }

    /** Waits until Jaeger holds {@code count} traces of at least {@code spansEach} spans with a span of {@code service}, by its url.path. */
    static Map<String, JsonNode> awaitTraces(JaegerServer jaeger, String service, int count, int spansEach)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, JsonNode> byPath = new HashMap<>();
        while (System.nanoTime() < deadline) {
            byPath.clear();
            for (JsonNode trace : jaeger.traces(service, 1000)) {
                if (trace.path("spans").size() < spansEach) {
                    continue;
                }
                for (JsonNode span : trace.path("spans")) {
                    if (service.equals(serviceOf(trace, span))) {
                        byPath.put(tag(span, "url.path"), trace);
                    }
                }
            }
            if (byPath.size() >= count) {
                return byPath;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Jaeger holds " + byPath.size() + " complete traces of " + service + ", expected " + count
                + ": " + jaeger.traces(service, 1000));
    }

    /**
     * Asserts that {@code trace} is the whole chain for one load generator request: six spans with the right
     * names and routes, each parented on its caller, durations nested, the load generator's span within 1 ms
     * of what it measured. Returns the spans by "service/kind".
     */
    static Map<String, JsonNode> assertLinkedChain(JsonNode trace, String path, double clientMs) {
        return assertLinkedChain(trace, path, clientMs, true);
    }

    /**
     * @param frontendKnowsBackend whether whoever traced the frontend also traced the backend, so the
     *                             frontend's call names it in {@code peer.service} (false when they are on
     *                             different nodes in distributed mode: the attribute is then absent)
     */
    static Map<String, JsonNode> assertLinkedChain(JsonNode trace, String path, double clientMs,
                                                   boolean frontendKnowsBackend) {
        return assertLinkedChain(trace, path, clientMs, frontendKnowsBackend, 1.0);
    }

    /**
     * @param schedulingSlackMs how much shorter than the load generator's stopwatch its span may be: time the
     *                          scheduler may take from it between the stopwatch and its socket calls (the
     *                          span can never be longer than the stopwatch, which surrounds those calls)
     */
    static Map<String, JsonNode> assertLinkedChain(JsonNode trace, String path, double clientMs,
                                                   boolean frontendKnowsBackend, double schedulingSlackMs) {
        assertThat(trace).as("trace of %s", path).isNotNull();
        Map<String, JsonNode> spans = spansByServiceAndKind(trace);
        assertThat(spans.keySet()).as("spans of %s", path)
                .containsExactlyInAnyOrder("loadgen/client", "frontend/server", "frontend/client", "backend/server",
                        "backend/client", "inventory/server");
        JsonNode loadgenClient = spans.get("loadgen/client");
        JsonNode frontendServer = spans.get("frontend/server");
        JsonNode frontendClient = spans.get("frontend/client");
        JsonNode backendServer = spans.get("backend/server");
        JsonNode backendClient = spans.get("backend/client");
        JsonNode inventoryServer = spans.get("inventory/server");
        for (JsonNode span : List.of(loadgenClient, frontendServer)) {
            assertThat(span.path("operationName").asText()).isEqualTo(ROUTE);
            assertThat(tag(span, "http.request.method")).isEqualTo("GET");
            assertThat(tag(span, "http.route")).isEqualTo("/api/items/{id}");
            assertThat(tag(span, "url.path")).isEqualTo(path);
            assertThat(tag(span, "http.response.status_code")).isEqualTo("200");
        }
        assertThat(tag(frontendClient, "url.path")).isEqualTo(path + "/detail");
        assertThat(tag(frontendClient, "peer.service")).isEqualTo(frontendKnowsBackend ? "backend" : null);
        assertThat(tag(backendServer, "http.route")).isEqualTo("/api/items/{id}/detail");
        // the client's stopwatch holds little but its two socket calls (loadgen.py), so the span, which runs
        // from the first byte written to the last byte read, agrees with it within a millisecond (unless the
        // scheduler took time from the stopwatch, which callers allow for with schedulingSlackMs)
        assertThat(durationMs(loadgenClient)).as("loadgen span of %s", path)
                .isBetween(clientMs - schedulingSlackMs, clientMs + 1.0);
        // each hop nests in its caller: parents as the request flowed
        assertThat(parentOf(loadgenClient)).isNull();
        assertThat(parentOf(frontendServer)).isEqualTo(spanId(loadgenClient));
        assertThat(parentOf(frontendClient)).isEqualTo(spanId(frontendServer));
        assertThat(parentOf(backendServer)).isEqualTo(spanId(frontendClient));
        // a server span ends when its last send returns (the syscall's exit, SSL_write's return), which the
        // scheduler can delay past its client's read of the reply: nested within NESTING_SLACK_MS (0.1 ms seen
        // on the HTTPS hop under CI load)
        assertThat(durationMs(frontendServer)).isLessThanOrEqualTo(durationMs(loadgenClient) + NESTING_SLACK_MS);
        assertThat(durationMs(backendServer)).isLessThanOrEqualTo(durationMs(frontendClient) + NESTING_SLACK_MS);
        assertThat(parentOf(backendClient)).isEqualTo(spanId(backendServer));
        assertThat(parentOf(inventoryServer)).isEqualTo(spanId(backendClient));
        assertThat(tag(inventoryServer, "url.path")).isEqualTo(path + "/detail/detail");
        assertThat(durationMs(inventoryServer)).isLessThanOrEqualTo(durationMs(backendClient) + NESTING_SLACK_MS);
        assertThat(durationMs(backendClient)).isLessThanOrEqualTo(durationMs(backendServer));
        return spans;
    }

    /** Jaeger's /api/dependencies as "parent->child=callCount". */
    static List<String> dependencies(JaegerServer jaeger) throws IOException, InterruptedException {
        List<String> edges = new ArrayList<>();
        long now = System.currentTimeMillis();
        jaeger.get("/api/dependencies?endTs=" + now + "&lookback=3600000").path("data")
                .forEach(d -> edges.add(d.path("parent").asText() + "->" + d.path("child").asText()
                        + "=" + d.path("callCount").asLong()));
        return edges;
    }

    static Map<String, JsonNode> spansByServiceAndKind(JsonNode trace) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode span : trace.path("spans")) {
            out.put(serviceOf(trace, span) + "/" + tag(span, "span.kind"), span);
        }
        return out;
    }

    static String serviceOf(JsonNode trace, JsonNode span) {
        return trace.path("processes").path(span.path("processID").asText()).path("serviceName").asText();
    }

    static String tag(JsonNode span, String key) {
        for (JsonNode tag : span.path("tags")) {
            if (tag.path("key").asText().equals(key)) {
                return tag.path("value").asText();
            }
        }
        return null;
    }

    static String spanId(JsonNode span) {
        return span.path("spanID").asText();
    }

    static String parentOf(JsonNode span) {
        for (JsonNode ref : span.path("references")) {
            if (ref.path("refType").asText().equals("CHILD_OF")) {
                return ref.path("spanID").asText();
            }
        }
        return null;
    }

    static double durationMs(JsonNode span) {
        return span.path("duration").asLong() / 1000.0;
    }

    static String scrape(int port) throws IOException, InterruptedException {
        // HTTP/1.1: the JDK client's default h2c upgrade attempt against the agent's server has failed
        // with a bogus frame error on larger /metrics bodies
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sum of the samples of {@code name} whose labels contain all of {@code labels}. */
    static long sample(String metrics, String name, String... labels) {
        long sum = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
