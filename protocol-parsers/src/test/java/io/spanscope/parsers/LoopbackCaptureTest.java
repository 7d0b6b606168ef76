package io.spanscope.parsers;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real bytes from real peers: curl talks to Python's http.server (HTTP/1.1, keep-alive) through a relay
 * in this test. Every read the relay makes becomes a data event as the server process would report
 * it (requests INGRESS, responses EGRESS), with the read's time and running sequence numbers. Only this
 * test's own loopback sockets are involved.
 */
class LoopbackCaptureTest {

    private static final String SERVER = String.join("\n",
            "import functools, http.server, sys",
            "class H(http.server.SimpleHTTPRequestHandler):",
            "    protocol_version = 'HTTP/1.1'",
            "    def log_message(self, *a): pass",
            "h = functools.partial(H, directory=sys.argv[1])",
            "s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), h)",
            "print(s.server_address[1], flush=True)",
            "s.serve_forever()");

    private Process server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.destroy();
        }
    }

    @Test
    void curlToPythonHttpServerOverKeepAliveBecomesTwoExactRecords(@TempDir Path dir) throws Exception {
        assumeTrue(runs("python3", "--version") && runs("curl", "--version"), "python3 and curl are needed");
        byte[] json = "{\"id\":42,\"name\":\"Ada Lovelace\",\"tags\":[\"math\",\"engines\"]}\n".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("user.json"), json);
        server = new ProcessBuilder("python3", "-c", SERVER, dir.toString()).redirectErrorStream(true).start();
        int serverPort = Integer.parseInt(new BufferedReader(new InputStreamReader(server.getInputStream())).readLine().trim());

        List<DataEvent> events = new ArrayList<>();
        int[] sequences = new int[2];
        sequences[Direction.INGRESS.ordinal()] = 0x1000_0000;
        sequences[Direction.EGRESS.ordinal()] = 0xFFFF_FF00;
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-o", "/dev/null",
                    "http://127.0.0.1:" + relay.getLocalPort() + "/user.json?fields=name",
                    "http://127.0.0.1:" + relay.getLocalPort() + "/missing/7").start();
            try (Socket fromCurl = relay.accept(); Socket toServer = new Socket(InetAddress.getLoopbackAddress(), serverPort)) {
                fromCurl.setSoTimeout(20_000);
                toServer.setSoTimeout(20_000);
                Thread up = pump(fromCurl, toServer, Direction.INGRESS, events, sequences);
                Thread down = pump(toServer, fromCurl, Direction.EGRESS, events, sequences);
                assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
                up.join(20_000);
                endDownstream(toServer);
                down.join(20_000);
            }
        }

        CollectingSink sink = new CollectingSink();
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);
        synchronized (events) {
            events.forEach(tracker::onData);
        }
        tracker.endAll(System.nanoTime());

        List<Record> records = sink.records();
        assertThat(records).hasSize(2);
        Record found = records.get(0);
        Record missing = records.get(1);
        assertThat(found.role()).isEqualTo(Role.SERVER);
        assertThat(found.attributes().asMap())
                .containsEntry("http.request.method", "GET")
                .containsEntry("url.path", "/user.json")
                .containsEntry("url.query", "fields=name")
                .containsEntry("http.response.status_code", 200L)
                .containsEntry("http.response.body.size", (long) json.length)
                .containsEntry("http.response.header.content-type", List.of("application/json"));
        assertThat(found.attributes().getString("user_agent.original")).startsWith("curl/");
        assertThat(missing.attributes().asMap())
                .containsEntry("url.path", "/missing/7")
                .containsEntry("http.route", "/missing/{id}")
                .containsEntry("http.response.status_code", 404L);
        assertThat(records).allMatch(Record::isIntact);
        for (Record r : records) {
            assertThat(r.requestStartNs()).isLessThanOrEqualTo(r.requestEndNs());
            assertThat(r.requestEndNs()).isLessThanOrEqualTo(r.responseStartNs());
            assertThat(r.responseStartNs()).isLessThanOrEqualTo(r.responseEndNs());
        }
        long ingressBytes = bytes(events, Direction.INGRESS);
        long egressBytes = bytes(events, Direction.EGRESS);
        assertThat(found.requestBytes() + missing.requestBytes()).isEqualTo(ingressBytes);
        assertThat(found.responseBytes() + missing.responseBytes()).isEqualTo(egressBytes);
        assertThat(found.requestSequence()).isEqualTo(0x1000_0000L);
        assertThat(missing.requestSequence()).isEqualTo(0x1000_0000L + found.requestBytes());
        assertThat(found.responseSequence()).isEqualTo(0xFFFF_FF00L);
        assertThat(missing.responseSequence()).isEqualTo((0xFFFF_FF00L + found.responseBytes()) & 0xFFFF_FFFFL);
        assertThat(tracker.stats().gaps()).isZero();
        assertThat(tracker.stats().parseErrors()).isZero();
    }

    /** Python may keep the connection alive (then end the pump here) or have closed it after the 404. */
    private static void endDownstream(Socket toServer) {
        try {
            toServer.shutdownInput();
        } catch (IOException alreadyClosed) {
            // the downstream pump saw the server close and ended by itself
        }
    }

    private static long bytes(List<DataEvent> events, Direction direction) {
        return events.stream().filter(e -> e.direction() == direction).mapToLong(DataEvent::byteCount).sum();
    }

    private static Thread pump(Socket from, Socket to, Direction direction, List<DataEvent> events, int[] sequences) {
        Conversation shape = Conversation.server();
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) > 0; ) {
                    long now = System.nanoTime();
                    synchronized (events) {
                        int d = direction.ordinal();
                        DataEvent e = new DataEvent()
                                .setConnection(shape.id().tgid(), 100 + d, shape.id().fd(), shape.id().generation())
                                .setTimestampNs(now).setDirection(direction).setRole(Role.SERVER)
                                .setEndpoints(false, new byte[] {127, 0, 0, 1}, 0, 8000, new byte[] {127, 0, 0, 1}, 0, 50000)
                                .setRange(sequences[d], n).setPayload(Arrays.copyOf(buffer, n), 0, n);
                        sequences[d] += n;
                        events.add(e);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException closed) {
                // the other side finished; what was read is recorded
            }
        }, "relay-" + direction);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
