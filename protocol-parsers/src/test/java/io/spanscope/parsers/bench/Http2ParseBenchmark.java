package io.spanscope.parsers.bench;

import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 + HPACK + gRPC parsing on one core: the events of a real grpc-go capture of unary calls
 * (server view), read once from the pcap, replayed through a fresh {@link ConnectionTracker} per
 * invocation into a counting sink. Pcap reading is outside the measurement.
 *
 * <p>{@code feed=packed} (default) hands the events over as the live source does: payloads back to back
 * in one array, one reused {@code DataEvent} flyweight pointed at each slice ({@link PackedEvents}).
 * {@code -p feed=copies} replays separate event copies, each with its own payload array ({@link
 * RecordedEvents}), as the benchmark did before: the two give the same records.
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

    @Param("packed")
    public String feed;

    private RecordedEvents events;
    private PackedEvents packed;

    @Setup
    public void load() throws IOException {
        events = RecordedEvents.read(Path.of(pcap), Views.SERVER_ONLY);
        long records = events.replayThroughNewTracker();
        if (records == 0) {
            throw new IllegalStateException("no exchanges in " + pcap);
        }
        if ("packed".equals(feed)) {
            packed = events.packed();
            if (packed.replayThroughNewTracker() != records) {
                throw new IllegalStateException("the packed feed gives other records than the copies");
            }
        } else if (!"copies".equals(feed)) {
            throw new IllegalArgumentException("feed: packed or copies, not " + feed);
        }
    }

    @Benchmark
    public long replayGrpcUnary(ReplayCounters counters) {
        long records = packed != null ? packed.replayThroughNewTracker() : events.replayThroughNewTracker();
        counters.bytes += events.payloadBytes();
        counters.records += records;
        return records;
    }
}
