package io.spanscope.spans.export;

/** OTLP transports, named as OTEL_EXPORTER_OTLP_PROTOCOL names them. */
public enum OtlpProtocol {
    GRPC("grpc", 4317),
    HTTP_PROTOBUF("http/protobuf", 4318);

    private final String id;
    private final int defaultPort;

    OtlpProtocol(String id, int defaultPort) {
        this.id = id;
        this.defaultPort = defaultPort;
    }

    public String id() {
        return id;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Accepts {@code grpc}, {@code http/protobuf} and {@code http}. */
    public static OtlpProtocol parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("grpc")) {
            return GRPC;
        }
        if (v.equals("http/protobuf") || v.equals("http")) {
            return HTTP_PROTOBUF;
        }
        throw new IllegalArgumentException("unknown OTLP protocol '" + value + "' (expected grpc or http/protobuf)");
    }
}
