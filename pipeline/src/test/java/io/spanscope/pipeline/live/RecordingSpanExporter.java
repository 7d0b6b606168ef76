package io.spanscope.pipeline.live;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Keeps what an OTLP backend would need to tell spans apart and link them: span id, trace id and parent
 * span id, one line each ("span trace parent"), in memory and optionally appended to a file before an
 * export reports success (so a process killed right after still leaves what it exported).
 */
public final class RecordingSpanExporter implements SpanExporter {

    private final List<String> lines = new ArrayList<>();
    private final Path file;

    public RecordingSpanExporter(Path file) {
        this.file = file;
    }

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> spans) {
        StringBuilder out = new StringBuilder();
        for (SpanData s : spans) {
            String line = s.getSpanId() + " " + s.getTraceId() + " " + s.getParentSpanId();
            lines.add(line);
            out.append(line).append('\n');
        }
        if (file != null) {
            try {
                Files.writeString(file, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return CompletableResultCode.ofSuccess();
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public static List<String> read(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
