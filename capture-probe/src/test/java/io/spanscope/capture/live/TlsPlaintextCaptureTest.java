package io.spanscope.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.capture.testing.RecordingSink;
import io.spanscope.capture.testing.TlsPeers;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plaintext of real TLS peers (Python ssl, openssl s_client/s_server) through the OpenSSL uprobes. */
@Tag("live")
class TlsPlaintextCaptureTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] REQUEST = ("GET /tls/hello?x=1 HTTP/1.1\r\nHost: localhost\r\nX-Test: spanscope-tls\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntls-hello"
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path dir;
    static TlsPeers peers;

    @BeforeAll
    static void certificate() throws Exception {
        peers = TlsPeers.create(dir);
    }

    @Test
    void pythonClientAndServerPlaintextIsByteExactOnBothEndsWithMatchingSequenceNumbers() throws Exception {
        int port = TlsPeers.freePort();
        RecordingSink sink = new RecordingSink();
        try (LiveCapture capture = LiveCapture.builder().allowPorts(List.of(port)).workers(2).build()) {
            capture.start(worker -> sink);
            Process server = python("server", port, peers.certificate().toString(), peers.key().toString(),
                    HexFormat.of().formatHex(RESPONSE));
            BufferedReader serverOut = TlsPeers.stdout(server);
            assertThat(TlsPeers.readLine(serverOut)).isEqualTo("listening");
            awaitLibsslAttached(capture);
            Process client = python("client", port, peers.certificate().toString(), HexFormat.of().formatHex(REQUEST));
            assertThat(HexFormat.of().parseHex(TlsPeers.readLine(TlsPeers.stdout(client)))).isEqualTo(RESPONSE);
            assertThat(HexFormat.of().parseHex(TlsPeers.readLine(serverOut))).isEqualTo(REQUEST);
            assertThat(client.waitFor(30, TimeUnit.SECONDS) && server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int clientPid = (int) client.pid();
            int serverPid = (int) server.pid();

            awaitPlaintext(sink, clientPid, Direction.INGRESS, RESPONSE.length);
            awaitPlaintext(sink, serverPid, Direction.EGRESS, RESPONSE.length);
            assertThat(plaintext(sink, clientPid, Direction.EGRESS)).isEqualTo(REQUEST);
            assertThat(plaintext(sink, serverPid, Direction.INGRESS)).isEqualTo(REQUEST);
            assertThat(plaintext(sink, serverPid, Direction.EGRESS)).isEqualTo(RESPONSE);
            assertThat(plaintext(sink, clientPid, Direction.INGRESS)).isEqualTo(RESPONSE);

            DataEvent clientRequest = first(sink, clientPid, Direction.EGRESS);
            DataEvent serverRequest = first(sink, serverPid, Direction.INGRESS);
            DataEvent serverResponse = first(sink, serverPid, Direction.EGRESS);
            DataEvent clientResponse = first(sink, clientPid, Direction.INGRESS);
            assertThat(clientRequest.role()).isEqualTo(Role.CLIENT);
            assertThat(serverRequest.role()).isEqualTo(Role.SERVER);
            assertThat(clientRequest.tlsLibrary()).isEqualTo("libssl.so.3");
            assertThat(serverResponse.tlsLibrary()).isEqualTo("libssl.so.3");
            // both ends name the same TLS record for the request and for the response: spans link across TLS
            assertThat(clientRequest.tcpSequence()).isEqualTo(serverRequest.tcpSequence());
            assertThat(serverResponse.tcpSequence()).isEqualTo(clientResponse.tcpSequence());
            assertNoCiphertextOnceTls(sink, clientPid);
            assertNoCiphertextOnceTls(sink, serverPid);
            TlsCaptureStats tls = capture.stats().tls();
            assertThat(tls.attachedFiles()).anyMatch(file -> file.endsWith("libssl.so.3"));
            assertThat(tls.ciphertextBytesNotForwarded()).isPositive();
            assertThat(tls.plaintextEvents()).isGreaterThanOrEqualTo(4);
            capture.close();
            // the kernel counters outlive the maps: stats printed after stopping are still true
            assertThat(capture.stats().tls().ciphertextBytesNotForwarded()).isEqualTo(tls.ciphertextBytesNotForwarded());
            assertThat(capture.stats().tls().attachedFiles()).isEqualTo(tls.attachedFiles());
        }
    }

    @Test
    void opensslClientAndServerPlaintextIsByteExact() throws Exception {
        int port = TlsPeers.freePort();
        byte[] toServer = "hello from s_client\n".getBytes(StandardCharsets.US_ASCII);
        byte[] toClient = "hello from s_server\n".getBytes(StandardCharsets.US_ASCII);
        RecordingSink sink = new RecordingSink();
        try (LiveCapture capture = LiveCapture.builder().allowPorts(List.of(port)).workers(1).build()) {
            capture.start(worker -> sink);
            Process server = new ProcessBuilder("openssl", "s_server", "-quiet", "-accept", "127.0.0.1:" + port,
                    "-cert", peers.certificate().toString(), "-key", peers.key().toString())
                    .redirectErrorStream(true).start();
            awaitListening(port);
            awaitLibsslAttached(capture);
            Process client = new ProcessBuilder("openssl", "s_client", "-quiet", "-connect", "127.0.0.1:" + port,
                    "-CAfile", peers.certificate().toString()).redirectErrorStream(false).start();
            PrintWriter clientIn = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII);
            PrintWriter serverIn = new PrintWriter(server.getOutputStream(), true, StandardCharsets.US_ASCII);
            int clientPid = (int) client.pid();
            int serverPid = (int) server.pid();
            try {
                clientIn.print(new String(toServer, StandardCharsets.US_ASCII));
                clientIn.flush();
                assertThat(RecordingSink.await(WAIT, () -> plaintext(sink, serverPid, Direction.INGRESS).length
                        >= toServer.length)).as("server plaintext; events of the peers: %s; %s",
                        eventSummary(sink, serverPid, clientPid), capture.stats().tls()).isTrue();
                serverIn.print(new String(toClient, StandardCharsets.US_ASCII));
                serverIn.flush();
                assertThat(TlsPeers.readLine(TlsPeers.stdout(client))).isEqualTo("hello from s_server");
                awaitPlaintext(sink, clientPid, Direction.INGRESS, toClient.length);
            } finally {
                client.destroy();
                server.destroy();
            }
            assertThat(plaintext(sink, clientPid, Direction.EGRESS)).isEqualTo(toServer);
            assertThat(plaintext(sink, serverPid, Direction.INGRESS)).isEqualTo(toServer);
            assertThat(plaintext(sink, serverPid, Direction.EGRESS)).isEqualTo(toClient);
            assertThat(plaintext(sink, clientPid, Direction.INGRESS)).isEqualTo(toClient);
            assertThat(first(sink, clientPid, Direction.EGRESS).tcpSequence())
                    .isEqualTo(first(sink, serverPid, Direction.INGRESS).tcpSequence());
            assertThat(first(sink, serverPid, Direction.EGRESS).tcpSequence())
                    .isEqualTo(first(sink, clientPid, Direction.INGRESS).tcpSequence());
            assertNoCiphertextOnceTls(sink, clientPid);
            assertNoCiphertextOnceTls(sink, serverPid);
        }
    }

    @Test
    void aProcessThatLoadsLibsslAfterCaptureStartedIsTraced() throws Exception {
        // A copy of libssl is a file (inode) no process had mapped when the capture started: finding it
        // proves the dlopen path (mmap tracepoint → maps rescan → attach), not the start-up scan.
        Path libs = Files.createDirectories(dir.resolve("late-libs"));
        Path copy = libs.resolve("libssl.so.3");
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libssl.so.3"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        int port = TlsPeers.freePort();
        RecordingSink sink = new RecordingSink();
        try (LiveCapture capture = LiveCapture.builder().allowPorts(List.of(port)).workers(1).build()) {
            capture.start(worker -> sink);
            assertThat(capture.stats().tls().attachedFiles()).doesNotContain(copy.toString());
            Process server = python("server", port, peers.certificate().toString(), peers.key().toString(),
                    HexFormat.of().formatHex(RESPONSE));
            assertThat(TlsPeers.readLine(TlsPeers.stdout(server))).isEqualTo("listening");
            ProcessBuilder late = new ProcessBuilder("python3", peers.peerScript().toString(), "late-client",
                    Integer.toString(port), peers.certificate().toString(), HexFormat.of().formatHex(REQUEST));
            late.environment().put("LD_LIBRARY_PATH", libs.toString());
            Process client = late.start();
            BufferedReader clientOut = TlsPeers.stdout(client);
            PrintWriter clientIn = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII);
            clientIn.println("import ssl now");
            assertThat(TlsPeers.readLine(clientOut)).isEqualTo("imported");
            // the uprobes of a dlopened library are attached asynchronously: wait for that, then talk
            assertThat(RecordingSink.await(WAIT, () -> capture.stats().tls().attachedFiles().contains(copy.toString())))
                    .isTrue();
            clientIn.println("connect now");
            assertThat(HexFormat.of().parseHex(TlsPeers.readLine(clientOut))).isEqualTo(RESPONSE);
            int clientPid = (int) client.pid();
            awaitPlaintext(sink, clientPid, Direction.INGRESS, RESPONSE.length);
            assertThat(plaintext(sink, clientPid, Direction.EGRESS)).isEqualTo(REQUEST);
            assertThat(first(sink, clientPid, Direction.EGRESS).tlsLibrary()).isEqualTo("libssl.so.3");
            assertNoCiphertextOnceTls(sink, clientPid);
        }
    }

    @Test
    void aStaticallyLinkedBinaryExportingTheSslFunctionsStartedAfterCaptureIsTraced() throws Exception {
        // built here: gcc, OpenSSL's static archives, -rdynamic so the executable exports SSL_write & co.
        Path source = dir.resolve("tls_static_client.c");
        try (var in = TlsPlaintextCaptureTest.class.getResourceAsStream("/tls/tls_static_client.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = dir.resolve("tls_static_client");
        TlsPeers.run(dir, "gcc", "-O1", "-rdynamic", "-o", binary.toString(), source.toString(),
                "-Wl,-Bstatic", "-lssl", "-lcrypto", "-Wl,-Bdynamic", "-ldl", "-lpthread");
        int port = TlsPeers.freePort();
        RecordingSink sink = new RecordingSink();
        try (LiveCapture capture = LiveCapture.builder().allowPorts(List.of(port)).workers(1).build()) {
            capture.start(worker -> sink);
            Process server = python("server", port, peers.certificate().toString(), peers.key().toString(),
                    HexFormat.of().formatHex(RESPONSE));
            assertThat(TlsPeers.readLine(TlsPeers.stdout(server))).isEqualTo("listening");
            Process client = new ProcessBuilder(binary.toString(), Integer.toString(port),
                    peers.certificate().toString(), new String(REQUEST, StandardCharsets.US_ASCII)).start();
            BufferedReader clientOut = TlsPeers.stdout(client);
            assertThat(TlsPeers.readLine(clientOut)).isEqualTo("ready");
            // found at exec (the kernel maps the binary; no library is loaded): wait for the attach, then talk
            assertThat(RecordingSink.await(WAIT, () -> capture.stats().tls().attachedFiles().contains(binary.toString())))
                    .isTrue();
            PrintWriter clientIn = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII);
            clientIn.println("connect");
            assertThat(HexFormat.of().parseHex(TlsPeers.readLine(clientOut))).isEqualTo(RESPONSE);
            int clientPid = (int) client.pid();
            int serverPid = (int) server.pid();
            awaitPlaintext(sink, clientPid, Direction.INGRESS, RESPONSE.length);
            awaitPlaintext(sink, serverPid, Direction.INGRESS, REQUEST.length);
            assertThat(plaintext(sink, clientPid, Direction.EGRESS)).isEqualTo(REQUEST);
            assertThat(plaintext(sink, clientPid, Direction.INGRESS)).isEqualTo(RESPONSE);
            assertThat(first(sink, clientPid, Direction.EGRESS).tlsLibrary()).isEqualTo("tls_static_client");
            assertThat(first(sink, clientPid, Direction.EGRESS).tcpSequence())
                    .isEqualTo(first(sink, serverPid, Direction.INGRESS).tcpSequence());
            assertNoCiphertextOnceTls(sink, clientPid);
        }
    }

    @Test
    void aFileThatCannotBeAttachedIsReportedOnceAndCaptureGoesOn() throws Exception {
        Path source = dir.resolve("ifunc_ssl.c");
        try (var in = TlsPlaintextCaptureTest.class.getResourceAsStream("/tls/ifunc_ssl.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path library = dir.resolve("libifunc_ssl.so");
        TlsPeers.run(dir, "gcc", "-shared", "-fPIC", "-o", library.toString(), source.toString());
        String loader = "import ctypes, sys; ctypes.CDLL(sys.argv[1]); print('loaded', flush=True); sys.stdin.readline()";
        int port = TlsPeers.freePort();
        RecordingSink sink = new RecordingSink();
        try (LiveCapture capture = LiveCapture.builder().allowPorts(List.of(port)).workers(1).build()) {
            capture.start(worker -> sink);
            List<Process> loaders = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Process p = new ProcessBuilder("python3", "-c", loader, library.toString()).start();
                    loaders.add(p);
                    assertThat(TlsPeers.readLine(TlsPeers.stdout(p))).isEqualTo("loaded");
                    assertThat(RecordingSink.await(WAIT, () -> capture.stats().tls().attachFailures() >= 1)).isTrue();
                }
                // capture goes on: a TLS exchange after the failure is captured in full
                Process server = python("server", port, peers.certificate().toString(), peers.key().toString(),
                        HexFormat.of().formatHex(RESPONSE));
                assertThat(TlsPeers.readLine(TlsPeers.stdout(server))).isEqualTo("listening");
                Process client = python("client", port, peers.certificate().toString(), HexFormat.of().formatHex(REQUEST));
                assertThat(HexFormat.of().parseHex(TlsPeers.readLine(TlsPeers.stdout(client)))).isEqualTo(RESPONSE);
                awaitPlaintext(sink, (int) client.pid(), Direction.INGRESS, RESPONSE.length);
                assertThat(plaintext(sink, (int) client.pid(), Direction.EGRESS)).isEqualTo(REQUEST);
            } finally {
                loaders.forEach(Process::destroy);
            }
            TlsCaptureStats tls = capture.stats().tls();
            // the second process mapped the same file: it was not tried (nor reported) again
            assertThat(tls.attachFailures()).isEqualTo(1);
            assertThat(tls.attachedFiles()).noneMatch(file -> file.endsWith("libifunc_ssl.so"));
        }
    }

    private static Process python(String mode, int port, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3", peers.peerScript().toString(), mode,
                Integer.toString(port)));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * libssl is attached asynchronously once a peer has mapped it, and an SSL call entered before that has
     * no return probe: wait for the attach before talking (the other peer maps the same inode).
     */
    static void awaitLibsslAttached(LiveCapture capture) throws Exception {
        assertThat(RecordingSink.await(WAIT, () -> capture.stats().tls().attachedFiles().stream()
                .anyMatch(file -> file.contains("libssl.so")))).isTrue();
    }

    static void awaitListening(int port) throws Exception {
        assertThat(RecordingSink.await(WAIT, () -> {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        })).isTrue();
    }

    static void awaitPlaintext(RecordingSink sink, int pid, Direction direction, int bytes) throws Exception {
        assertThat(RecordingSink.await(WAIT, () -> plaintext(sink, pid, direction).length >= bytes))
                .as("%d plaintext bytes %s of pid %d", bytes, direction, pid).isTrue();
    }

    static byte[] plaintext(RecordingSink sink, int pid, Direction direction) {
        return RecordingSink.concat(sink.data(e -> e.tgid() == pid && e.direction() == direction
                && e.source() == DataSource.TLS));
    }

    static String eventSummary(RecordingSink sink, int... pids) {
        StringBuilder out = new StringBuilder();
        for (DataEvent e : sink.data(e -> java.util.Arrays.stream(pids).anyMatch(p -> p == e.tgid()))) {
            out.append(e.tgid()).append(' ').append(e.source()).append(' ').append(e.direction())
                    .append(" fd ").append(e.fd()).append(' ').append(e.byteCount()).append(" B; ");
        }
        return out.toString();
    }

    static DataEvent first(RecordingSink sink, int pid, Direction direction) {
        return sink.data(e -> e.tgid() == pid && e.direction() == direction && e.source() == DataSource.TLS).get(0);
    }

    /**
     * Every connection of the process that carried plaintext: no socket payload after its first TLS event
     * (the handshake before it may pass, as the connection was not known to be TLS yet).
     */
    static void assertNoCiphertextOnceTls(RecordingSink sink, int pid) {
        List<DataEvent> events = sink.data(e -> e.tgid() == pid);
        Set<String> tlsConnections = new HashSet<>();
        for (DataEvent event : events) {
            String connection = event.fd() + "#" + event.generation();
            if (event.source() == DataSource.TLS) {
                tlsConnections.add(connection);
            } else {
                assertThat(tlsConnections).as("ciphertext after plaintext on %s: %s", connection, event)
                        .doesNotContain(connection);
            }
        }
        assertThat(tlsConnections).isNotEmpty();
    }
}
