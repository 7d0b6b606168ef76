package io.spanscope.pipeline.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Jaeger v2 (built by scripts/jaeger.sh, in-memory store) on free loopback ports, and its query API.
 */
final class JaegerServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path binary;
    private final Path log;
    final int otlpGrpcPort;
    final int otlpHttpPort;
    final int queryPort;
    private Process process;

    private JaegerServer(Path binary, Path log) throws IOException {
        this.binary = binary;
        this.log = log;
        this.otlpGrpcPort = TestPorts.free();
        this.otlpHttpPort = TestPorts.free();
        this.queryPort = TestPorts.free();
    }

    static JaegerServer start(Path workDir) throws IOException, InterruptedException {
        Process which = new ProcessBuilder("bash", repoRoot().resolve("scripts/jaeger.sh").toString(), "path")
                .redirectErrorStream(true).start();
        String out = new String(which.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (which.waitFor() != 0) {
            throw new IOException("Jaeger is not installed (scripts/setup.sh installs it; or scripts/jaeger.sh install): " + out);
        }
        JaegerServer jaeger = new JaegerServer(Path.of(out), workDir.resolve("jaeger.log"));
        jaeger.startProcess();
        return jaeger;
    }

    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scripts/jaeger.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** OTLP over HTTP (protobuf): the exporter appends /v1/traces. */
    String otlpHttpEndpoint() {
        return "http://127.0.0.1:" + otlpHttpPort;
    }

    String otlpEndpoint() {
        return "http://127.0.0.1:" + otlpGrpcPort;
    }

    void startProcess() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--config",
                repoRoot().resolve("scripts/jaeger/config.yaml").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("OTEL_TRACES_EXPORTER", "none");
        pb.environment().put("JAEGER_OTLP_GRPC_PORT", Integer.toString(otlpGrpcPort));
        pb.environment().put("JAEGER_OTLP_HTTP_PORT", Integer.toString(otlpHttpPort));
        pb.environment().put("JAEGER_QUERY_PORT", Integer.toString(queryPort));
        pb.environment().put("JAEGER_QUERY_GRPC_PORT", Integer.toString(TestPorts.free()));
        pb.environment().put("JAEGER_HEALTH_PORT", Integer.toString(TestPorts.free()));
        process = pb.start();
        // fails at once, with the log, if Jaeger exits (a port it could not bind)
        TestPorts.awaitListening(process, log, queryPort, Duration.ofSeconds(30));
        TestPorts.awaitListening(process, log, otlpGrpcPort, Duration.ofSeconds(30));
        TestPorts.awaitListening(process, log, otlpHttpPort, Duration.ofSeconds(30));
    }

    void stopProcess() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + queryPort + pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("Jaeger " + pathAndQuery + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    List<String> services() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        get("/api/services").path("data").forEach(n -> names.add(n.asText()));
        return names;
    }

    /** Traces with a span of {@code service} (the query API's JSON, data array). */
    JsonNode traces(String service, int limit) throws IOException, InterruptedException {
        return get("/api/traces?service=" + URLEncoder.encode(service, StandardCharsets.UTF_8) + "&limit=" + limit
                + "&lookback=1h").path("data");
    }

    @Override
    public void close() throws InterruptedException {
        stopProcess();
    }
}
