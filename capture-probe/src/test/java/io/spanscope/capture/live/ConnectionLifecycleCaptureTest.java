package io.spanscope.capture.live;

import io.spanscope.capture.testing.RecordingSink;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Joined connections, handshake timing. */
@Tag("live")
class ConnectionLifecycleCaptureTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void connectionOpenedBeforeCaptureIsJoinedOnFirstDataWithInferredRoles() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPorts(List.of(port))
                    .workers(2).build()) {
                capture.start(worker -> sink);
                client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                accepted.read(ByteBuffer.allocate(16));
                accepted.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
                client.read(ByteBuffer.allocate(16));

                // two workers: the server's events may arrive after the client's
                assertThat(RecordingSink.await(WAIT, () -> sink.opens().size() >= 2
                        && sink.data(clientPort, Direction.INGRESS).size() == 1
                        && sink.data(port, Direction.INGRESS).size() == 1
                        && !sink.data(port, Direction.EGRESS).isEmpty())).isTrue();
                ConnectionOpenEvent clientOpen = openOf(sink, clientPort);
                ConnectionOpenEvent serverOpen = openOf(sink, port);
                assertThat(clientOpen.joinedMidStream()).isTrue();
                assertThat(serverOpen.joinedMidStream()).isTrue();
                assertThat(clientOpen.role()).isEqualTo(Role.CLIENT);
                assertThat(serverOpen.role()).isEqualTo(Role.SERVER);
                // the inferred role is stamped on the connection's data events too
                assertThat(sink.data(clientPort, Direction.EGRESS)).singleElement()
                        .satisfies(e -> assertThat(e.role()).isEqualTo(Role.CLIENT));
                assertThat(sink.data(port, Direction.INGRESS)).singleElement()
                        .satisfies(e -> assertThat(e.role()).isEqualTo(Role.SERVER));
                assertThat(RecordingSink.concat(sink.data(port, Direction.EGRESS)))
                        .isEqualTo("pong".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void handshakeTimingIsReportedForClientAndServer() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPorts(List.of(port))
                    .workers(1).build()) {
                capture.start(worker -> sink);
                try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                    Thread.sleep(50); // the connection waits in the accept queue: accepted is later than established
                    try (SocketChannel accepted = server.accept()) {
                        int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                        assertThat(RecordingSink.await(WAIT, () -> sink.established().size() >= 2)).isTrue();
                        ConnectionOpenEvent clientOpen = openOf(sink, clientPort);
                        ConnectionOpenEvent serverOpen = openOf(sink, port);
                        ConnectionEstablishedEvent clientSide = establishedOf(sink, clientOpen);
                        ConnectionEstablishedEvent serverSide = establishedOf(sink, serverOpen);

                        assertThat(clientSide.role()).isEqualTo(Role.CLIENT);
                        assertThat(clientSide.synSentNs()).isPositive();
                        assertThat(clientSide.establishedNs()).isGreaterThanOrEqualTo(clientSide.synSentNs());
                        assertThat(clientSide.connectDurationNs()).isNotNegative();
                        assertThat(serverSide.role()).isEqualTo(Role.SERVER);
                        assertThat(serverSide.establishedNs()).isPositive();
                        assertThat(serverSide.acceptedNs()).isGreaterThanOrEqualTo(serverSide.establishedNs());
                        assertThat(serverSide.establishedNs()).isGreaterThanOrEqualTo(clientSide.synSentNs());
                    }
                }
            }
        }
    }

    private static ConnectionOpenEvent openOf(RecordingSink sink, int localPort) {
        return sink.opens().stream().filter(o -> o.local().port() == localPort).findFirst().orElseThrow();
    }

    private static ConnectionEstablishedEvent establishedOf(RecordingSink sink, ConnectionOpenEvent open) {
        return sink.established().stream().filter(e -> e.id().equals(open.id())).findFirst().orElseThrow();
    }
}
