package io.spanscope.pipeline.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the two span files the harness compares into {@link ObservedSpan}s. */
public final class SpanFiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCE_SPANS_START = "{\"resource\"";

    private SpanFiles() {
    }

    /**
     * The log of a JVM run under the OpenTelemetry Java agent with {@code otel.traces.exporter=logging-otlp}:
     * each export is one log line ending in an OTLP/JSON {@code ResourceSpans} object (ids in hex, kind as
     * the OTLP enum number). Other log lines are skipped.
     */
    public static List<ObservedSpan> readAgentLog(Path log) throws IOException {
        List<ObservedSpan> spans = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            int start = line.indexOf(RESOURCE_SPANS_START);
            if (start < 0) {
                continue;
            }
            JsonNode resourceSpans = JSON.readTree(line.substring(start));
            String service = stringAttribute(resourceSpans.path("resource").path("attributes"), "service.name");
            for (JsonNode scopeSpans : resourceSpans.path("scopeSpans")) {
                for (JsonNode span : scopeSpans.path("spans")) {
                    JsonNode attributes = span.path("attributes");
                    spans.add(new ObservedSpan(span.path("traceId").asText(), span.path("spanId").asText(),
                            emptyToNull(span.path("parentSpanId").asText("")), service, otlpKind(span.path("kind")),
                            pathOf(stringAttribute(attributes, "url.path"), stringAttribute(attributes, "url.full"))));
                }
            }
        }
        return spans;
    }

    /** A file spanscope wrote with {@code --spans-out} (see {@code SpanJsonLinesWriter}). */
    public static List<ObservedSpan> readSpanscopeJsonLines(Path file) throws IOException {
        List<ObservedSpan> spans = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode span = JSON.readTree(line);
            JsonNode attributes = span.path("attributes");
            spans.add(new ObservedSpan(span.path("traceId").asText(), span.path("spanId").asText(),
                    emptyToNull(span.path("parentSpanId").asText("")), span.path("service").asText(),
                    span.path("kind").asText(),
                    pathOf(attributes.path("url.path").asText(null), attributes.path("url.full").asText(null))));
        }
        return spans;
    }

    /** OTLP/JSON writes the span kind as its enum number; some encoders write the enum name. */
    static String otlpKind(JsonNode kind) {
        if (kind.isTextual()) {
            return kind.asText().replace("SPAN_KIND_", "");
        }
        return switch (kind.asInt()) {
            case 1 -> "INTERNAL";
            case 2 -> "SERVER";
            case 3 -> "CLIENT";
            case 4 -> "PRODUCER";
            case 5 -> "CONSUMER";
            default -> "UNSPECIFIED";
        };
    }

    /** Client spans of the agent carry only {@code url.full}; the path is its path part. */
    private static String pathOf(String path, String fullUrl) {
        if (path != null) {
            return path;
        }
        if (fullUrl == null) {
            return null;
        }
        try {
            return URI.create(fullUrl).getRawPath();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String stringAttribute(JsonNode attributes, String key) {
        for (JsonNode attribute : attributes) {
            if (attribute.path("key").asText().equals(key)) {
                return attribute.path("value").path("stringValue").asText(null);
            }
        }
        return null;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
