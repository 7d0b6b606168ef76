package io.spanscope.parsers;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS: the handshake arrives as socket ciphertext, then SSL_read/SSL_write plaintext whose sequence
 * numbers are those of the nested ciphertext syscalls (each TLS record is longer than its plaintext).
 */
class TlsPlaintextTest {

    /** Start of a TLS 1.3 ClientHello record as curl/OpenSSL 3 sends it. */
    private static final byte[] CLIENT_HELLO = HexFormat.of().parseHex("1603010200010001fc0303" + "5a".repeat(64));
    private static final int TLS_RECORD_OVERHEAD = 22;

    @Test
    void plaintextAfterAHandshakeIsParsedInArrivalOrderWithTheNestedSequenceNumbers() {
        CollectingSink sink = new CollectingSink();
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);
        Conversation c = Conversation.client();
        tracker.onOpen(c.open(0, false));
        tracker.onData(c.send(Direction.EGRESS, CLIENT_HELLO, 1, 1));
        tracker.onData(c.send(Direction.INGRESS, HexFormat.of().parseHex("160303007a0200007603035b"), 2, 1));

        long requestSequence = c.sequence(Direction.EGRESS);
        long responseSequence = c.sequence(Direction.INGRESS);
        tracker.onData(tls(c, Direction.EGRESS, CURL_GET, 10));
        tracker.onData(tls(c, Direction.INGRESS, NGINX_JSON_200.substring(0, 100), 20));
        tracker.onData(tls(c, Direction.INGRESS, NGINX_JSON_200.substring(100), 21));
        tracker.onData(c.send(Direction.INGRESS, new byte[] {0x17, 0x03, 0x03, 0x00, 0x13}, 22, 1));

        Record r = sink.only();
        assertThat(r.role()).isEqualTo(Role.CLIENT);
        assertThat(r.attributes().getString("url.path")).isEqualTo("/api/users/42");
        assertThat(r.attributes().getLong("http.response.status_code")).isEqualTo(200);
        assertThat(r.requestSequence()).isEqualTo(requestSequence);
        assertThat(r.responseSequence()).isEqualTo(responseSequence);
        assertThat(r.responseEndNs()).isEqualTo(21);
        assertThat(r.responseBytes()).isEqualTo(NGINX_JSON_200.length());
        assertThat(r.isIntact()).isTrue();
        assertThat(tracker.stats().gaps()).isZero();
        assertThat(tracker.stats().drops(DropReason.UNKNOWN_PROTOCOL)).as("the handshake view").isEqualTo(1);
        assertThat(tracker.stats().unparsedBytes()).isEqualTo(CLIENT_HELLO.length + 12 + 5);
    }

    /**
     * A response whose TLS record the capture could not find (its event marked sequence-unknown) is parsed
     * as usual but has no response sequence number, so nothing pairs it with the peer's record by a number
     * that may be another record's; the request, numbered, keeps its number.
     */
    @Test
    void plaintextMarkedSequenceUnknownIsParsedButLeavesItsSequenceUnset() {
        CollectingSink sink = new CollectingSink();
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);
        Conversation c = Conversation.client();
        tracker.onOpen(c.open(0, false));
        long requestSequence = c.sequence(Direction.EGRESS);
        tracker.onData(tls(c, Direction.EGRESS, CURL_GET, 10));
        tracker.onData(tls(c, Direction.INGRESS, NGINX_JSON_200.substring(0, 100), 20).setSequenceKnown(false));
        tracker.onData(tls(c, Direction.INGRESS, NGINX_JSON_200.substring(100), 21));

        Record r = sink.only();
        assertThat(r.attributes().getLong("http.response.status_code")).isEqualTo(200);
        assertThat(r.responseBytes()).isEqualTo(NGINX_JSON_200.length());
        assertThat(r.requestSequence()).isEqualTo(requestSequence);
        assertThat(r.responseSequence()).isEqualTo(-1);
    }

    /** A plaintext event whose stream range is that of the ciphertext record the library wrote. */
    private static DataEvent tls(Conversation c, Direction direction, String plaintext, long ts) {
        byte[] bytes = Conversation.bytes(plaintext);
        DataEvent e = c.send(direction, bytes, ts, 1);
        c.lose(direction, TLS_RECORD_OVERHEAD);
        return e.setSource(DataSource.TLS);
    }
}
