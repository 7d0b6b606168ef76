package io.spanscope.pipeline.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Endpoint;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live view of {@code spanscope capture}: one line per connection change and, when previews are on,
 * per data event — readable text, or one JSON object per line. Called from every capture worker, so each
 * line is written whole under one lock.
 */
public final class CaptureConsole implements CaptureEventSink {

    public enum Format { TEXT, JSON }

    private static final JsonFactory JSON = new JsonFactory();

    private final PrintStream out;
    private final Format format;
    private final boolean connections;
    private final int previewBytes;
    private final CaptureClock clock;
    private final ProcessNames processNames;
    private final ConnectionDirectory directory = new ConnectionDirectory();
    private final ConcurrentHashMap<ConnectionId, ConnectionOpenEvent> open = new ConcurrentHashMap<>();
    /** Connections whose plaintext a TLS library supplied, and that library's file name. */
    private final ConcurrentHashMap<ConnectionId, String> tlsLibraries = new ConcurrentHashMap<>();

    /**
     * @param connections whether open, established and close lines are printed
     * @param previewBytes how many payload bytes a data line shows; 0 prints no data lines at all
     */
    public CaptureConsole(PrintStream out, Format format, boolean connections, int previewBytes, CaptureClock clock,
                          ProcessNames processNames) {
        this.out = out;
        this.format = format;
        this.connections = connections;
        this.previewBytes = previewBytes;
        this.clock = clock;
        this.processNames = processNames;
    }

    @Override
    public void onOpen(ConnectionOpenEvent e) {
        open.put(e.id(), e);
        directory.opened(e);
        if (!connections) {
            return;
        }
        if (format == Format.JSON) {
            json(g -> {
                header(g, "open", e.id(), e.tid(), e.timestampNs());
                g.writeStringField("role", e.role().name());
                endpoints(g, e.local(), e.remote());
                g.writeBooleanField("joinedMidStream", e.joinedMidStream());
                g.writeNumberField("cgroupId", e.cgroupId());
            });
        } else {
            line(e.timestampNs(), "OPEN ", processNames.label(e.id().tgid()) + " " + arrow(e) + "  " + e.role().name().toLowerCase()
                    + (e.joinedMidStream() ? "  (joined mid-stream)" : ""));
        }
    }

    @Override
    public void onEstablished(ConnectionEstablishedEvent e) {
        if (!connections) {
            return;
        }
        if (format == Format.JSON) {
            json(g -> {
                header(g, "established", e.id(), 0, Math.max(e.establishedNs(), e.acceptedNs()));
                g.writeStringField("role", e.role().name());
                g.writeNumberField("synSentNs", e.synSentNs());
                g.writeNumberField("establishedNs", e.establishedNs());
                g.writeNumberField("acceptedNs", e.acceptedNs());
                g.writeNumberField("connectDurationNs", e.connectDurationNs());
                g.writeNumberField("acceptQueueWaitNs", e.acceptQueueWaitNs());
            });
        } else {
            String what = e.connectDurationNs() >= 0 ? "connect took " + millis(e.connectDurationNs())
                    : e.acceptQueueWaitNs() >= 0 ? "waited in accept queue " + millis(e.acceptQueueWaitNs())
                    : "established";
            line(Math.max(e.establishedNs(), e.acceptedNs()), "EST  ", processNames.label(e.id().tgid()) + " fd " + e.id().fd() + "  " + what);
        }
    }

    @Override
    public void onData(DataEvent e) {
        if (e.source() == DataSource.TLS) {
            noteTls(e);
        }
        if (previewBytes == 0) {
            return;
        }
        if (format == Format.JSON) {
            String preview = PayloadPreview.forJson(e.payload(), e.payloadOffset(), e.payloadLength(), previewBytes);
            json(g -> {
                header(g, "data", e.connectionId(), e.tid(), e.timestampNs());
                g.writeStringField("direction", e.direction().name());
                g.writeStringField("role", e.role().name());
                g.writeStringField("source", e.source().name());
                if (e.tlsLibrary() != null) {
                    g.writeStringField("tlsLibrary", e.tlsLibrary());
                }
                endpoints(g, e.localEndpoint(), e.remoteEndpoint());
                g.writeNumberField("tcpSeq", e.tcpSequenceUnsigned());
                g.writeNumberField("bytes", e.byteCount());
                g.writeNumberField("captured", e.payloadLength());
                g.writeBooleanField("truncated", e.isTruncated());
                g.writeStringField("preview", preview);
            });
        } else {
            String preview = PayloadPreview.of(e.payload(), e.payloadOffset(), e.payloadLength(), previewBytes);
            String dir = e.direction() == io.spanscope.capture.event.Direction.EGRESS ? "→" : "←";
            line(e.timestampNs(), "DATA ", processNames.label(e.tgid()) + " fd " + e.fd() + " " + dir + " " + e.byteCount() + " B"
                    + (e.isTruncated() ? " (" + e.payloadLength() + " captured)" : "")
                    + (e.source() == DataSource.TLS ? " tls" : "") + "  \"" + preview + "\"");
        }
    }

