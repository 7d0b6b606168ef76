package io.spanscope.capture.live;

import io.spanscope.capture.testing.RecordingSink;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Other processes (curl, python) talking to a server in this JVM. */
@Tag("live")
class ProcessTrafficCaptureTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);

    @Test
    void curlRequestBytesAreWhatTheServerReceivedWithRolesAndTuples() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPorts(List.of(port))
                    .workers(2).build()) {
                capture.start(worker -> sink);
                CompletableFuture<byte[]> request = CompletableFuture.supplyAsync(() -> serveOneHttpRequest(server));
                Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-H", "X-Test: spanscope",
                        "http://127.0.0.1:" + port + "/hello?x=1").start();
                assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(curl.exitValue()).isZero();
                byte[] serverReceived = request.get(30, TimeUnit.SECONDS);
                int curlPid = (int) curl.pid();
                int self = (int) ProcessHandle.current().pid();

                assertThat(RecordingSink.await(WAIT, () -> RecordingSink.concat(
                        sink.data(e -> e.tgid() == curlPid && e.direction() == Direction.INGRESS)).length
                        == RESPONSE.length)).isTrue();
                List<DataEvent> curlOut = sink.data(e -> e.tgid() == curlPid && e.direction() == Direction.EGRESS);
                List<DataEvent> serverIn = sink.data(e -> e.tgid() == self && e.direction() == Direction.INGRESS);
                assertThat(new String(RecordingSink.concat(curlOut), StandardCharsets.US_ASCII))
                        .startsWith("GET /hello?x=1 HTTP/1.1\r\n").contains("X-Test: spanscope\r\n");
                assertThat(RecordingSink.concat(curlOut)).isEqualTo(serverReceived);
                assertThat(RecordingSink.concat(serverIn)).isEqualTo(serverReceived);
                assertThat(RecordingSink.concat(sink.data(e -> e.tgid() == curlPid
                        && e.direction() == Direction.INGRESS))).isEqualTo(RESPONSE);

                DataEvent clientSide = curlOut.get(0);
                DataEvent serverSide = serverIn.get(0);
                assertThat(clientSide.role()).isEqualTo(Role.CLIENT);
                assertThat(serverSide.role()).isEqualTo(Role.SERVER);
                assertThat(clientSide.remoteEndpoint()).isEqualTo(serverSide.localEndpoint());
                assertThat(clientSide.localEndpoint()).isEqualTo(serverSide.remoteEndpoint());
                assertThat(clientSide.tcpSequence()).isEqualTo(serverSide.tcpSequence());
            }
        }
    }

    @Test
    void writevReadvSendmsgRecvmsgOfAPythonClientAreCaptured() throws Exception {
        String script = String.join("\n",
                "import os, socket, sys",
                "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
                "os.writev(s.fileno(), [b'writev-one|', b'writev-two|'])",
                "s.sendmsg([b'sendmsg-a|', b'sendmsg-b|'])",
                "a, b = bytearray(13), bytearray(13)",
                "n = os.readv(s.fileno(), [a, b])",
                "print((a + b)[:n].hex(), flush=True)",
                "s.send(b'next')",
                "buf = bytearray(64)",
                "n = s.recvmsg_into([buf])[0]",
                "print(buf[:n].hex(), flush=True)",
                "s.close()");
        byte[] pythonSends = "writev-one|writev-two|sendmsg-a|sendmsg-b|next".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPorts(List.of(port))
                    .workers(1).build()) {
                capture.start(worker -> sink);
                Process python = new ProcessBuilder("python3", "-c", script, Integer.toString(port)).start();
                try (SocketChannel peer = server.accept()) {
                    readExactly(peer, pythonSends.length - 4);
                    peer.write(ByteBuffer.wrap("readv-part-1|readv-part-2|".getBytes(StandardCharsets.US_ASCII)));
                    readExactly(peer, 4);
                    peer.write(ByteBuffer.wrap("recvmsg-x|recvmsg-y|".getBytes(StandardCharsets.US_ASCII)));
                    readExactly(peer, 0);
                }
                assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String[] lines = new String(python.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split("\n");
                byte[] pythonReceived = concat(HexFormat.of().parseHex(lines[0]), HexFormat.of().parseHex(lines[1]));
                int pid = (int) python.pid();

                assertThat(RecordingSink.await(WAIT, () -> RecordingSink.concat(sink.data(e -> e.tgid() == pid
                        && e.direction() == Direction.INGRESS)).length == pythonReceived.length)).isTrue();
                assertThat(RecordingSink.concat(sink.data(e -> e.tgid() == pid && e.direction() == Direction.EGRESS)))
                        .isEqualTo(pythonSends);
                assertThat(RecordingSink.concat(sink.data(e -> e.tgid() == pid && e.direction() == Direction.INGRESS)))
                        .isEqualTo(pythonReceived)
                        .isEqualTo("readv-part-1|readv-part-2|recvmsg-x|recvmsg-y|".getBytes(StandardCharsets.US_ASCII));
                // writev and sendmsg each carry two iovecs: chunks never span iovecs, so four events, then send()
                assertThat(sink.data(e -> e.tgid() == pid && e.direction() == Direction.EGRESS)).hasSize(5)
                        .noneMatch(DataEvent::isTruncated);
                // both ends agree on the sequence numbers of the same bytes
                assertThat(sink.data(e -> e.tgid() == pid && e.direction() == Direction.EGRESS).get(0).tcpSequence())
                        .isEqualTo(sink.data(e -> e.localPort() == port && e.direction() == Direction.INGRESS)
                                .get(0).tcpSequence());
            }
        }
    }

    /* connects, sendfile()s FILE's first LENGTH bytes, then sendmmsg()s two messages, and closes */
    private static final String METADATA_CLIENT = String.join("\n",
            "#define _GNU_SOURCE",
            "#include <arpa/inet.h>",
            "#include <fcntl.h>",
            "#include <stdlib.h>",
            "#include <sys/sendfile.h>",
            "#include <sys/socket.h>",
            "#include <unistd.h>",
            "int main(int argc, char **argv) {",
            "  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };",
            "  inet_pton(AF_INET, \"127.0.0.1\", &a.sin_addr);",
            "  int s = socket(AF_INET, SOCK_STREAM, 0);",
            "  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) return 1;",
            "  int f = open(argv[2], O_RDONLY);",
            "  off_t off = 0; long left = atol(argv[3]);",
            "  while (left > 0) { ssize_t n = sendfile(s, f, &off, left); if (n <= 0) return 2; left -= n; }",
            "  struct iovec one = { \"mmsg-one|\", 9 }, two = { \"mmsg-two|\", 9 };",
            "  struct mmsghdr m[2] = {0};",
            "  m[0].msg_hdr.msg_iov = &one; m[0].msg_hdr.msg_iovlen = 1;",
            "  m[1].msg_hdr.msg_iov = &two; m[1].msg_hdr.msg_iovlen = 1;",
            "  if (sendmmsg(s, m, 2, 0) != 2) return 3;",
            "  return close(s) ? 4 : 0;",
            "}");

    @Test
    void sendfileAndSendmmsgOfACProgramAreReportedAsByteRangesWithoutPayload(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metadata_client.c"), METADATA_CLIENT);
        Process gcc = new ProcessBuilder("gcc", "-O1", "-o", dir.resolve("metadata_client").toString(),
                dir.resolve("metadata_client.c").toString()).inheritIO().start();
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).isZero();
        int fileBytes = 3000;
        byte[] body = new byte[fileBytes];
        java.util.Arrays.fill(body, (byte) 'f');
        Files.write(dir.resolve("body.bin"), body);
        int sent = fileBytes + 18;
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            RecordingSink sink = new RecordingSink();
            try (LiveCapture capture = LiveCapture.builder().traceOwnProcess(true).allowPorts(List.of(port))
                    .workers(1).build()) {
                capture.start(worker -> sink);
                Process client = new ProcessBuilder(dir.resolve("metadata_client").toString(), Integer.toString(port),
                        dir.resolve("body.bin").toString(), Integer.toString(fileBytes)).start();
                try (SocketChannel peer = server.accept()) {
                    readExactly(peer, sent);
                }
                assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(client.exitValue()).isZero();
                int pid = (int) client.pid();

                assertThat(RecordingSink.await(WAIT, () -> sink.data(e -> e.tgid() == pid
                        && e.direction() == Direction.EGRESS).stream().mapToLong(DataEvent::byteCount).sum() == sent))
                        .isTrue();
                List<DataEvent> egress = sink.data(e -> e.tgid() == pid && e.direction() == Direction.EGRESS);
                assertThat(egress).allSatisfy(e -> assertThat(e.payloadLength()).isZero());
                // the byte ranges follow each other without a gap: sendfile's, then sendmmsg's 2 x 9 bytes
                for (int i = 1; i < egress.size(); i++) {
                    assertThat(egress.get(i).tcpSequence())
                            .isEqualTo(egress.get(i - 1).tcpSequence() + egress.get(i - 1).byteCount());
                }
                assertThat(egress.get(egress.size() - 1).byteCount()).isEqualTo(18);
                assertThat(capture.stats().sendfileBytes()).isEqualTo(fileBytes);
                assertThat(capture.stats().multiMessageCalls()).isEqualTo(1);
            }
        }
    }

    private static byte[] serveOneHttpRequest(ServerSocketChannel server) {
        try (SocketChannel peer = server.accept()) {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (!request.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                buffer.clear();
                int n = peer.read(buffer);
                if (n < 0) {
                    break;
                }
                request.write(buffer.array(), 0, n);
            }
            peer.write(ByteBuffer.wrap(RESPONSE));
            return request.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads {@code count} bytes (0: until the peer closes). */
    private static void readExactly(SocketChannel channel, int count) throws java.io.IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(count, 64));
        if (count > 0) {
            buffer.limit(count);
        }
        while (count == 0 || buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return;
            }
            if (count == 0) {
                buffer.clear();
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
