package io.spanscope.parsers.mysql;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static io.spanscope.parsers.mysql.MySqlAdversarialTest.bytes;
import static io.spanscope.parsers.mysql.MySqlAdversarialTest.greeting;
import static io.spanscope.parsers.mysql.MySqlAdversarialTest.ok;
import static io.spanscope.parsers.mysql.MySqlAdversarialTest.packet;
import static io.spanscope.parsers.mysql.MySqlAdversarialTest.query;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A MySQL connection that turns to TLS as a TLS capture delivers it: on the socket the greeting, the SSL
 * request (CLIENT_SSL, 32 bytes) and the TLS handshake's ciphertext, in both directions; then the
 * plaintext, which continues the login with the real handshake response (sequence id 2) and the OK (3).
 */
class MySqlTlsTest {

    /** MariaDB's mysqlslap to a MariaDB server: CLIENT_MYSQL clear, CLIENT_SSL, DEPRECATE_EOF, CONNECT_WITH_DB. */
    private static final long TLS_CAPABILITIES = 0x0109_8A0EL;
    private static final byte[] CLIENT_HELLO = HexFormat.of().parseHex("1603010200010001fc0303" + "5a".repeat(120));
    private static final byte[] SERVER_HELLO = HexFormat.of().parseHex("160303007a0200007603035b" + "c3".repeat(300));
    private static final byte[] CLIENT_FINISHED = HexFormat.of().parseHex("140303000101" + "17030300350d".repeat(10));
    /** What a TLS record adds to the plaintext it carries (header, tag). */
    private static final int TLS_RECORD_OVERHEAD = 22;

