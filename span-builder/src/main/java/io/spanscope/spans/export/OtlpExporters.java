package io.spanscope.spans.export;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Builds the OpenTelemetry SDK's OTLP span exporter a configuration asks for. */
public final class OtlpExporters {

    /**
     * The SDK logs every failed export with a stack trace; {@link SpanExportQueue} counts failures and
     * retries instead. Held here because java.util.logging keeps loggers weakly: a level set on a logger
     * nobody references is forgotten.
     */
    private static final Logger SDK_LOGGER = Logger.getLogger("io.opentelemetry");

    private OtlpExporters() {
    }

    public static SpanExporter create(OtlpExportConfig config) {
        SDK_LOGGER.setLevel(Level.OFF);
        return config.protocol() == OtlpProtocol.GRPC ? grpc(config) : http(config);
    }

    private static SpanExporter grpc(OtlpExportConfig config) {
        OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder()
                .setEndpoint(config.tracesUrl())
                .setTimeout(config.timeout())
                .setCompression(config.compression());
        config.headers().forEach(b::addHeader);
        if (config.trustedCertificates() != null) {
            b.setTrustedCertificates(read(config.trustedCertificates()));
        }
        if (config.clientKey() != null) {
            b.setClientTls(read(config.clientKey()), read(config.clientCertificate()));
        }
        return b.build();
    }

    private static SpanExporter http(OtlpExportConfig config) {
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.tracesUrl())
                .setTimeout(config.timeout())
                .setCompression(config.compression());
        config.headers().forEach(b::addHeader);
        if (config.trustedCertificates() != null) {
            b.setTrustedCertificates(read(config.trustedCertificates()));
        }
        if (config.clientKey() != null) {
            b.setClientTls(read(config.clientKey()), read(config.clientCertificate()));
        }
        return b.build();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
