package io.spanscope.spans.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpExportConfigTest {

    @Test
    void defaultsToLocalCollectorOnTheProtocolsPort() {
        OtlpExportConfig grpc = OtlpExportConfig.builder().build();
        OtlpExportConfig http = OtlpExportConfig.builder().protocol(OtlpProtocol.HTTP_PROTOBUF).endpoint(" ").build();
        assertThat(grpc.tracesUrl()).isEqualTo("http://127.0.0.1:4317");
        assertThat(grpc.compression()).isEqualTo("gzip");
        assertThat(http.tracesUrl()).isEqualTo("http://127.0.0.1:4318/v1/traces");
    }

    @Test
    void httpAppendsTheTracesPathOnceAndGrpcKeepsTheEndpoint() {
        assertThat(http("https://otel.example.com:4318/").tracesUrl())
                .isEqualTo("https://otel.example.com:4318/v1/traces");
        assertThat(http("http://collector:4318/otlp/v1/traces").tracesUrl())
                .isEqualTo("http://collector:4318/otlp/v1/traces");
        assertThat(http("http://collector:4318/otlp").tracesUrl()).isEqualTo("http://collector:4318/otlp/v1/traces");
        assertThat(OtlpExportConfig.builder().endpoint("https://jaeger:4317").build().tracesUrl())
                .isEqualTo("https://jaeger:4317");
    }

    private static OtlpExportConfig http(String endpoint) {
        return OtlpExportConfig.builder().protocol(OtlpProtocol.HTTP_PROTOBUF).endpoint(endpoint).build();
    }

    @Test
    void malformedEndpointsAreRejectedWithTheReason() {
        assertThatIllegalArgumentException().isThrownBy(() -> http("http://bad host:4318"))
                .withMessageStartingWith("malformed OTLP endpoint 'http://bad host:4318'");
        assertThatIllegalArgumentException().isThrownBy(() -> http("ftp://collector:4318"))
                .withMessage("OTLP endpoint 'ftp://collector:4318' must start with http:// or https://");
        assertThatIllegalArgumentException().isThrownBy(() -> http("collector:4318"))
                .withMessageContaining("must start with http:// or https://");
        assertThatIllegalArgumentException().isThrownBy(() -> http("http:///v1/traces"))
                .withMessage("OTLP endpoint 'http:///v1/traces' has no host");
    }

    @Test
    void otherSettingsAreValidated() {
        assertThatIllegalArgumentException().isThrownBy(() -> OtlpExportConfig.builder().compression("zstd").build())
                .withMessage("unknown OTLP compression 'zstd' (expected none or gzip)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OtlpExportConfig.builder().timeout(Duration.ZERO).build())
                .withMessage("OTLP timeout must be positive");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OtlpExportConfig.builder().tls(null, Path.of("client.key"), null).build())
                .withMessage("mutual TLS needs both a client key and a client certificate");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OtlpExportConfig.builder().tls(Path.of("ca.pem"), null, Path.of("c.pem")).build())
                .withMessage("mutual TLS needs both a client key and a client certificate");
        OtlpExportConfig tls = OtlpExportConfig.builder()
                .tls(Path.of("ca.pem"), Path.of("client.key"), Path.of("client.pem")).compression("none").build();
        assertThat(tls.clientKey()).isEqualTo(Path.of("client.key"));
        assertThat(tls.compression()).isEqualTo("none");
    }

    @Test
    void headersParseAsOtelExporterOtlpHeadersWritesThem() {
        assertThat(OtlpExportConfig.parseHeaders("api-key=abc, x-tenant = t1,authorization=Basic dTpw=="))
                .containsExactly(Map.entry("api-key", "abc"), Map.entry("x-tenant", "t1"),
                        Map.entry("authorization", "Basic dTpw=="));
        assertThat(OtlpExportConfig.parseHeaders("authorization=Basic%20dTpw,x-sig=a+b%2Cc"))
                .containsExactly(Map.entry("authorization", "Basic dTpw"), Map.entry("x-sig", "a+b,c"));
        assertThatIllegalArgumentException().isThrownBy(() -> OtlpExportConfig.parseHeaders("k=%zz"))
                .withMessage("malformed OTLP header value of 'k' (bad percent-encoding)");
        assertThat(OtlpExportConfig.parseHeaders(null)).isEmpty();
        assertThat(OtlpExportConfig.parseHeaders("  ")).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> OtlpExportConfig.parseHeaders("a=1,novalue"))
                .withMessage("malformed OTLP header 'novalue' (expected name=value)");
        assertThatIllegalArgumentException().isThrownBy(() -> OtlpExportConfig.parseHeaders("=v"))
                .withMessageContaining("malformed OTLP header '=v'");
    }

    @Test
    void configHeadersAreAnImmutableCopy() {
        Map<String, String> headers = new java.util.HashMap<>(Map.of("a", "1"));
        OtlpExportConfig config = OtlpExportConfig.builder().headers(headers).build();
        headers.put("b", "2");
        assertThat(config.headers()).containsExactly(Map.entry("a", "1"));
    }

    @Test
    void protocolsParseByTheirOtelNames() {
        assertThat(OtlpProtocol.parse(" GRPC ")).isEqualTo(OtlpProtocol.GRPC);
        assertThat(OtlpProtocol.parse("http/protobuf")).isEqualTo(OtlpProtocol.HTTP_PROTOBUF);
        assertThat(OtlpProtocol.parse("http")).isEqualTo(OtlpProtocol.HTTP_PROTOBUF);
        assertThatIllegalArgumentException().isThrownBy(() -> OtlpProtocol.parse("http/json"))
                .withMessage("unknown OTLP protocol 'http/json' (expected grpc or http/protobuf)");
    }
}
