package io.spanscope.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.testing.RecordingSink;
import io.spanscope.capture.testing.TlsPeers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Go crypto/tls Reads that cut records apart and Reads served from Go's buffer with no syscall: a Go client
 * writes messages of many sizes as fast as it can (so one socket read brings many records; some Writes
 * take several records), and a Go server reads them back in small Reads (so one record is handed out over several Reads, most with no
 * nested read). Every plaintext byte the server's Reads returned must carry the TCP sequence number the
 * client's Write gave that byte: the numbering parsers use to pair both ends of an exchange. TLS 1.3, and
 * TLS 1.2 with AES-GCM (an explicit nonce before the ciphertext; a close_notify read with the last data
 * empties Go's plaintext reader) and with ChaCha20-Poly1305.
 */
@Tag("live")
class GoTlsRecordNumberingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MESSAGES = 300;
    private static final String PROGRAM = """
            package main

            import (
            \t"crypto/ecdsa"
            \t"crypto/elliptic"
            \t"crypto/rand"
            \t"crypto/tls"
            \t"crypto/x509"
            \t"crypto/x509/pkix"
            \t"fmt"
            \t"math/big"
            \t"net"
            \t"os"
            \t"strconv"
            \t"time"
            )

            func certificate() tls.Certificate {
            \tkey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
            \tcheck(err)
            \ttemplate := x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
            \t\tNotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
            \t\tIPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
            \tder, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
            \tcheck(err)
            \treturn tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
            }

            func check(err error) {
            \tif err != nil {
            \t\tfmt.Fprintln(os.Stderr, err)
            \t\tos.Exit(1)
            \t}
            }

            // server ADDR CHUNK: one connection, read in CHUNK-byte Reads to its end; prints the byte count.
            // client ADDR COUNT VERSION (1.3, 1.2-gcm, 1.2-chacha): COUNT messages of pseudo-random bytes, one Write each: 1 to 1000 bytes (one record),
            // every 25th of 20000 (several records).
            func main() {
            \tswitch os.Args[1] {
            \tcase "server":
            \t\tchunk, _ := strconv.Atoi(os.Args[3])
            \t\tl, err := tls.Listen("tcp", os.Args[2], &tls.Config{Certificates: []tls.Certificate{certificate()}})
            \t\tcheck(err)
            \t\tfmt.Println("listening")
            \t\tc, err := l.Accept()
            \t\tcheck(err)
            \t\t// let the client's records (and its close_notify) pile up in the socket: Reads then start from
            \t\t// a full buffer, and the last one finds the alert behind the data
            \t\tcheck(c.(*tls.Conn).Handshake())
            \t\ttime.Sleep(300 * time.Millisecond)
            \t\tbuf := make([]byte, chunk)
            \t\ttotal := 0
            \t\tfor {
            \t\t\tn, err := c.Read(buf)
            \t\t\ttotal += n
            \t\t\tif err != nil {
            \t\t\t\tbreak
            \t\t\t}
            \t\t}
            \t\tfmt.Println(total)
            \tcase "client":
            \t\tcount, _ := strconv.Atoi(os.Args[3])
            \t\tconfig := &tls.Config{InsecureSkipVerify: true}
            \t\tswitch os.Args[4] {
            \t\tcase "1.2-gcm":
            \t\t\tconfig.MaxVersion = tls.VersionTLS12
            \t\t\tconfig.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
            \t\tcase "1.2-chacha":
            \t\t\tconfig.MaxVersion = tls.VersionTLS12
            \t\t\tconfig.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
            \t\t}
            \t\tc, err := tls.Dial("tcp", os.Args[2], config)
            \t\tcheck(err)
            \t\tstate := uint32(12345)
            \t\tfor i := 0; i < count; i++ {
            \t\t\tsize := 1 + (i*97)%1000
            \t\t\tif i%25 == 24 {
            \t\t\t\tsize = 20000 + i
            \t\t\t}
            \t\t\tmsg := make([]byte, size)
            \t\t\tfor j := range msg {
            \t\t\t\tstate = state*1664525 + 1013904223
            \t\t\t\tmsg[j] = byte(state >> 24)
            \t\t\t}
            \t\t\t_, err := c.Write(msg)
            \t\t\tcheck(err)
            \t\t}
            \t\tcheck(c.Close())
            \t}
            }
            """;

    @org.junit.jupiter.api.io.TempDir
    static Path dir;
    static Path binary;

    @BeforeAll
    static void build() throws Exception {
        Path module = dir.resolve("src");
        Files.createDirectories(module);
        Files.writeString(module.resolve("go.mod"), "module example.com/tlsnumbering\n\ngo 1.21\n");
        Files.writeString(module.resolve("main.go"), PROGRAM);
        binary = dir.resolve("tlsnumbering");
        GoPrograms.build(module, binary);
    }

    @ParameterizedTest(name = "server Reads of {0} bytes, TLS {1}")
    @CsvSource({"7, 1.3", "100, 1.3", "4096, 1.3", "7, 1.2-gcm", "4096, 1.2-gcm", "100, 1.2-chacha"})
    void everyByteAGoReadReturnedCarriesTheSequenceNumberTheWriterGaveIt(int readSize, String version) throws Exception {
        int port = TlsPeers.freePort();
        RecordingSink sink = new RecordingSink();
        Process server = null;
        try (LiveCapture capture = LiveCapture.builder().allowPorts(List.of(port)).workers(2).build()) {
            capture.start(worker -> sink);
            server = new ProcessBuilder(binary.toString(), "server", "127.0.0.1:" + port, Integer.toString(readSize))
                    .redirectErrorStream(true).start();
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertThat(serverOut.readLine()).isEqualTo("listening");
            assertThat(RecordingSink.await(WAIT, () -> capture.stats().tls().attachedFiles().contains(binary.toString())))
                    .as("attached: %s", capture.stats().tls()).isTrue();
            Process client = new ProcessBuilder(binary.toString(), "client", "127.0.0.1:" + port,
                    Integer.toString(MESSAGES), version).redirectErrorStream(true).start();
            String clientOut = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(clientOut).isZero();
            long sent = 0;
            for (int i = 0; i < MESSAGES; i++) {
                sent += i % 25 == 24 ? 20000 + i : 1 + (i * 97) % 1000;
            }
            assertThat(serverOut.readLine()).as("bytes the server read").isEqualTo(Long.toString(sent));
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int clientPid = (int) client.pid();
            int serverPid = (int) server.pid();
            long expected = sent;
            assertThat(RecordingSink.await(WAIT, () -> RecordingSink.byteCount(plaintext(sink, serverPid, Direction.INGRESS))
                    >= expected)).as("server plaintext captured; %s", capture.stats().tls().go()).isTrue();

            Map<Long, Byte> written = bytesBySequence(plaintext(sink, clientPid, Direction.EGRESS));
            assertThat(written).as("client plaintext captured").hasSize((int) sent);
            List<DataEvent> reads = plaintext(sink, serverPid, Direction.INGRESS);
            long misnumbered = 0;
            List<String> misnumberedReads = new java.util.ArrayList<>();
            for (DataEvent read : reads) {
                long before = misnumbered;
                for (int k = 0; k < read.payloadLength(); k++) {
                    Byte byWriter = written.get((read.tcpSequence() + k) & 0xFFFF_FFFFL);
                    if (byWriter == null || byWriter != read.payload()[read.payloadOffset() + k]) {
                        misnumbered++;
                    }
                }
                if (misnumbered > before) {
                    misnumberedReads.add(read.tcpSequenceUnsigned() + "+" + read.payloadLength());
                }
            }
            assertThat(misnumbered).as("bytes the server read under another number than the client wrote them;"
                    + " %d Reads, misnumbered %s; %s", reads.size(), misnumberedReads, capture.stats().tls().go()).isZero();
            if (readSize < 1000) {
                assertThat(reads.size()).as("records handed out over several Reads").isGreaterThan(MESSAGES);
            }
            // Reads on Conns whose connection this capture does not trace (any other Go TLS program on the host)
            // are not counted here: only this test's own
            assertThat(capture.stats().tls().go().unnumberedReads()).as("Reads left unnumbered").isZero();
        } finally {
            if (server != null) {
                server.destroy();
            }
        }
    }

    private static List<DataEvent> plaintext(RecordingSink sink, int pid, Direction direction) {
        return sink.data(e -> e.tgid() == pid && e.direction() == direction && e.source() == DataSource.TLS);
    }

    private static Map<Long, Byte> bytesBySequence(List<DataEvent> events) {
        Map<Long, Byte> bytes = new HashMap<>();
        for (DataEvent e : events) {
            for (int k = 0; k < e.payloadLength(); k++) {
                bytes.put((e.tcpSequence() + k) & 0xFFFF_FFFFL, e.payload()[e.payloadOffset() + k]);
            }
        }
        return bytes;
    }
}
