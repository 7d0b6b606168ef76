package io.spanscope.parsers.bench;

import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 + HPACK + gRPC parsing on one core: the events of a real grpc-go capture of unary calls
 * (server view), read once from the pcap, replayed through a fresh {@link ConnectionTracker} per
 * invocation into a counting sink. Pcap reading and TCP reassembly are outside the measurement.
 *
 * <p>Make the capture with {@code scripts/pcaps/http2.sh --bench 20000} (20 000 unary calls on one
 * connection into protocol-parsers/target/bench-pcaps/); the {@code :bytes} line is payload bytes/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class Http2ParseBenchmark {

    @Param("protocol-parsers/target/bench-pcaps/grpc-unary-bench.pcap")
    public String pcap;

    private Object[] events;
    private long payloadBytes;
    private long expectedRecords;

    /** Bytes and records per second, reported beside the replays per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        public long bytes;
        public long records;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            records = 0;
        }
    }

    @Setup
    public void load() throws IOException {
        List<Object> all = new ArrayList<>();
        try (PcapReader reader = PcapReader.builder().views(Views.SERVER_ONLY).open(Path.of(pcap))) {
            reader.read(new CaptureEventSink() {
                @Override
                public void onOpen(ConnectionOpenEvent event) {
                    all.add(event);
                }

                @Override
                public void onData(DataEvent event) {
                    // the reader reuses its flyweight
                    all.add(event.copy());
                    payloadBytes += event.payloadLength();
                }

                @Override
                public void onClose(ConnectionCloseEvent event) {
                    all.add(event);
                }
            });
        }
        events = all.toArray();
        expectedRecords = countRecords();
        if (expectedRecords == 0) {
            throw new IllegalStateException("no exchanges in " + pcap);
        }
    }

    private long countRecords() {
        long[] records = {0};
        replay(new ConnectionTracker(ParserConfig.defaults(), r -> records[0]++));
        return records[0];
    }

    private void replay(ConnectionTracker tracker) {
        for (Object e : events) {
            if (e instanceof DataEvent data) {
                tracker.onData(data);
            } else if (e instanceof ConnectionOpenEvent open) {
                tracker.onOpen(open);
            } else if (e instanceof ConnectionCloseEvent close) {
                tracker.onClose(close);
            }
        }
        tracker.endAll();
    }

    @Benchmark
    public long replayGrpcUnary(Counters counters) {
        long[] records = {0};
        replay(new ConnectionTracker(ParserConfig.defaults(), r -> records[0]++));
        counters.bytes += payloadBytes;
        counters.records += records[0];
        return records[0];
    }
}
