package io.spanscope.spans.export;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how spans are exported over OTLP. Immutable; {@link #builder()} validates on build and throws
 * {@link IllegalArgumentException} with a one-line reason.
 *
 * @param endpoint base URL ({@code http://127.0.0.1:4317}); for http/protobuf {@code /v1/traces} is appended
 *                 unless the path already names it
 * @param compression {@code none} or {@code gzip}
 * @param trustedCertificates PEM file of CAs to trust for an https endpoint, or null for the system's
 * @param clientKey PEM private key for mutual TLS, or null
 * @param clientCertificate PEM certificate chain for mutual TLS, or null
 */
public record OtlpExportConfig(OtlpProtocol protocol, URI endpoint, Map<String, String> headers, String compression,
                               Duration timeout, Path trustedCertificates, Path clientKey, Path clientCertificate) {

    public OtlpExportConfig {
        headers = Map.copyOf(headers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The URL spans are sent to. */
    public String tracesUrl() {
        String base = endpoint.toString();
        if (protocol == OtlpProtocol.GRPC || base.endsWith("/v1/traces")) {
            return base;
        }
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
    }

    /** Parses {@code k1=v1,k2=v2} as OTEL_EXPORTER_OTLP_HEADERS writes it (values percent-encoded). */
    public static Map<String, String> parseHeaders(String spec) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return headers;
        }
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed OTLP header '" + pair.trim() + "' (expected name=value)");
            }
            String value = pair.substring(eq + 1).trim();
            try {
                // percent-decoding only: a '+' is a plus sign here, not a space as in HTML forms
                value = URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed OTLP header value of '" + pair.substring(0, eq).trim()
                        + "' (bad percent-encoding)");
            }
            headers.put(pair.substring(0, eq).trim(), value);
        }
        return headers;
    }

    /** Builds an {@link OtlpExportConfig}. */
    public static final class Builder {
        private OtlpProtocol protocol = OtlpProtocol.GRPC;
        private String endpoint;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String compression = "gzip";
        private Duration timeout = Duration.ofSeconds(10);
        private Path trustedCertificates;
        private Path clientKey;
        private Path clientCertificate;

        private Builder() {
        }

        public Builder protocol(OtlpProtocol protocol) {
            this.protocol = Objects.requireNonNull(protocol);
            return this;
        }

        /** Null or empty means 127.0.0.1 on the protocol's default port. */
        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder headers(Map<String, String> headers) {
            this.headers.putAll(headers);
            return this;
        }

        public Builder compression(String compression) {
            this.compression = compression;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder tls(Path trustedCertificates, Path clientKey, Path clientCertificate) {
            this.trustedCertificates = trustedCertificates;
            this.clientKey = clientKey;
            this.clientCertificate = clientCertificate;
            return this;
        }

        public OtlpExportConfig build() {
            URI uri = parseEndpoint(endpoint == null || endpoint.isBlank()
                    ? "http://127.0.0.1:" + protocol.defaultPort() : endpoint.trim());
            if (!compression.equals("none") && !compression.equals("gzip")) {
                throw new IllegalArgumentException("unknown OTLP compression '" + compression + "' (expected none or gzip)");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("OTLP timeout must be positive");
            }
            if ((clientKey == null) != (clientCertificate == null)) {
                throw new IllegalArgumentException("mutual TLS needs both a client key and a client certificate");
            }
            return new OtlpExportConfig(protocol, uri, headers, compression, timeout, trustedCertificates, clientKey,
                    clientCertificate);
        }

        private static URI parseEndpoint(String value) {
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("malformed OTLP endpoint '" + value + "': " + e.getReason());
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("OTLP endpoint '" + value + "' must start with http:// or https://");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("OTLP endpoint '" + value + "' has no host");
            }
            return uri;
        }
    }
}
