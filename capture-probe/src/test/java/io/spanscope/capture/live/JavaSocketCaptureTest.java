package io.spanscope.capture.live;

import io.spanscope.capture.testing.RecordingSink;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A client and a server in this JVM, traced by port: bytes, order, roles, 4-tuples and sequence numbers. */
@Tag("live")
class JavaSocketCaptureTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void manySmallWritesAndOneTenMebibyteWriteAreCapturedWholeOnBothEnds() throws Exception {
        byte[] small = smallMessages(200);
        byte[] big = new byte[10 << 20];
        new Random(42).nextBytes(big);
        byte[] sent = concat(small, big);

        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPorts(List.of(port))
                    .payloadCapBytes(16 << 20).ringBufferBytes(64 << 20).workerQueueBytes(64 << 20).workers(2)
                    .build()) {
                capture.start(worker -> sink);
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(server, sent.length));
                int clientPort;
                try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                    int at = 0;
                    for (byte[] message : split(small)) {
                        client.write(ByteBuffer.wrap(message));
                        at += message.length;
                    }
                    ByteBuffer direct = ByteBuffer.allocateDirect(big.length).put(big).flip();
                    client.write(direct); // a direct buffer: one write() syscall of 10 MiB
                    assertThat(received.get()).isEqualTo(sent);
                }
                assertThat(capture.awaitDrained(WAIT)).isTrue();
                int finalClientPort = clientPort;
                assertThat(RecordingSink.await(WAIT, () -> sink.closes().size() >= 2)).isTrue();

                List<DataEvent> clientOut = sink.data(clientPort, Direction.EGRESS);
                List<DataEvent> serverIn = sink.data(port, Direction.INGRESS);
                assertThat(RecordingSink.concat(clientOut)).isEqualTo(sent);
                assertThat(RecordingSink.concat(serverIn)).isEqualTo(sent);
                assertThat(clientOut).allSatisfy(e -> {
                    assertThat(e.role()).isEqualTo(Role.CLIENT);
                    assertThat(e.remotePort()).isEqualTo(port);
                    assertThat(e.isTruncated()).isFalse();
                });
                assertThat(serverIn).allSatisfy(e -> {
                    assertThat(e.role()).isEqualTo(Role.SERVER);
                    assertThat(e.remotePort()).isEqualTo(finalClientPort);
                    assertThat(e.localEndpoint().address()).isEqualTo(InetAddress.getByName("127.0.0.1"));
                });
                // both ends number the same bytes alike: every event's sequence = first sequence + stream offset
                long base = clientOut.get(0).tcpSequenceUnsigned();
                assertThat(serverIn.get(0).tcpSequenceUnsigned()).isEqualTo(base);
                assertSequencesFollowOffsets(clientOut, base);
                assertSequencesFollowOffsets(serverIn, base);

                ConnectionOpenEvent clientOpen = sink.opens().stream()
                        .filter(o -> o.local().port() == finalClientPort).findFirst().orElseThrow();
                assertThat(clientOpen.role()).isEqualTo(Role.CLIENT);
                assertThat(clientOpen.joinedMidStream()).isFalse();
                assertThat(clientOpen.remote().port()).isEqualTo(port);
                ConnectionOpenEvent serverOpen = sink.opens().stream()
                        .filter(o -> o.local().port() == port).findFirst().orElseThrow();
                assertThat(serverOpen.role()).isEqualTo(Role.SERVER);
                assertThat(serverOpen.remote().port()).isEqualTo(finalClientPort);
                assertThat(sink.closes()).anySatisfy(c -> {
                    assertThat(c.id()).isEqualTo(clientOpen.id());
                    assertThat(c.bytesSent()).isEqualTo(sent.length);
                });
                LiveCaptureStats stats = capture.stats();
                assertThat(stats.ringBufferDrops()).isZero();
                assertThat(stats.workerQueueDropsTotal()).isZero();
            }
        }
    }

    @Test
    void ipv6LoopbackConnectionIsCapturedWithSixteenByteAddresses() throws Exception {
        byte[] request = "GET /v6 HTTP/1.1\r\nHost: [::1]\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("::1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPorts(List.of(port))
                    .workers(1).build()) {
                capture.start(worker -> sink);
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(server, request.length));
                try (SocketChannel client = SocketChannel.open(new InetSocketAddress("::1", port))) {
                    client.write(ByteBuffer.wrap(request));
                    assertThat(received.get()).isEqualTo(request);
                }
                assertThat(RecordingSink.await(WAIT, () -> sink.data(port, Direction.INGRESS).size() > 0)).isTrue();
                DataEvent in = sink.data(port, Direction.INGRESS).get(0);
                assertThat(in.isIpv6()).isTrue();
                assertThat(in.localEndpoint().address()).isEqualTo(InetAddress.getByName("::1"));
                assertThat(in.remoteEndpoint().address()).isEqualTo(InetAddress.getByName("::1"));
                assertThat(RecordingSink.concat(sink.data(port, Direction.INGRESS))).isEqualTo(request);
            }
        }
    }

    static void assertSequencesFollowOffsets(List<DataEvent> events, long base) {
        long offset = 0;
        for (DataEvent e : events) {
            assertThat(e.tcpSequenceUnsigned()).as("sequence of the event at stream offset %d", offset)
                    .isEqualTo((base + offset) & 0xffffffffL);
            offset += e.byteCount();
        }
    }

    static byte[] readAll(ServerSocketChannel server, int expected) {
        try (SocketChannel accepted = server.accept()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
            while (out.size() < expected) {
                buffer.clear();
                int n = accepted.read(buffer);
                if (n < 0) {
                    break;
                }
                out.write(buffer.array(), 0, n);
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] smallMessages(int count) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            s.append("message ").append(i).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[]> split(byte[] lines) {
        String[] parts = new String(lines, StandardCharsets.US_ASCII).split("(?<=\n)");
        return java.util.Arrays.stream(parts).map(p -> p.getBytes(StandardCharsets.US_ASCII)).toList();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
