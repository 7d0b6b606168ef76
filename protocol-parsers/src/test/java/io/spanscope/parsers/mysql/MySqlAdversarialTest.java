package io.spanscope.parsers.mysql;

import io.spanscope.capture.event.Direction;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Oversized, split, lost, encrypted, mid-stream and random input: bounded, counted, never an exception. */
class MySqlAdversarialTest {

    private final List<Record> records = new ArrayList<>();
    private final ParserConfig config = ParserConfig.defaults();
    private final ConnectionTracker tracker = new ConnectionTracker(config, records::add);
    private final Conversation c = Conversation.client();
    private long now = 1_000;

    static byte[] packet(int sequenceId, byte[] payload) {
        byte[] p = new byte[4 + payload.length];
        p[0] = (byte) payload.length;
        p[1] = (byte) (payload.length >> 8);
        p[2] = (byte) (payload.length >> 16);
        p[3] = (byte) sequenceId;
        System.arraycopy(payload, 0, p, 4, payload.length);
        return p;
    }

    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else if (part instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    /** Capabilities: LONG_PASSWORD, CONNECT_WITH_DB, PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH, DEPRECATE_EOF. */
    static byte[] greeting() {
        return packet(0, bytes(10, "5.5.5-10.11.19-MariaDB", 0, new byte[] {1, 0, 0, 0}, "abcdefgh", 0,
                0x09, 0x82, 33, 2, 0, 0x08, 0x01, 21, new byte[10], "ijklmnopqrst", 0, "mysql_native_password", 0));
    }

    static byte[] login(long capabilities) {
        byte[] caps = {(byte) capabilities, (byte) (capabilities >> 8), (byte) (capabilities >> 16), (byte) (capabilities >> 24)};
        return packet(1, bytes(caps, new byte[] {0, 0, 0, 1}, 33, new byte[23], "app", 0, 20,
                "secret-password-hash", "shop", 0, "mysql_native_password", 0));
    }

    static byte[] ok(int sequenceId) {
        return packet(sequenceId, new byte[] {0, 0, 0, 2, 0, 0, 0});
    }

    static byte[] query(String sql) {
        return packet(0, bytes(3, sql));
    }

    private void send(Direction d, byte[] b) {
        tracker.onData(c.send(d, b, now++, 7));
    }

    private void handshake() {
        tracker.onOpen(c.open(now++, false));
        send(Direction.INGRESS, greeting());
        send(Direction.EGRESS, login(0x0109_820F));
        send(Direction.INGRESS, ok(2));
    }

    @Test
    void oversizedQueryIsKeptToTheInspectLimitAndCounted() {
        handshake();
        char[] filler = new char[200_000];
        Arrays.fill(filler, 'x');
        byte[] big = query("SELECT '" + new String(filler) + "'");
        for (int from = 0; from < big.length; from += 16_384) {
            send(Direction.EGRESS, Arrays.copyOfRange(big, from, Math.min(big.length, from + 16_384)));
        }
        send(Direction.INGRESS, ok(1));
        tracker.endAll();

        Record r = records.get(0);
        assertThat(records).hasSize(1);
        assertThat(r.hasFlag(RecordFlag.TRUNCATED_BODY)).isTrue();
        assertThat(r.requestBytes()).isEqualTo(big.length);
        assertThat(r.attributes().getString("db.operation.name")).isEqualTo("SELECT");
        assertThat(r.attributes().getString("db.query.text")).startsWith("SELECT ?").doesNotContain("xxx");
        assertThat(tracker.stats().drops(DropReason.MYSQL_PACKET_TRUNCATED)).isEqualTo(1);
        assertThat(tracker.stats().peakBufferedBytes()).isLessThanOrEqualTo(config.maxBufferedBytesPerDirection());
    }

    @Test
    void aMessageOver16MiBIsOnePacketAndItsContinuation() {
        handshake();
        byte[] head = new byte[4 + 0xFF_FFFF];
        head[0] = (byte) 0xFF;
        head[1] = (byte) 0xFF;
        head[2] = (byte) 0xFF;
        head[4] = 3;
        byte[] sql = "INSERT INTO blobs VALUES ('".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(sql, 0, head, 5, sql.length);
        Arrays.fill(head, 5 + sql.length, head.length, (byte) 'a');
        byte[] tail = packet(1, "aaaa')".getBytes(StandardCharsets.US_ASCII));
        for (int from = 0; from < head.length; from += 1 << 20) {
            send(Direction.EGRESS, Arrays.copyOfRange(head, from, Math.min(head.length, from + (1 << 20))));
        }
        send(Direction.EGRESS, tail);
        send(Direction.INGRESS, ok(2));
        tracker.endAll();

        assertThat(records).hasSize(1);
        Record r = records.get(0);
        assertThat(r.requestBytes()).isEqualTo(head.length + tail.length);
        assertThat(r.attributes().getString("db.operation.name")).isEqualTo("INSERT");
        assertThat(r.attributes().getString("db.collection.name")).isEqualTo("blobs");
        assertThat(r.attributes().get("spanscope.mysql.affected_rows")).isEqualTo(0L);
        assertThat(r.flags()).containsOnly(RecordFlag.TRUNCATED_BODY);
        assertThat(tracker.stats().drops(DropReason.MYSQL_SEQUENCE_MISMATCH)).isZero();
    }

    @Test
    void anSslRequestEndsParsingAndIsCounted() {
        tracker.onOpen(c.open(now++, false));
        send(Direction.INGRESS, greeting());
        byte[] sslRequest = packet(1, bytes(new byte[] {0x0F, (byte) 0x8A, 0x09, 0x01}, new byte[] {0, 0, 0, 1}, 33, new byte[23]));
        send(Direction.EGRESS, sslRequest);
        byte[] ciphertext = new byte[500];
        new Random(1).nextBytes(ciphertext);
        send(Direction.INGRESS, ciphertext);
        send(Direction.EGRESS, query("SELECT 1 -- would be inside TLS"));
        tracker.endAll();

        assertThat(records).isEmpty();
        assertThat(tracker.stats().drops(DropReason.MYSQL_TLS)).isEqualTo(1);
        assertThat(tracker.stats().unparsedBytes()).isGreaterThanOrEqualTo(500);
    }

    @Test
    void anUnexpectedSequenceIdMarksTheResponse() {
        handshake();
        send(Direction.EGRESS, query("DELETE FROM t WHERE id = 5"));
        send(Direction.INGRESS, ok(3)); // expected 1
        tracker.endAll();

        assertThat(records).hasSize(1);
        assertThat(records.get(0).hasFlag(RecordFlag.GAP_IN_RESPONSE)).isTrue();
        assertThat(records.get(0).attributes().getString("db.query.text")).isEqualTo("DELETE FROM t WHERE id = ?");
        assertThat(tracker.stats().drops(DropReason.MYSQL_SEQUENCE_MISMATCH)).isEqualTo(1);
    }

    @Test
    void anExecutionOfAStatementPreparedBeforeCaptureIsRecordedWithItsId() {
        tracker.onOpen(c.open(now++, true));
        send(Direction.EGRESS, packet(0, bytes(0x17, new byte[] {7, 0, 0, 0}, 0, new byte[] {1, 0, 0, 0}, 1, 1, 3, 0, new byte[] {5, 0, 0, 0})));
        send(Direction.INGRESS, ok(1));
        tracker.endAll();

        assertThat(records).hasSize(1);
        Record r = records.get(0);
        assertThat(r.attributes().get("spanscope.mysql.statement_id")).isEqualTo(7L);
        assertThat(r.attributes().getString("spanscope.mysql.command")).isEqualTo("COM_STMT_EXECUTE");
        assertThat(r.hasFlag(RecordFlag.JOINED_MID_STREAM)).isTrue();
        assertThat(r.responseSequence()).isNotNegative();
        assertThat(tracker.stats().drops(DropReason.MYSQL_UNKNOWN_STATEMENT)).isEqualTo(1);
    }

    @Test
    void executeParametersAreDecodedByTypeWhenLiteralsAreNotMasked() throws IOException {
        ParserConfig capturing = ParserConfig.builder().maskSqlLiterals(false).build();
        List<Record> all = MySqlCaptureTest.replay(MySqlCaptureTest.CAPTURES.resolve("connectorj-prepared.pcap"),
                Views.CLIENT_ONLY, capturing, null);
        List<Record> inserts = all.stream().filter(r -> "COM_STMT_EXECUTE".equals(r.attributes().getString("spanscope.mysql.command"))
                && "INSERT".equals(r.attributes().getString("db.operation.name"))).toList();
        assertThat(inserts).extracting(r -> r.attributes().getString("db.query.parameter.0") + "/"
                + r.attributes().getString("db.query.parameter.1"))
                .containsExactly("jdbc-item-1/101", "jdbc-item-2/102", "jdbc-item-3/103");
        List<Record> masked = MySqlCaptureTest.replay(MySqlCaptureTest.CAPTURES.resolve("connectorj-prepared.pcap"),
                Views.CLIENT_ONLY, ParserConfig.defaults(), null);
        assertThat(masked).allSatisfy(r -> assertThat(r.attributes().asMap().keySet()).noneMatch(k -> k.startsWith("db.query.parameter.")));
    }

    /** Real conversations cut at random points, bytes flipped, events dropped, for a few seconds. */
    @Test
    void mutatedConversationsNeverThrowAndStayBounded() throws IOException {
        Random random = new Random(42);
        byte[][] script = {greeting(), login(0x0109_820F), ok(2),
            query("SELECT a, b FROM t"), packet(1, new byte[] {2}), packet(2, bytes(3, "def", 0, 0, 0, 0)),
            packet(3, bytes(3, "def", 0, 0, 0, 0)), packet(4, bytes(1, "1", 1, "x")), packet(5, bytes(0xFE, 0, 0, 2, 0, 0, 0)),
            query("INSERT INTO t VALUES (1)"), packet(1, bytes(0xFF, 0x26, 0x04, "#23000", "Duplicate entry '1'")),
            packet(0, bytes(0x16, "SELECT ? FROM dual")), packet(1, bytes(0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0)),
            packet(2, bytes(3, "def", 0, 0, 0, 0)), packet(3, bytes(3, "def", 0, 0, 0, 0))};
        long deadline = System.nanoTime() + 3_000_000_000L;
        int rounds = 0;
        ParserConfig small = ParserConfig.builder().maxHeaderBytes(2048).maxBufferedBytesPerDirection(4096).mysqlInspectBytes(1024).build();
        ConnectionTracker fuzzTracker = new ConnectionTracker(small, r -> { });
        while (System.nanoTime() < deadline) {
            Conversation conversation = new Conversation(100, rounds + 10, io.spanscope.capture.event.Role.CLIENT,
                    random.nextInt(), random.nextInt());
            fuzzTracker.onOpen(conversation.open(now++, random.nextInt(4) == 0));
            for (int i = 0; i < script.length; i++) {
                byte[] b = script[i].clone();
                int mutation = random.nextInt(6);
                if (mutation == 0) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt();
                } else if (mutation == 1) {
                    b = Arrays.copyOf(b, random.nextInt(b.length + 1));
                } else if (mutation == 2) {
                    random.nextBytes(b);
                } else if (mutation == 3 && i > 0) {
                    continue; // lost event: the sequence numbers skip it
                }
                Direction d = i == 1 || i == 3 || i == 9 || i == 11 ? Direction.EGRESS : Direction.INGRESS;
                if (b.length > 0) {
                    fuzzTracker.onData(conversation.send(d, b, now++, 1));
                }
            }
            if (random.nextBoolean()) {
                fuzzTracker.onClose(conversation.close(now++));
            }
            rounds++;
        }
        fuzzTracker.endAll();
        assertThat(rounds).isGreaterThan(100);
        assertThat(fuzzTracker.stats().drops(DropReason.HANDLER_FAILURE)).as("exceptions out of the parser").isZero();
        assertThat(fuzzTracker.stats().records()).isPositive();
        assertThat(fuzzTracker.stats().parseErrors() + fuzzTracker.stats().resyncs()
                + fuzzTracker.stats().drops(DropReason.MYSQL_SEQUENCE_MISMATCH)).isPositive();
        assertThat(fuzzTracker.stats().peakBufferedBytes()).isLessThanOrEqualTo(small.maxTotalBufferedBytes());
        assertThat(fuzzTracker.stats().bufferedBytes()).isZero();
    }
}
