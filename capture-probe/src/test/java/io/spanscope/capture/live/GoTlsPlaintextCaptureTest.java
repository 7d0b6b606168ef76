package io.spanscope.capture.live;

import static io.spanscope.capture.live.TlsPlaintextCaptureTest.assertNoCiphertextOnceTls;
import static io.spanscope.capture.live.TlsPlaintextCaptureTest.plaintext;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.testing.RecordingSink;
import io.spanscope.capture.testing.TlsPeers;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plaintext of a real Go crypto/tls client and server (the grpc-go peer of scripts/pcap-peers, gRPC over
 * TLS) through the Go TLS uprobes: what each end's Write handed to crypto/tls is exactly what the other
 * end's Read returned, in both directions, marked TLS from library "go", with no ciphertext forwarded.
 */
@Tag("live")
class GoTlsPlaintextCaptureTest {

    private static final Path PEER = Path.of("..", "scripts", "pcap-peers", "grpc-go").toAbsolutePath().normalize();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static Path binary;

    @BeforeAll
    static void build() throws Exception {
        binary = dir.resolve("grpc-go");
        GoPrograms.build(PEER, binary);
    }

    @Test
    void goClientAndServerPlaintextIsByteExactInBothDirections() throws Exception {
        int port = TlsPeers.freePort();
        Path certificate = dir.resolve("cert.pem");
        RecordingSink sink = new RecordingSink();
        Process server = null;
        try (LiveCapture capture = LiveCapture.builder().allowPorts(List.of(port)).workers(2).build()) {
            capture.start(worker -> sink);
            server = new ProcessBuilder(binary.toString(), "tls-server", "127.0.0.1:" + port, certificate.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            awaitListening(port);
            assertThat(RecordingSink.await(WAIT, () -> capture.stats().tls().attachedFiles().contains(binary.toString())))
                    .as("peer attached: %s", capture.stats().tls()).isTrue();
            Process client = new ProcessBuilder(binary.toString(), "tls-client", "127.0.0.1:" + port,
                    certificate.toString(), "unary", "50").redirectErrorStream(true).start();
            String report = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(report).isZero();
            assertThat(report.lines()).hasSize(50);
            int clientPid = (int) client.pid();
            int serverPid = (int) server.pid();
            assertThat(capture.awaitDrained(WAIT)).isTrue();

            byte[] clientSent = plaintext(sink, clientPid, Direction.EGRESS);
            byte[] clientReceived = plaintext(sink, clientPid, Direction.INGRESS);
            // the server may still be writing its side (a GOAWAY answer to the client's close) when the client exits
            assertThat(RecordingSink.await(WAIT, () -> plaintext(sink, serverPid, Direction.INGRESS).length
                    >= clientSent.length)).isTrue();
            assertThat(clientSent).as("client plaintext sent").hasSizeGreaterThan(50 * 20);
            assertThat(plaintext(sink, serverPid, Direction.INGRESS)).as("server received what the client sent")
                    .isEqualTo(clientSent);
            assertThat(prefix(plaintext(sink, serverPid, Direction.EGRESS), clientReceived.length))
                    .as("client received what the server sent").isEqualTo(clientReceived);
            assertThat(clientReceived.length).as("client plaintext received").isGreaterThan(50 * 20);

            List<DataEvent> tls = sink.data(e -> (e.tgid() == clientPid || e.tgid() == serverPid)
                    && e.source() == DataSource.TLS);
            assertThat(tls).allSatisfy(e -> assertThat(e.tlsLibrary()).isEqualTo("go"));
            assertNoCiphertextOnceTls(sink, clientPid);
            assertNoCiphertextOnceTls(sink, serverPid);

            GoTlsCaptureStats go = capture.stats().tls().go();
            assertThat(go.attachedBinaries()).isPositive();
            assertThat(go.unassociatedCalls()).isZero();
            assertThat(go.inFlightTableDrops()).isZero();
        } finally {
            if (server != null) {
                server.destroy();
            }
        }
    }

    /**
     * curl (OpenSSL, its own uprobes) to net/http over Go crypto/tls, one connection per request: curl
     * sends its request right behind its Finished, so the Go server's handshake often reads both and the
     * first Read serves the request from Go's buffer with no syscall. Every request must still reach the
     * server's connection, numbered by the same TLS record as on curl's side.
     */
    @Test
    void aRequestTheGoHandshakeAlreadyReadIsCapturedWithTheClientsSequenceNumber() throws Exception {
        int port = TlsPeers.freePort();
        Path certificate = dir.resolve("https-cert.pem");
        int requests = 20;
        RecordingSink sink = new RecordingSink();
        Process server = null;
        // uprobes belong to files: a process holding libssl gets it attached before the first curl maps it
        Process libsslHolder = new ProcessBuilder("python3", "-c", "import ssl, time; time.sleep(300)").start();
        try (LiveCapture capture = LiveCapture.builder().allowPorts(List.of(port)).workers(2).build()) {
            capture.start(worker -> sink);
            server = new ProcessBuilder(binary.toString(), "https", "127.0.0.1:" + port, certificate.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("https.log").toFile()).start();
            awaitListening(port);
            assertThat(RecordingSink.await(WAIT, () -> capture.stats().tls().attachedFiles().contains(binary.toString())
                    && capture.stats().tls().attachedFiles().stream().anyMatch(f -> f.contains("libssl.so"))))
                    .as("peer and libssl attached: %s", capture.stats().tls()).isTrue();
            List<Integer> curls = new java.util.ArrayList<>();
            for (int i = 0; i < requests; i++) {
                Process curl = new ProcessBuilder("curl", "-s", "-S", "-f", "--http1.1", "--cacert", certificate.toString(),
                        "-o", "/dev/null", "https://127.0.0.1:" + port + "/first/" + i).redirectErrorStream(true).start();
                assertThat(curl.waitFor(30, TimeUnit.SECONDS) && curl.exitValue() == 0).as("curl %d", i).isTrue();
                curls.add((int) curl.pid());
            }
            int serverPid = (int) server.pid();
            assertThat(RecordingSink.await(WAIT, () -> new String(plaintext(sink, serverPid, Direction.INGRESS),
                    StandardCharsets.ISO_8859_1).contains("GET /first/" + (requests - 1) + " "))).isTrue();
            assertThat(capture.awaitDrained(WAIT)).isTrue();

            String received = new String(plaintext(sink, serverPid, Direction.INGRESS), StandardCharsets.ISO_8859_1);
            for (int i = 0; i < requests; i++) {
                assertThat(received).as("server plaintext; %s", capture.stats().tls()).contains("GET /first/" + i + " ");
                int curlPid = curls.get(i);
                DataEvent sent = first(sink, curlPid, Direction.EGRESS);
                List<DataEvent> arrived = sink.data(e -> e.tgid() == serverPid && e.source() == DataSource.TLS
                        && e.direction() == Direction.INGRESS && e.remotePort() == sent.localPort());
                assertThat(arrived).as("server plaintext of curl %d", i).isNotEmpty();
                assertThat(arrived.get(0).tlsLibrary()).isEqualTo("go");
                assertThat(arrived.get(0).tcpSequence()).as("request %d numbered alike on both ends", i)
                        .isEqualTo(sent.tcpSequence());
            }
            assertThat(capture.stats().tls().go().unassociatedCalls()).isZero();
        } finally {
            libsslHolder.destroy();
            if (server != null) {
                server.destroy();
            }
        }
    }

    private static DataEvent first(RecordingSink sink, int pid, Direction direction) {
        return sink.data(e -> e.tgid() == pid && e.direction() == direction && e.source() == DataSource.TLS).get(0);
    }

    private static byte[] prefix(byte[] bytes, int length) {
        return java.util.Arrays.copyOf(bytes, Math.min(bytes.length, length));
    }

    private static void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("nothing listens on port " + port);
    }
}