    /** The first plaintext of a connection tells it is TLS and which library supplied it: one line. */
    private void noteTls(DataEvent e) {
        ConnectionId id = e.connectionId();
        String library = e.tlsLibrary() == null ? "tls" : e.tlsLibrary();
        if (tlsLibraries.putIfAbsent(id, library) != null || !connections) {
            return;
        }
        ConnectionOpenEvent opened = open.get(id);
        if (format == Format.JSON) {
            json(g -> {
                header(g, "tls", id, e.tid(), e.timestampNs());
                g.writeStringField("library", library);
            });
        } else {
            String where = opened != null ? arrow(opened) : "fd " + id.fd();
            line(e.timestampNs(), "TLS  ", processNames.label(id.tgid()) + " " + where + "  tls " + library);
        }
    }

    @Override
    public void onClose(ConnectionCloseEvent e) {
        ConnectionOpenEvent opened = open.remove(e.id());
        String tlsLibrary = tlsLibraries.remove(e.id());
        if (opened != null) {
            directory.closed(opened.local());
        }
        if (!connections) {
            return;
        }
        if (format == Format.JSON) {
            json(g -> {
                header(g, "close", e.id(), e.tid(), e.timestampNs());
                g.writeNumberField("bytesSent", e.bytesSent());
                g.writeNumberField("bytesReceived", e.bytesReceived());
                if (tlsLibrary != null) {
                    g.writeStringField("tlsLibrary", tlsLibrary);
                }
            });
        } else {
            String where = opened != null ? arrow(opened) : "fd " + e.id().fd();
            line(e.timestampNs(), "CLOSE", processNames.label(e.id().tgid()) + " " + where + "  sent " + ByteSizes.format(e.bytesSent())
                    + "  received " + ByteSizes.format(e.bytesReceived())
                    + (tlsLibrary != null ? "  tls " + tlsLibrary : ""));
        }
    }

    private String arrow(ConnectionOpenEvent e) {
        int peer = e.remote() == null ? -1 : directory.ownerOf(e.remote());
        String remote = e.remote() == null ? "?" : e.remote().toString();
        String local = e.local() == null ? "?" : e.local().toString();
        return local + " ⇄ " + remote + (peer > 0 ? " " + processNames.label(peer) : "");
    }


    private static String millis(long ns) {
        return String.format("%.3f ms", ns / 1e6);
    }

    private void line(long timestampNs, String kind, String text) {
        String time = ConsoleTime.format(clock, timestampNs);
        synchronized (out) {
            out.println(time + "  " + kind + "  " + text);
        }
    }

    private void header(JsonGenerator g, String type, ConnectionId id, int tid, long timestampNs) throws IOException {
        g.writeStringField("type", type);
        g.writeNumberField("timeUnixNano", clock.toEpochNanos(timestampNs));
        g.writeNumberField("pid", id.tgid());
        if (tid != 0) {
            g.writeNumberField("tid", tid);
        }
        String name = processNames.nameOf(id.tgid());
        if (name != null) {
            g.writeStringField("process", name);
        }
        g.writeNumberField("fd", id.fd());
        g.writeNumberField("generation", id.generation());
    }

    private static void endpoints(JsonGenerator g, Endpoint local, Endpoint remote) throws IOException {
        if (local != null) {
            g.writeStringField("local", local.toString());
        }
        if (remote != null) {
            g.writeStringField("remote", remote.toString());
        }
    }

    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private void json(JsonBody body) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (out) {
            out.println(w);
        }
    }
}
