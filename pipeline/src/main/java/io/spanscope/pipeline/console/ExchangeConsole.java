package io.spanscope.pipeline.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.record.RecordSink;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Prints exchanges (records): a readable table row each (time, process, role, method, path, status,
 * latency), or one JSON object each with the timestamps, sizes, endpoints and the protocol's
 * attributes under their OpenTelemetry names. Thread-safe: each record is written whole.
 */
public final class ExchangeConsole implements RecordSink {

    private static final JsonFactory JSON = new JsonFactory();

    private final PrintStream out;
    private final CaptureConsole.Format format;
    private final CaptureClock clock;
    private final ProcessNames processNames;
    private boolean headerPrinted;

    public ExchangeConsole(PrintStream out, CaptureConsole.Format format, CaptureClock clock, ProcessNames processNames) {
        this.out = out;
        this.format = format;
        this.clock = clock;
        this.processNames = processNames;
    }

    @Override
    public void onRecord(Record r) {
        String text = format == CaptureConsole.Format.JSON ? json(r) : row(r);
        synchronized (out) {
            if (format == CaptureConsole.Format.TEXT && !headerPrinted) {
                out.printf("%-12s  %-22s  %-6s  %-8s  %-7s  %-40s  %6s  %10s%n",
                        "TIME", "PROCESS", "ROLE", "PROTO", "METHOD", "PATH", "STATUS", "LATENCY");
                headerPrinted = true;
            }
            out.println(text);
        }
    }

    private String row(Record r) {
        Object method = first(r, "http.request.method", "db.operation.name", "rpc.method");
        Object target = first(r, "url.path", "db.query.text", "rpc.service");
        Object status = first(r, "http.response.status_code", "rpc.grpc.status_code", "db.response.status_code");
        long latency = latencyNs(r);
        String flags = r.isIntact() ? "" : "  " + r.flags();
        return String.format("%-12s  %-22s  %-6s  %-8s  %-7s  %-40s  %6s  %10s%s",
                ConsoleTime.format(clock, r.requestStartNs()),
                cut(r.tgid() > 0 ? processNames.label(r.tgid()) : "-", 22), r.role().name().toLowerCase(), r.protocol().name().toLowerCase(),
                method == null ? "-" : method, cut(target == null ? "-" : target.toString(), 40),
                status == null ? "-" : status, latency < 0 ? "-" : String.format("%.3f ms", latency / 1e6), flags);
    }

    private String json(Record r) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("protocol", r.protocol().name());
            g.writeStringField("role", r.role().name());
            endpoint(g, "client", r.client());
            endpoint(g, "server", r.server());
            if (r.tgid() > 0) {
                g.writeNumberField("pid", r.tgid());
                String name = processNames.nameOf(r.tgid());
                if (name != null) {
                    g.writeStringField("process", name);
                }
            }
            g.writeNumberField("requestTid", r.requestTid());
            g.writeNumberField("requestStartTimeUnixNano", clock.toEpochNanos(r.requestStartNs()));
            g.writeNumberField("requestEndTimeUnixNano", clock.toEpochNanos(r.requestEndNs()));
            if (r.responseStartNs() > 0) {
                g.writeNumberField("responseStartTimeUnixNano", clock.toEpochNanos(r.responseStartNs()));
                g.writeNumberField("responseEndTimeUnixNano", clock.toEpochNanos(r.responseEndNs()));
            }
            g.writeNumberField("latencyNs", latencyNs(r));
            g.writeNumberField("requestBytes", r.requestBytes());
            g.writeNumberField("responseBytes", r.responseBytes());
            g.writeNumberField("requestTcpSeq", r.requestSequence());
            g.writeNumberField("responseTcpSeq", r.responseSequence());
            g.writeObjectFieldStart("attributes");
            IOException[] failure = new IOException[1];
            r.attributes().forEach((k, v) -> {
                try {
                    if (v instanceof Number n) {
                        g.writeNumberField(k, n.longValue());
                    } else {
                        g.writeStringField(k, String.valueOf(v));
                    }
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            g.writeEndObject();
            if (!r.isIntact()) {
                g.writeArrayFieldStart("flags");
                for (RecordFlag f : r.flags()) {
                    g.writeString(f.name());
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static long latencyNs(Record r) {
        return r.responseEndNs() > 0 ? r.responseEndNs() - r.requestStartNs() : -1;
    }

    private static Object first(Record r, String... keys) {
        for (String k : keys) {
            Object v = r.attributes().get(k);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static void endpoint(JsonGenerator g, String prefix, Endpoint e) throws IOException {
        if (e != null) {
            g.writeStringField(prefix + "Address", e.address().getHostAddress());
            g.writeNumberField(prefix + "Port", e.port());
        }
    }


    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
