package io.spanscope.parsers.postgres;

import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Garbage, truncation, absurd lengths and mutated real traffic: bounded, counted, never an exception. */
class PostgresAdversarialTest {

    private final CollectingSink sink = new CollectingSink();
    private final ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);

    private Conversation loggedIn(int fd) {
        Conversation c = new Conversation(77, fd, io.spanscope.capture.event.Role.CLIENT, fd * 7919, fd * 104_729);
        tracker.onOpen(c.open(0, false));
        tracker.onData(c.send(Direction.EGRESS, PgMessages.of().startup("u", "d", null).bytes(), 1, 1));
        tracker.onData(c.send(Direction.INGRESS, PgMessages.of().authOk().ready('I').bytes(), 2, 1));
        return c;
    }

    private void assertNothingEscaped() {
        assertThat(tracker.stats().drops(DropReason.HANDLER_FAILURE)).as("exceptions caught by the tracker").isZero();
    }

    @Test
    void randomBytesAfterLoginAreCountedAndNeverBecomeRecords() {
        Random random = new Random(8);
        for (int fd = 1; fd <= 300; fd++) {
            Conversation c = loggedIn(fd);
            for (int i = 0; i < 20; i++) {
                byte[] junk = new byte[1 + random.nextInt(600)];
                random.nextBytes(junk);
                tracker.onData(c.send(random.nextBoolean() ? Direction.EGRESS : Direction.INGRESS, junk, 3 + i, 1));
            }
            tracker.onClose(c.close(100));
        }
        assertNothingEscaped();
        assertThat(tracker.stats().parseErrors() + tracker.stats().resyncs()).isPositive();
        assertThat(tracker.stats().bufferedBytes()).isZero();
        // random bytes may by chance frame as a Query: a handful of records at most, never one per message
        assertThat(sink.records().size()).isLessThan(300);
    }

    @Test
    void gibibyteDeclaredLengthsAreSteppedOverWithoutBuffering() {
        Conversation c = loggedIn(1);
        tracker.onData(c.send(Direction.EGRESS, PgMessages.of().query("SELECT big FROM blobs").bytes(), 3, 1));
        tracker.onData(c.send(Direction.INGRESS, PgMessages.of().rowDescription("big").header('D', 1 << 30).bytes(), 4, 1));
        byte[] slab = new byte[64 * 1024];
        for (int i = 0; i < 64; i++) {
            tracker.onData(c.send(Direction.INGRESS, slab, 5 + i, 1));
        }
        // a Query declaring 100 MB of text: not kept, not buffered
        tracker.onData(c.send(Direction.EGRESS, PgMessages.of().header('Q', 100 << 20).bytes(), 100, 1));
        tracker.onData(c.send(Direction.EGRESS, slab, 101, 1));

        assertNothingEscaped();
        assertThat(tracker.stats().peakBufferedBytes()).isLessThan(1024);
        assertThat(tracker.stats().drops(DropReason.POSTGRES_MESSAGE_LIMIT)).isEqualTo(1);
        tracker.onClose(c.close(200));
        assertThat(sink.records()).hasSize(2);
        assertThat(sink.records().get(0).attributes().getString("db.query.text")).isEqualTo("SELECT big FROM blobs");
    }

    @Test
    void messagesCutAtEveryPossiblePointNeverThrow() {
        byte[] request = PgMessages.of().parse("s", "SELECT $1").bind("", "s", "x").describePortal("").execute("", 0)
                .sync().bytes();
        byte[] response = PgMessages.of().parseComplete().bindComplete().rowDescription("a").dataRow("x")
                .commandComplete("SELECT 1").ready('I').bytes();
        for (int cut = 0; cut <= request.length + response.length; cut++) {
            Conversation c = loggedIn(1000 + cut);
            if (cut <= request.length) {
                tracker.onData(c.send(Direction.EGRESS, Arrays.copyOf(request, cut), 3, 1));
            } else {
                tracker.onData(c.send(Direction.EGRESS, request, 3, 1));
                tracker.onData(c.send(Direction.INGRESS, Arrays.copyOf(response, cut - request.length), 4, 1));
            }
            tracker.onClose(c.close(5));
        }
        assertNothingEscaped();
        assertThat(tracker.stats().bufferedBytes()).isZero();
        long intact = sink.records().stream().filter(r -> r.isIntact()).count();
        assertThat(intact).as("only the uncut conversation (and cuts after CommandComplete) are whole").isEqualTo(7);
    }

    /**
     * Every real capture, many times over, with bit flips, lost events and truncated payloads at random
     * for a few seconds: nothing escapes, memory stays bounded, nothing is invented beyond what was sent.
     */
    @Test
    void mutatedRealCapturesForSeveralSeconds() throws IOException {
        List<List<Object>> captures = new java.util.ArrayList<>();
        for (String name : List.of("pg-psql", "pg-psycopg", "pg-jdbc", "pg-pgbench-extended", "pg-pgbench-prepared")) {
            List<Object> events = new java.util.ArrayList<>();
            try (PcapReader reader = PcapReader.builder().views(Views.CLIENT_ONLY)
                    .open(PostgresCaptureTest.CAPTURES.resolve(name + ".pcap"))) {
                reader.read(new CaptureEventSink() {
                    @Override
                    public void onOpen(ConnectionOpenEvent event) {
                        events.add(event);
                    }

                    @Override
                    public void onData(DataEvent event) {
                        events.add(event.copy());
                    }

                    @Override
                    public void onClose(ConnectionCloseEvent event) {
                        events.add(event);
                    }
                });
            }
            captures.add(events);
        }
        Random random = new Random(2026);
        long deadline = System.nanoTime() + 4_000_000_000L;
        int runs = 0;
        long maxRecords = 0;
        while (System.nanoTime() < deadline) {
            List<Object> events = captures.get(runs % captures.size());
            ConnectionTracker fuzzed = new ConnectionTracker(ParserConfig.defaults(), r -> {
                assertThat(r.protocol()).isEqualTo(Protocol.POSTGRESQL);
            });
            long delivered = 0;
            for (Object e : events) {
                if (e instanceof ConnectionOpenEvent open) {
                    fuzzed.onOpen(open);
                } else if (e instanceof ConnectionCloseEvent close) {
                    fuzzed.onClose(close);
                } else if (e instanceof DataEvent data) {
                    int fate = random.nextInt(40);
                    if (fate == 0) {
                        continue;  // lost
                    }
                    byte[] payload = Arrays.copyOfRange(data.payload(), data.payloadOffset(),
                            data.payloadOffset() + data.payloadLength());
                    if (fate < 4 && payload.length > 0) {
                        payload[random.nextInt(payload.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                    int captured = fate == 4 ? random.nextInt(payload.length + 1) : payload.length;
                    DataEvent mutated = data.copy().setPayload(payload, 0, captured);
                    fuzzed.onData(mutated);
                    delivered++;
                }
            }
            fuzzed.endAll();
            assertThat(fuzzed.stats().drops(DropReason.HANDLER_FAILURE)).isZero();
            assertThat(fuzzed.stats().bufferedBytes()).isZero();
            assertThat(fuzzed.stats().peakBufferedBytes()).isLessThan(256 * 1024);
            assertThat(fuzzed.stats().records()).isLessThanOrEqualTo(delivered * 4);
            maxRecords = Math.max(maxRecords, fuzzed.stats().records());
            runs++;
        }
        assertThat(runs).isGreaterThan(50);
        assertThat(maxRecords).isPositive();
    }
}
