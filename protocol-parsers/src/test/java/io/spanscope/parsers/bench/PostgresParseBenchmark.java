package io.spanscope.parsers.bench;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.detect.PostgresDetector;
import io.spanscope.parsers.detect.ProtocolRegistry;
import io.spanscope.parsers.detect.ProtocolSupport;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL parse + match throughput of one tracker (one core) on real pgbench traffic: the client
 * connection of a pgbench capture (default the committed extended-mode one; the large one from
 * {@code scripts/pcaps/postgresql.sh --bench N} with {@code -p pcap=...}) is loaded once; its login is
 * fed at setup, then every invocation replays its transactions as reused DataEvent flyweights with
 * running sequence numbers, through stream assembly, framing, pairing and record building into a sink
 * that only counts. The {@code :bytes} and {@code :records} lines are bytes/s and records/s.
 *
 * <p>The transactions' payloads lie back to back in one array, as a ring reader hands them over, so
 * feeding an event costs what the live source's does: pointing the flyweight at the next slice.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PostgresParseBenchmark {

    /** One syscall's bytes of the replayed connection. */
    record Chunk(boolean request, byte[] bytes) {
    }

    @State(Scope.Thread)
    public static class Stream {
        @Param("../test-pcaps/postgresql/pg-pgbench-extended.pcap")
        public String pcap;

        /**
         * {@code parse}: the PostgreSQL parser; {@code count}: the same bytes through a detect-only entry
         * (assembly and detection, bytes counted, no parsing): the engine's own cost, a ceiling for the parser.
         */
        @Param({"parse", "count"})
        public String mode;

        Replay transactions;
        long batchBytes;
        final DataEvent event = new DataEvent();
        ConnectionTracker tracker;
        Blackhole blackhole;
        long records;
        int requestSequence = 0x7FFF_0000;
        int responseSequence = 0xFFFF_0000;
        long clock;

        @Setup(Level.Trial)
        public void setUp(Blackhole bh) throws IOException {
            blackhole = bh;
            List<Chunk> all = busiestConnection(Path.of(pcap));
            int firstStatement = 0;
            while (firstStatement < all.size() && !isStatement(all.get(firstStatement))) {
                firstStatement++;
            }
            transactions = Replay.of(all.subList(firstStatement, all.size()));
            batchBytes = transactions.payloads.length;
            ProtocolRegistry registry = "parse".equals(mode) ? ProtocolRegistry.defaults()
                    : ProtocolRegistry.defaults().toBuilder()
                            .register(ProtocolSupport.detectOnly(Protocol.POSTGRESQL, new PostgresDetector())).build();
            tracker = new ConnectionTracker(ParserConfig.defaults(), registry, this::count);
            ConnectionId id = new ConnectionId(2000, 6, 1);
            event.setConnection(id.tgid(), id.tgid(), id.fd(), id.generation())
                    .setRole(io.spanscope.capture.event.Role.CLIENT)
                    .setEndpoints(false, new byte[] {10, 0, 0, 1}, 0, 43210, new byte[] {10, 0, 0, 2}, 0, 5432);
            feed(Replay.of(all.subList(0, firstStatement)));
        }

        private static boolean isStatement(Chunk c) {
            return c.request() && c.bytes().length > 0 && (c.bytes()[0] == 'P' || c.bytes()[0] == 'Q' || c.bytes()[0] == 'B');
        }

        void feed(Replay replay) {
            DataEvent e = event;
            byte[] payloads = replay.payloads;
            int[] lengths = replay.lengths;
            int at = 0;
            for (int i = 0, n = lengths.length; i < n; i++) {
                int length = lengths[i];
                if (length > 0) {
                    e.setDirection(Direction.EGRESS).setRange(requestSequence, length);
                    requestSequence += length;
                } else {
                    length = -length;
                    e.setDirection(Direction.INGRESS).setRange(responseSequence, length);
                    responseSequence += length;
                }
                e.setTimestampNs(clock++).setPayload(payloads, at, length);
                at += length;
                tracker.onData(e);
            }
        }

        private void count(Record record) {
            records++;
            blackhole.consume(record);
        }
    }

    @Benchmark
    public void pgbenchTransactions(Stream s, ReplayCounters out) {
        long recordsBefore = s.records;
        s.feed(s.transactions);
        out.bytes += s.batchBytes;
        out.records += s.records - recordsBefore;
    }

    /**
     * Chunks laid out for replay: payloads back to back in one array; {@code lengths[i]} positive for a
     * request chunk, negative for a response chunk. Empty chunks are left out: an event of no bytes
     * is ignored by the tracker anyway.
     */
    static final class Replay {
        final byte[] payloads;
        final int[] lengths;

        private Replay(byte[] payloads, int[] lengths) {
            this.payloads = payloads;
            this.lengths = lengths;
        }

        static Replay of(List<Chunk> all) {
            List<Chunk> chunks = all.stream().filter(c -> c.bytes().length > 0).toList();
            int total = chunks.stream().mapToInt(c -> c.bytes().length).sum();
            byte[] payloads = new byte[total];
            int[] lengths = new int[chunks.size()];
            int at = 0;
            for (int i = 0; i < lengths.length; i++) {
                byte[] b = chunks.get(i).bytes();
                System.arraycopy(b, 0, payloads, at, b.length);
                at += b.length;
                lengths[i] = chunks.get(i).request() ? b.length : -b.length;
            }
            return new Replay(payloads, lengths);
        }
    }

    /** The data events of the connection that carried the most of them, as the client saw them. */
    static List<Chunk> busiestConnection(Path pcap) throws IOException {
        Map<ConnectionId, List<Chunk>> byConnection = new HashMap<>();
        try (PcapReader reader = PcapReader.builder().views(Views.CLIENT_ONLY).open(pcap)) {
            reader.read(new CaptureEventSink() {
                @Override
                public void onOpen(ConnectionOpenEvent event) {
                }

                @Override
                public void onData(DataEvent event) {
                    byte[] b = new byte[event.payloadLength()];
                    System.arraycopy(event.payload(), event.payloadOffset(), b, 0, b.length);
                    byConnection.computeIfAbsent(event.connectionId(), k -> new ArrayList<>())
                            .add(new Chunk(event.direction() == Direction.EGRESS, b));
                }

                @Override
                public void onClose(ConnectionCloseEvent event) {
                }
            });
        }
        return byConnection.values().stream().max((a, b) -> Integer.compare(a.size(), b.size()))
                .orElseThrow(() -> new IllegalStateException("no data in " + pcap));
    }
}
