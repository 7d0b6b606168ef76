package io.spanscope.pipeline.cli;

import io.spanscope.spans.export.OtlpExportConfig;
import io.spanscope.spans.export.OtlpProtocol;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where spans go over OTLP. Flags win over the standard OpenTelemetry environment variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, _TRACES_ENDPOINT, _PROTOCOL, _HEADERS); with neither, spans go to a Jaeger
 * (or any OTLP receiver) listening on 127.0.0.1:4317 if there is one.
 */
public final class OtlpOptions {

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "OTLP receiver, e.g. http://127.0.0.1:4317 (gRPC) or http://collector:4318 (HTTP).")
    String endpoint;

    @Option(names = "--otlp-protocol", paramLabel = "grpc|http/protobuf", description = "OTLP transport (default grpc).")
    String protocol;

    @Option(names = "--otlp-header", paramLabel = "NAME=VALUE", description = "Header sent with every export (repeatable).")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--otlp-compression", paramLabel = "gzip|none", description = "Export compression (default gzip).")
    String compression = "gzip";

    @Option(names = "--otlp-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Timeout of one export call (default 10s).")
    Duration timeout = Duration.ofSeconds(10);

    @Option(names = "--otlp-ca-file", paramLabel = "PEM", description = "CA certificates to trust for an https endpoint.")
    Path caFile;

    @Option(names = "--otlp-client-key", paramLabel = "PEM", description = "Client key for mutual TLS.")
    Path clientKey;

    @Option(names = "--otlp-client-cert", paramLabel = "PEM", description = "Client certificate chain for mutual TLS.")
    Path clientCert;

    @Option(names = "--no-export", description = "Do not export over OTLP (summary and --spans-out only).")
    boolean noExport;

    /** What the options and environment ask for: a config, or null for no export. */
    Resolved resolve(Map<String, String> env) {
        if (noExport) {
            return new Resolved(null, false);
        }
        String url = endpoint;
        if (url == null) {
            url = env.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
        }
        String proto = protocol != null ? protocol
                : env.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", env.get("OTEL_EXPORTER_OTLP_PROTOCOL"));
        Map<String, String> allHeaders = new LinkedHashMap<>();
        try {
            allHeaders.putAll(OtlpExportConfig.parseHeaders(env.get("OTEL_EXPORTER_OTLP_HEADERS")));
            allHeaders.putAll(headers);
            OtlpExportConfig config = OtlpExportConfig.builder()
                    .protocol(proto == null ? OtlpProtocol.GRPC : OtlpProtocol.parse(proto))
                    .endpoint(url)
                    .headers(allHeaders)
                    .compression(compression)
                    .timeout(timeout)
                    .tls(caFile, clientKey, clientCert)
                    .build();
            for (Path p : new Path[] {caFile, clientKey, clientCert}) {
                if (p != null && !p.toFile().canRead()) {
                    throw new SpanscopeCommand.UsageException("cannot read " + p);
                }
            }
            return new Resolved(config, url != null);
        } catch (IllegalArgumentException e) {
            throw new SpanscopeCommand.UsageException(e.getMessage());
        }
    }

    /** Whether something accepts TCP connections at the endpoint now (a quick check, not a guarantee). */
    static String unreachableReason(OtlpExportConfig config) {
        String host = config.endpoint().getHost();
        int port = port(config);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return null;
        } catch (IOException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    static int port(OtlpExportConfig config) {
        int port = config.endpoint().getPort();
        if (port > 0) {
            return port;
        }
        return "https".equals(config.endpoint().getScheme()) ? 443 : 80;
    }

    /** @param explicit whether the user named the endpoint (flag or environment) rather than the default */
    record Resolved(OtlpExportConfig config, boolean explicit) {
    }
}
