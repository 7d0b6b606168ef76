package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The grpc-go peer (scripts/pcap-peers/grpc-go) built with the installed Go toolchain into a test's
 * directory: its server and its client, in plaintext (h2c prior knowledge) or over TLS (Go crypto/tls,
 * a certificate the server makes at start and the client trusts). Skips the test when Go is missing.
 */
final class GrpcGoPeer {

    private static final Path SOURCE = Path.of("..", "scripts", "pcap-peers", "grpc-go").toAbsolutePath().normalize();

    /** How the peer's client and server talk. */
    enum Transport {
        PLAINTEXT("server", "client"),
        TLS("tls-server", "tls-client");

        private final String serverCommand;
        private final String clientCommand;

        Transport(String serverCommand, String clientCommand) {
            this.serverCommand = serverCommand;
            this.clientCommand = clientCommand;
        }
    }

    /** One client run: its pid and its report, one line per call (path, status, sent, received, bytes). */
    record ClientRun(long pid, List<String[]> calls) {
        /** Each call as {@link #outcome(Record)} writes a record of it: path, status, messages each way. */
        List<String> outcomes() {
            return calls.stream().map(c -> c[0] + " " + c[1] + " " + c[2] + " " + c[3]).toList();
        }
    }

    /** A gRPC record's path, status and message counts each way, comparable with {@link ClientRun#outcomes()}. */
    static String outcome(io.spanscope.parsers.record.Record r) {
        return r.attributes().getString("url.path") + " " + r.attributes().get("rpc.grpc.status_code") + " "
                + r.attributes().get("spanscope.grpc.request.messages") + " "
                + r.attributes().get("spanscope.grpc.response.messages");
    }

    private final Path binary;
    private final Path certificate;
    private final Transport transport;

    private GrpcGoPeer(Path binary, Path certificate, Transport transport) {
        this.binary = binary;
        this.certificate = certificate;
        this.transport = transport;
    }

    /** Builds the peer into {@code dir}. */
    static GrpcGoPeer build(Path dir, Transport transport) throws Exception {
        Path binary = dir.resolve("grpc-go");
        Process build;
        try {
            build = new ProcessBuilder("go", "build", "-o", binary.toString(), ".").directory(SOURCE.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException noGo) {
            assumeTrue(false, "no Go toolchain: " + noGo.getMessage());
            throw noGo;
        }
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(build.exitValue()).as(output).isZero();
        return new GrpcGoPeer(binary, dir.resolve("server-cert.pem"), transport);
    }

    Path binary() {
        return binary;
    }

    /** Starts the server on 127.0.0.1:port and waits until it listens (over TLS, its certificate is written by then). */
    Process startServer(int port, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString(), transport.serverCommand, "127.0.0.1:" + port));
        if (transport == Transport.TLS) {
            command.add(certificate.toString());
        }
        Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestPorts.awaitListening(server, log, port, Duration.ofSeconds(20));
        return server;
    }

    /** Runs the client to its end; {@code args} empty runs the script of every call kind, "unary N" N unary calls. */
    ClientRun runClient(int port, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString(), transport.clientCommand, "127.0.0.1:" + port));
        if (transport == Transport.TLS) {
            command.add(certificate.toString());
        }
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return new ClientRun(p.pid(), out.lines().map(l -> l.split("\t")).toList());
    }
}
