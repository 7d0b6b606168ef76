package io.spanscope.capture.live;

import io.spanscope.capture.testing.RecordingSink;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Overload accounting, payload cap, filters. */
@Tag("live")
class CaptureLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int SELF = (int) ProcessHandle.current().pid();

    @Test
    void floodOfATinyRingBufferLosesOnlyCountedEventsAndCaptureKeepsRunning() throws Exception {
        int writes = 20_000;
        int writeBytes = 4000;
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPids(List.of(SELF))
                    .allowPorts(List.of(port)).ringBufferBytes(16 << 10).workers(1).build()) {
                capture.start(worker -> sink);
                CompletableFuture<Integer> reads = CompletableFuture.supplyAsync(() -> countReads(server));
                int writeCalls = 0;
                try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(writeBytes);
                    for (int i = 0; i < writes; i++) {
                        chunk.clear();
                        while (chunk.hasRemaining()) {
                            if (client.write(chunk) > 0) { // one write() syscall per call
                                writeCalls++;
                            }
                        }
                    }
                }
                int readsWithData = reads.get(60, TimeUnit.SECONDS);
                assertThat(capture.awaitDrained(WAIT)).isTrue();
                // every syscall produced one event (at most one chunk each); plus 2 opens, 2 established, 2 closes
                LiveCaptureStats stats = capture.stats();
                long produced = writeCalls + readsWithData + 6L;
                assertThat(stats.ringBufferDrops()).isPositive();
                assertThat(stats.recordsRead() + stats.ringBufferDrops()).isEqualTo(produced);

                // still capturing after the flood
                try (SocketChannel again = SocketChannel.open(server.getLocalAddress())) {
                    again.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    int againPort = ((InetSocketAddress) again.getLocalAddress()).getPort();
                    assertThat(RecordingSink.await(WAIT,
                            () -> sink.data(againPort, Direction.EGRESS).size() == 1)).isTrue();
                }
            }
        }
    }

    @Test
    void payloadCapLeavesAHoleOfKnownLengthInTheLastEvent() throws Exception {
        int cap = 10_000;
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPorts(List.of(port))
                    .payloadCapBytes(cap).workers(1).build()) {
                capture.start(worker -> sink);
                byte[] body = new byte[50_000];
                java.util.Arrays.fill(body, (byte) 'x');
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(
                        () -> JavaSocketCaptureTest.readAll(server, body.length));
                int clientPort;
                try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                    clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                    client.write(ByteBuffer.allocateDirect(body.length).put(body).flip());
                    received.get(30, TimeUnit.SECONDS);
                }
                int p = clientPort;
                assertThat(RecordingSink.await(WAIT, () -> RecordingSink.byteCount(
                        sink.data(p, Direction.EGRESS)) == body.length)).isTrue();
                List<DataEvent> out = sink.data(clientPort, Direction.EGRESS);
                assertThat(out).hasSize(2); // 8192 + (1808 captured, standing for the remaining 41808)
                assertThat(out.get(0).payloadLength()).isEqualTo(8192);
                assertThat(out.get(1).payloadLength()).isEqualTo(cap - 8192);
                assertThat(out.get(1).byteCount()).isEqualTo(body.length - 8192);
                assertThat(out.get(1).isTruncated()).isTrue();
                assertThat(RecordingSink.concat(out)).hasSize(cap).containsOnly((byte) 'x');
                assertThat(capture.stats().truncatedBytes()).isGreaterThanOrEqualTo(body.length - cap);
            }
        }
    }

    @Test
    void deniedPortIsInvisibleAndPidAllowListKeepsOtherProcessesOut() throws Exception {
        try (ServerSocketChannel denied = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             ServerSocketChannel allowed = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int deniedPort = ((InetSocketAddress) denied.getLocalAddress()).getPort();
            int allowedPort = ((InetSocketAddress) allowed.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPids(List.of(SELF))
                    .denyPorts(List.of(deniedPort)).workers(1).build()) {
                capture.start(worker -> sink);
                exchange(denied);
                exchange(allowed);
                // another process (curl) talking to our allowed server: only our (server) side may appear
                CompletableFuture<byte[]> served = CompletableFuture.supplyAsync(
                        () -> JavaSocketCaptureTest.readAll(allowed, 10));
                Process curl = new ProcessBuilder("curl", "-s", "-m", "5", "-o", "/dev/null",
                        "http://127.0.0.1:" + allowedPort + "/").start();
                served.get(30, TimeUnit.SECONDS);
                curl.waitFor(30, TimeUnit.SECONDS);
                int curlPid = (int) curl.pid();

                assertThat(RecordingSink.await(WAIT, () -> sink.data(allowedPort, Direction.INGRESS).size() >= 2))
                        .isTrue();
                assertThat(capture.awaitDrained(WAIT)).isTrue();
                assertThat(sink.data(e -> e.localPort() == deniedPort || e.remotePort() == deniedPort)).isEmpty();
                assertThat(sink.opens()).noneMatch(o -> o.local().port() == deniedPort || o.remote().port() == deniedPort);
                assertThat(sink.data(e -> e.tgid() != SELF)).isEmpty();
                assertThat(sink.opens()).noneMatch(o -> o.id().tgid() == curlPid);
            }
        }
    }

    private static void exchange(ServerSocketChannel server) throws Exception {
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> JavaSocketCaptureTest.readAll(server, 5));
        try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
            client.write(ByteBuffer.wrap("hello".getBytes()));
            received.get(30, TimeUnit.SECONDS);
        }
    }

    private static int countReads(ServerSocketChannel server) {
        try (SocketChannel peer = server.accept()) {
            ByteBuffer buffer = ByteBuffer.allocate(8192); // at most one chunk: one event per read()
            int reads = 0;
            while (true) {
                buffer.clear();
                int n = peer.read(buffer);
                if (n < 0) {
                    return reads;
                }
                if (n > 0) {
                    reads++;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
