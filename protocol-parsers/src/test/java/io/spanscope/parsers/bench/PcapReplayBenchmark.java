package io.spanscope.parsers.bench;

import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The whole replay path over a real capture file, for the side-by-side comparison with tshark decoding
 * the same file: pcap reading, TCP reassembly, HTTP/1 parsing and matching, as `spanscope replay` does
 * (client view), with a sink that only counts.
 *
 * <p>Run with {@code -p pcap=/path/to/nginx-wrk-big.pcap} (made by
 * {@code scripts/make-test-pcaps.sh --bench 20000}); BENCHMARKS.md has the tshark command beside it.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 30)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class PcapReplayBenchmark {

    @Param("capture-probe/target/bench-pcaps/nginx-wrk-big.pcap")
    public String pcap;

    @Benchmark
    public long replayHttp1() throws IOException {
        long[] records = {0};
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), r -> records[0]++);
        try (PcapReader reader = PcapReader.builder().views(Views.CLIENT_ONLY).open(Path.of(pcap))) {
            reader.read(tracker);
        }
        tracker.endAll();
        if (records[0] == 0) {
            throw new IllegalStateException("no exchanges in " + pcap);
        }
        return records[0];
    }
}
