package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.run.LocalRun;
import io.spanscope.spans.export.ExportStats;
import io.spanscope.spans.export.OtlpExportConfig;
import io.spanscope.spans.export.OtlpProtocol;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export to a real Jaeger: over OTLP/HTTP as well as gRPC; and when Jaeger goes away mid-run, spans made
 * meanwhile wait in the export queue and arrive when it is back; past the queue's bound they are dropped and
 * counted, never silently lost.
 */
@Tag("live")
class ExportOutageTest {

    @TempDir
    Path work;

    @Test
    void spansMadeWhileJaegerIsDownForThirtySecondsArriveWhenItIsBack() throws Exception {
        try (JaegerServer jaeger = JaegerServer.start(work);
             CatalogService service = CatalogService.start(work)) {
            int port = service.port();
            try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(port)))
                    .otlp(OtlpExportConfig.builder().endpoint(jaeger.otlpEndpoint()).timeout(Duration.ofSeconds(2)).build(),
                            10_000)
                    .start()) {
                service.load(1, 5);
                awaitTraceCount(jaeger, 5);
                jaeger.stopProcess();
                long outageStart = System.nanoTime();
                service.load(101, 10);
                Thread.sleep(Math.max(0, Duration.ofSeconds(30).toMillis() - (System.nanoTime() - outageStart) / 1_000_000));
                ExportStats during = run.exportStats();
                assertThat(during.failedAttempts()).as("export attempts failed during the outage").isPositive();
                jaeger.startProcess();
                // the in-memory store restarted empty: what it holds now came from the queue
                awaitTraceCount(jaeger, 10);
                ExportStats after = run.exportStats();
                assertThat(after.droppedQueueFull()).isZero();
                assertThat(after.queued()).isZero();
            }
        }
    }

    @Test
    void spansAlsoReachJaegerOverOtlpHttpWithoutCompression() throws Exception {
        try (JaegerServer jaeger = JaegerServer.start(work);
             CatalogService service = CatalogService.start(work)) {
            try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(service.port())))
                    .otlp(OtlpExportConfig.builder().protocol(OtlpProtocol.HTTP_PROTOBUF)
                            .endpoint(jaeger.otlpHttpEndpoint()).compression("none").build(), 1_000)
                    .start()) {
                service.load(1, 5);
                awaitTraceCount(jaeger, 5);
                assertThat(run.exportStats().failedAttempts()).isZero();
            }
        }
    }

    @Test
    void spansBeyondTheQueueBoundAreCountedAsDropped() throws Exception {
        int deadPort = TestPorts.free();
        try (CatalogService service = CatalogService.start(work)) {
            LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(service.port())))
                    .otlp(OtlpExportConfig.builder().endpoint("http://127.0.0.1:" + deadPort)
                            .timeout(Duration.ofSeconds(1)).build(), 4)
                    .exportShutdownTimeout(Duration.ofSeconds(1))
                    .start();
            try {
                service.load(1, 10);
                assertThat(run.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
            } finally {
                run.close();
            }
            ExportStats stats = run.exportStats();
            assertThat(stats.exported()).isZero();
            assertThat(stats.droppedQueueFull()).isPositive();
            // 10 requests, each a client and a server span: every one accounted for
            assertThat(stats.droppedQueueFull() + stats.droppedAtShutdown()).isEqualTo(20);
        }
    }

    private static void awaitTraceCount(JaegerServer jaeger, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = jaeger.traces("catalog", 1000).size();
            if (seen >= expected) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Jaeger holds " + seen + " traces of catalog, expected " + expected);
    }
}