    private final List<Record> records = new ArrayList<>();
    private final ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), records::add);

    static byte[] sslRequest(long capabilities) {
        return packet(1, bytes(caps(capabilities), new byte[] {0, 0, 0, 1}, 33, new byte[23]));
    }

    static byte[] tlsLogin(long capabilities) {
        return packet(2, bytes(caps(capabilities), new byte[] {0, 0, 0, 1}, 33, new byte[19], new byte[] {0x1D, 0, 0, 0},
                "app", 0, 20, "secret-password-hash", "shop", 0, "mysql_native_password", 0));
    }

    private static byte[] caps(long capabilities) {
        return new byte[] {(byte) capabilities, (byte) (capabilities >> 8), (byte) (capabilities >> 16),
                (byte) (capabilities >> 24)};
    }

    /** SELECT name, price ... → two columns, {@code rows} rows, the OK that replaces EOF. */
    private static byte[] resultSet(int rows) {
        List<byte[]> packets = new ArrayList<>();
        packets.add(packet(1, new byte[] {2}));
        packets.add(packet(2, bytes(3, "def", 4, "shop", 5, "items", 5, "items", 4, "name", 4, "name", 0x0C)));
        packets.add(packet(3, bytes(3, "def", 4, "shop", 5, "items", 5, "items", 5, "price", 5, "price", 0x0C)));
        for (int i = 0; i < rows; i++) {
            packets.add(packet(4 + i, bytes(5, "apple", 1, "3")));
        }
        packets.add(packet(4 + rows, bytes(0xFE, 0, 0, 2, 0, 0, 0)));
        return bytes(packets.toArray());
    }

    /** The socket view: greeting, SSL request, then the TLS handshake, which the capture forwards until the first SSL call. */
    private long socketView(Conversation c, long now) {
        tracker.onOpen(c.open(now++, false));
        boolean client = c.role() == Role.CLIENT;
        Direction toServer = client ? Direction.EGRESS : Direction.INGRESS;
        tracker.onData(c.send(toServer.opposite(), greeting(), now++, 7));
        tracker.onData(c.send(toServer, sslRequest(TLS_CAPABILITIES), now++, 7));
        tracker.onData(c.send(toServer, CLIENT_HELLO, now++, 7));
        tracker.onData(c.send(toServer.opposite(), SERVER_HELLO, now++, 7));
        tracker.onData(c.send(toServer, CLIENT_FINISHED, now++, 7));
        return now;
    }

    /** A plaintext event whose stream range is that of the TLS record the library wrote or read. */
    private static DataEvent tls(Conversation c, Direction direction, byte[] plaintext, long ts) {
        DataEvent e = c.send(direction, plaintext, ts, 7);
        c.lose(direction, TLS_RECORD_OVERHEAD);
        return e.setSource(DataSource.TLS);
    }

    @Test
    void queriesAfterAnSslRequestAreParsedFromThePlaintextOnBothEnds() {
        List<List<Record>> ends = new ArrayList<>();
        for (Conversation c : List.of(Conversation.client(), Conversation.server())) {
            records.clear();
            long now = socketView(c, 1_000);
            Direction toServer = c.requestDirection();
            tracker.onData(tls(c, toServer, tlsLogin(TLS_CAPABILITIES), now++));
            tracker.onData(tls(c, toServer.opposite(), ok(3), now++));
            List<Long> requestSequences = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                requestSequences.add(c.sequence(toServer));
                tracker.onData(tls(c, toServer, query("SELECT name, price FROM items WHERE id < " + (i + 3)), now++));
                tracker.onData(tls(c, toServer.opposite(), resultSet(i + 2), now++));
            }
            tracker.onData(tls(c, toServer, packet(0, new byte[] {1}), now++)); // COM_QUIT
            tracker.onClose(c.close(now));

            assertThat(records).hasSize(4);
            for (int i = 0; i < 3; i++) {
                Record r = records.get(i);
                assertThat(r.role()).isEqualTo(c.role());
                assertThat(r.isIntact()).as("intact: %s", r).isTrue();
                assertThat(r.attributes().getString("spanscope.mysql.command")).isEqualTo("COM_QUERY");
                assertThat(r.attributes().getString("db.query.text")).isEqualTo("SELECT name, price FROM items WHERE id < ?");
                assertThat(r.attributes().get("db.response.returned_rows")).isEqualTo((long) i + 2);
                assertThat(r.attributes().getString("db.system.name")).isEqualTo("mariadb");
                assertThat(r.attributes().getString("db.namespace")).isEqualTo("shop");
                assertThat(r.attributes().getString("spanscope.mysql.user")).isEqualTo("app");
                assertThat(r.attributes().getString("spanscope.mysql.server_version"))
                        .as("from the greeting in the socket view").isEqualTo("5.5.5-10.11.19-MariaDB");
                assertThat(r.requestSequence()).isEqualTo(requestSequences.get(i));
            }
            assertThat(records.get(3).attributes().getString("spanscope.mysql.command")).isEqualTo("COM_QUIT");
            assertThat(records).allSatisfy(r -> assertThat(r.attributes().asMap().toString()).doesNotContain("secret"));
            ends.add(List.copyOf(records));
        }
        assertThat(tracker.stats().drops(DropReason.MYSQL_TLS)).as("one socket view per end").isEqualTo(2);
        assertThat(tracker.stats().parseErrors()).isZero();
        assertThat(tracker.stats().gaps()).isZero();
        assertThat(tracker.stats().unparsedBytes()).as("the handshake's ciphertext, both ends")
                .isEqualTo(2L * (CLIENT_HELLO.length + SERVER_HELLO.length + CLIENT_FINISHED.length));
    }

    @Test
    void withoutTlsCaptureTheCiphertextIsCountedAndNothingIsInvented() {
        Conversation c = Conversation.client();
        long now = socketView(c, 1_000);
        tracker.onData(c.send(Direction.EGRESS, HexFormat.of().parseHex("1703030035" + "a1".repeat(0x35)), now++, 7));
        tracker.onData(c.send(Direction.INGRESS, HexFormat.of().parseHex("1703030100" + "b2".repeat(0x100)), now++, 7));
        tracker.onClose(c.close(now));

        assertThat(records).isEmpty();
        assertThat(tracker.stats().drops(DropReason.MYSQL_TLS)).isEqualTo(1);
        assertThat(tracker.stats().unparsedBytes()).isEqualTo(CLIENT_HELLO.length + SERVER_HELLO.length
                + CLIENT_FINISHED.length + 5 + 0x35 + 5 + 0x100);
    }

    @Test
    void onlyAHandshakeResponseAfterAnSslRequestOpensTheTlsPlaintext() {
        MySqlStartDetector detector = new MySqlStartDetector();
        byte[] login = tlsLogin(TLS_CAPABILITIES);
        assertThat(detector.detect(login, 0, login.length).isMatch()).isTrue();
        assertThat(detector.detect(login, 0, 20).verdict()).isEqualTo(io.spanscope.parsers.detect.Detection.Verdict.NEED_MORE);
        byte[] withoutSsl = tlsLogin(TLS_CAPABILITIES & ~MySqlProtocol.CLIENT_SSL);
        assertThat(detector.detect(withoutSsl, 0, withoutSsl.length).isMatch()).isFalse();
        byte[] sequenceOne = login.clone();
        sequenceOne[3] = 1;
        assertThat(detector.detect(sequenceOne, 0, sequenceOne.length).isMatch()).isFalse();
        byte[] dirtyFiller = login.clone();
        dirtyFiller[4 + 15] = 'x';
        assertThat(detector.detect(dirtyFiller, 0, dirtyFiller.length).isMatch()).isFalse();
    }
}
