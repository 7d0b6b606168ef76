package io.spanscope.pipeline.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CaptureConsoleTest {

    private static final byte[] LOOPBACK = {127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    private final ProcessNames names = tgid -> tgid == 100 ? "curl" : tgid == 200 ? "nginx" : null;

    @Test
    void textShowsProcessToProcessRoleBytesAndPreview() throws Exception {
        CaptureConsole console = new CaptureConsole(out, CaptureConsole.Format.TEXT, true, 16, CaptureClock.WALL, names);
        InetAddress lo = InetAddress.getLoopbackAddress();
        // the server side is announced first, so the client's peer can be named
        console.onOpen(new ConnectionOpenEvent(new ConnectionId(200, 7, 1), 200, 1_000, Role.SERVER,
                new Endpoint(lo, 8080), new Endpoint(lo, 50000), false, 0));
        ConnectionId client = new ConnectionId(100, 3, 2);
        console.onOpen(new ConnectionOpenEvent(client, 100, 2_000, Role.CLIENT,
                new Endpoint(lo, 50000), new Endpoint(lo, 8080), false, 0));
        byte[] request = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        console.onData(data(client, request));
        console.onClose(new ConnectionCloseEvent(client, 100, 3_000, request.length, 2048));

        List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).contains("OPEN", "curl[100]", "127.0.0.1:50000 ⇄ 127.0.0.1:8080 nginx[200]", "client");
        assertThat(lines.get(2)).contains("DATA", "→ " + request.length + " B", "\"GET /index.html …\"");
        assertThat(lines.get(3)).contains("CLOSE", "sent " + request.length + " B", "received 2.0 KiB");
    }

    @Test
    void jsonIsOneObjectPerLineWithEventFields() throws Exception {
        CaptureConsole console = new CaptureConsole(out, CaptureConsole.Format.JSON, true, 64, new CaptureClock(1_000_000), names);
        ConnectionId client = new ConnectionId(100, 3, 2);
        byte[] request = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        console.onData(data(client, request));

        Map<String, String> fields = parse(buffer.toString(StandardCharsets.UTF_8).strip());
        assertThat(fields).containsEntry("type", "data").containsEntry("pid", "100").containsEntry("process", "curl")
                .containsEntry("direction", "EGRESS").containsEntry("tcpSeq", "4000000000")
                .containsEntry("bytes", String.valueOf(request.length)).containsEntry("truncated", "false")
                .containsEntry("timeUnixNano", String.valueOf(1_000_000 + 5_000))
                .containsEntry("local", "127.0.0.1:50000").containsEntry("remote", "127.0.0.1:8080")
                .containsEntry("preview", "GET / HTTP/1.1\r\n\r\n");
    }

    @Test
    void aTlsConnectionIsAnnouncedOnceWithItsLibraryAndMarkedOnDataAndClose() throws Exception {
        CaptureConsole console = new CaptureConsole(out, CaptureConsole.Format.TEXT, true, 16, CaptureClock.WALL, names);
        InetAddress lo = InetAddress.getLoopbackAddress();
        ConnectionId client = new ConnectionId(100, 3, 2);
        console.onOpen(new ConnectionOpenEvent(client, 100, 2_000, Role.CLIENT,
                new Endpoint(lo, 50000), new Endpoint(lo, 8443), false, 0));
        byte[] request = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        console.onData(data(client, request).setSource(DataSource.TLS).setTlsLibrary("libssl.so.3"));
        console.onData(data(client, request).setSource(DataSource.TLS).setTlsLibrary("libssl.so.3"));
        console.onClose(new ConnectionCloseEvent(client, 100, 3_000, 100, 200));

        List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).contains("TLS", "curl[100]", "127.0.0.1:50000 ⇄ 127.0.0.1:8443", "tls libssl.so.3");
        assertThat(lines.get(2)).contains("DATA", " tls ");
        assertThat(lines.get(3)).contains("DATA", " tls ");
        assertThat(lines.get(4)).contains("CLOSE", "tls libssl.so.3");
    }

    @Test
    void jsonTlsLineNamesTheLibrary() throws Exception {
        CaptureConsole console = new CaptureConsole(out, CaptureConsole.Format.JSON, true, 0, CaptureClock.WALL, names);
        console.onData(data(new ConnectionId(100, 3, 2), new byte[] {1}).setSource(DataSource.TLS)
                .setTlsLibrary("tls_static_client"));
        assertThat(parse(buffer.toString(StandardCharsets.UTF_8).strip())).containsEntry("type", "tls")
                .containsEntry("library", "tls_static_client").containsEntry("pid", "100");
    }

    @Test
    void zeroPreviewBytesPrintsNoDataLines() {
        CaptureConsole console = new CaptureConsole(out, CaptureConsole.Format.TEXT, true, 0, CaptureClock.WALL, ProcessNames.NONE);
        console.onData(data(new ConnectionId(1, 2, 3), new byte[] {1, 2, 3}));
        assertThat(buffer.size()).isZero();
    }

    private static DataEvent data(ConnectionId id, byte[] payload) {
        return new DataEvent().setConnection(id.tgid(), id.tgid(), id.fd(), id.generation())
                .setTimestampNs(5_000).setDirection(Direction.EGRESS).setRole(Role.CLIENT)
                .setEndpoints(false, LOOPBACK, 0, 50000, LOOPBACK, 0, 8080)
                .setRange((int) 4_000_000_000L, payload.length).setPayload(payload, 0, payload.length);
    }

    private static Map<String, String> parse(String json) throws Exception {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                fields.put(name, p.getText());
            }
        }
        return fields;
    }
}
