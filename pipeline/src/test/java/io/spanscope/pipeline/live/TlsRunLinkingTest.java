package io.spanscope.pipeline.live;

import static io.spanscope.pipeline.live.ChainTraces.assertLinkedChain;
import static io.spanscope.pipeline.live.ChainTraces.awaitTraces;
import static io.spanscope.pipeline.live.ChainTraces.dependencies;
import static io.spanscope.pipeline.live.ChainTraces.scrape;
import static io.spanscope.pipeline.live.ChainTraces.sample;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.run.LocalRun;
import io.spanscope.spans.export.OtlpExportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `spanscope run` with an HTTPS hop: loadgen → frontend (HTTP) → backend (HTTPS, Python ssl on both ends)
 * → inventory (HTTP). The spans of the TLS hop link into the trace exactly like plaintext hops: the client
 * and server of the HTTPS connection compute the same span ids from the nested syscalls' sequence numbers.
 */
@Tag("live")
class TlsRunLinkingTest {

    @TempDir
    Path work;

    private final TestResources resources = new TestResources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    @Test
    void theHttpsHopLinksIntoTheTraceLikeAPlaintextHop() throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", work.resolve("key.pem").toString(), "-out", work.resolve("cert.pem").toString(),
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0).isTrue();
        JaegerServer jaeger = closeLater(JaegerServer.start(work));
        int frontendPort = TestPorts.free();
        int backendPort = TestPorts.free();
        int inventoryPort = TestPorts.free();
        closeLater(PythonPeer.start(work, "chain_service.py", "inventory.py", Map.of(), "--port", "" + inventoryPort));
        closeLater(PythonPeer.start(work, "chain_service.py", "backend.py", Map.of(), "--port", "" + backendPort,
                "--downstream", "http://127.0.0.1:" + inventoryPort,
                "--certfile", work.resolve("cert.pem").toString(), "--keyfile", work.resolve("key.pem").toString()));
        closeLater(PythonPeer.start(work, "chain_service.py", "frontend.py", Map.of(), "--port", "" + frontendPort,
                "--downstream", "https://127.0.0.1:" + backendPort, "--cafile", work.resolve("cert.pem").toString()));
        TestPorts.awaitListening(frontendPort, Duration.ofSeconds(20));
        TestPorts.awaitListening(backendPort, Duration.ofSeconds(20));
        TestPorts.awaitListening(inventoryPort, Duration.ofSeconds(20));
        LocalRun run = closeLater(LocalRun.builder(LiveCapture.builder()
                        .allowPorts(List.of(frontendPort, backendPort, inventoryPort)))
                .otlp(OtlpExportConfig.builder().endpoint(jaeger.otlpEndpoint()).build(), 10_000)
                .http("127.0.0.1", 0)
                .start());

        int requests = 10;
        PythonPeer loadgen = PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(), "--port", "" + frontendPort,
                "--count", "" + requests);
        List<String> measured = loadgen.awaitExit(120);
        assertThat(measured).hasSize(requests);

        Map<String, com.fasterxml.jackson.databind.JsonNode> tracesByPath = awaitTraces(jaeger, "loadgen", requests, 6);
        for (String line : measured) {
            String[] f = line.split(" ");
            assertThat(f[2]).isEqualTo("200");
            assertLinkedChain(tracesByPath.get(f[1]), f[1], Double.parseDouble(f[3]));
        }
        assertThat(dependencies(jaeger)).contains("frontend->backend=" + requests, "backend->inventory=" + requests);
        String metrics = scrape(run.httpPort());
        assertThat(sample(metrics, "spanscope_capture_tls_plaintext_events")).isPositive();
        assertThat(sample(metrics, "spanscope_capture_tls_ciphertext_bytes_not_forwarded")).isPositive();
        assertThat(sample(metrics, "spanscope_capture_tls_attach_failures")).isZero();
        assertThat(sample(metrics, "spanscope_capture_ring_buffer_drops")).isZero();
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        return resources.add(resource);
    }
}
