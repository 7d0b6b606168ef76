package io.spanscope.pipeline.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two file formats, in the shapes the agent's logging-otlp exporter and spanscope's --spans-out write. */
class SpanFilesTest {

    @TempDir
    Path dir;

    @Test
    void agentLogLinesCarryOtlpJsonResourceSpans() throws Exception {
        Path log = dir.resolve("a.log");
        Files.writeString(log, String.join("\n",
                "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes",
                "[otel.javaagent 2026-11-25 09:52:15:726 +0000] [main] INFO VersionLogger - version: 2.33.1",
                "[otel.javaagent 2026-11-25 09:52:33:667 +0000] [BatchSpanProcessor_WorkerThread-1] INFO "
                        + "io.opentelemetry.exporter.logging.otlp.OtlpJsonLoggingSpanExporter - "
                        + "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"prices\"}}]},"
                        + "\"scopeSpans\":[{\"scope\":{\"name\":\"io.opentelemetry.java-http-server\"},\"spans\":["
                        + "{\"traceId\":\"be20\",\"spanId\":\"aea7\",\"parentSpanId\":\"8f4a\",\"name\":\"GET /prices/\","
                        + "\"kind\":2,\"attributes\":[{\"key\":\"url.path\",\"value\":{\"stringValue\":\"/prices/r1\"}}]},"
                        + "{\"traceId\":\"be20\",\"spanId\":\"33e9\",\"parentSpanId\":\"aea7\",\"name\":\"GET\",\"kind\":3,"
                        + "\"attributes\":[{\"key\":\"url.full\",\"value\":{\"stringValue\":\"http://127.0.0.1:19005/ledger/r1\"}}]},"
                        + "{\"traceId\":\"be20\",\"spanId\":\"77aa\",\"parentSpanId\":\"\",\"name\":\"work\",\"kind\":1}]}]}",
                ""));

        List<ObservedSpan> spans = SpanFiles.readAgentLog(log);

        assertThat(spans).containsExactly(
                new ObservedSpan("be20", "aea7", "8f4a", "prices", "SERVER", "/prices/r1"),
                new ObservedSpan("be20", "33e9", "aea7", "prices", "CLIENT", "/ledger/r1"),
                new ObservedSpan("be20", "77aa", null, "prices", "INTERNAL", null));
        assertThat(spans.get(2).isComparable()).isFalse();
    }

    @Test
    void spanscopeJsonLines() throws Exception {
        Path file = dir.resolve("spans.jsonl");
        Files.writeString(file, "{\"traceId\":\"t1\",\"spanId\":\"s1\",\"name\":\"GET\",\"kind\":\"SERVER\","
                + "\"service\":\"gateway\",\"attributes\":{\"url.path\":\"/gateway/r7\",\"http.response.status_code\":200}}\n"
                + "{\"traceId\":\"t1\",\"spanId\":\"s2\",\"parentSpanId\":\"s1\",\"kind\":\"CLIENT\",\"service\":\"gateway\","
                + "\"attributes\":{\"url.path\":\"/orders/r7\"}}\n");

        assertThat(SpanFiles.readSpanscopeJsonLines(file)).containsExactly(
                new ObservedSpan("t1", "s1", null, "gateway", "SERVER", "/gateway/r7"),
                new ObservedSpan("t1", "s2", "s1", "gateway", "CLIENT", "/orders/r7"));
    }
}
