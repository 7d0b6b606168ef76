package io.spanscope.pipeline.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.common.AttributeKey;
import io.spanscope.spans.CapturedSpanData;
import io.spanscope.spans.resolve.ResolvedSpanListener;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code --spans-out FILE}: one JSON object per span and line (trace and span ids in hex, times in epoch
 * nanoseconds, the service, status and every attribute), for scripts and diffing. A write failure is
 * counted and stops further writes; it never stops the pipeline.
 */
public final class SpanJsonLinesWriter implements ResolvedSpanListener, AutoCloseable {

    private static final JsonFactory JSON = new JsonFactory();

    private final OutputStream out;
    private final JsonGenerator json;
    private final AtomicLong written = new AtomicLong();
    private volatile long failures;
    private boolean broken;

    public SpanJsonLinesWriter(Path file) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.json = JSON.createGenerator(out);
        this.json.setRootValueSeparator(null);
        // one write per line would be a syscall per span: lines reach the file when the buffer fills or on flush()
        this.json.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
    }

    /** Pushes buffered lines to the file (called periodically, so `tail -f` follows). */
    public synchronized void flush() {
        if (!broken) {
            try {
                out.flush();
            } catch (IOException e) {
                broken = true;
                failures++;
            }
        }
    }

    @Override
    public synchronized void onSpan(CapturedSpanData span) {
        if (broken) {
            failures++;
            return;
        }
        try {
            write(span);
            json.flush();
            out.write('\n');
            written.incrementAndGet();
        } catch (IOException e) {
            broken = true;
            failures++;
        }
    }

    private void write(CapturedSpanData span) throws IOException {
        json.writeStartObject();
        json.writeStringField("traceId", span.getTraceId());
        json.writeStringField("spanId", span.getSpanId());
        if (span.getParentSpanContext().isValid()) {
            json.writeStringField("parentSpanId", span.getParentSpanId());
        }
        json.writeStringField("name", span.getName());
        json.writeStringField("kind", span.getKind().name());
        json.writeStringField("service", span.exchange().service().serviceName());
        json.writeNumberField("startEpochNanos", span.getStartEpochNanos());
        json.writeNumberField("endEpochNanos", span.getEndEpochNanos());
        json.writeNumberField("durationMillis", (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6);
        json.writeStringField("status", span.getStatus().getStatusCode().name());
        json.writeObjectFieldStart("attributes");
        span.getAttributes().forEach((key, value) -> writeAttribute(key, value));
        json.writeEndObject();
        json.writeEndObject();
    }

    private void writeAttribute(AttributeKey<?> key, Object value) {
        try {
            json.writeFieldName(key.getKey());
            if (value instanceof Long l) {
                json.writeNumber(l);
            } else if (value instanceof Double d) {
                json.writeNumber(d);
            } else if (value instanceof Boolean b) {
                json.writeBoolean(b);
            } else if (value instanceof List<?> list) {
                json.writeStartArray();
                for (Object o : list) {
                    json.writeString(String.valueOf(o));
                }
                json.writeEndArray();
            } else {
                json.writeString(String.valueOf(value));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long written() {
        return written.get();
    }

    public long failures() {
        return failures;
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            json.close();
        } finally {
            out.close();
        }
    }
}
