package io.spanscope.capture.pcap.bench;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.PcapStats;
import io.spanscope.capture.pcap.Views;
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
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whole-file read of a capture into a sink that only consumes the events: packet decoding, TCP
 * reassembly and event emission, file I/O from the page cache included.
 *
 * <p>Make the capture with {@code scripts/make-test-pcaps.sh --bench 20000}, then run from capture-probe/:
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.spanscope.capture.pcap.bench.PcapReaderBenchmark [FILE]
 * </pre>
 * One iteration reads the file once; events/s and MB/s follow from the time per read and the
 * counts the run prints.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 20)
@Measurement(iterations = 50)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class PcapReaderBenchmark {

    static final String DEFAULT_FILE = "target/bench-pcaps/nginx-wrk-big.pcap";

    @Param(DEFAULT_FILE)
    public String file;

    @Param({"BOTH", "CLIENT_ONLY"})
    public Views views;

    private Path path;

    @Setup
    public void locate() {
        path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new IllegalStateException(path.toAbsolutePath() + " is missing: run scripts/make-test-pcaps.sh --bench");
        }
    }

    @Benchmark
    public PcapStats readWholeFile(Blackhole blackhole) throws Exception {
        try (PcapReader reader = PcapReader.builder().views(views).open(path)) {
            return reader.read(new ConsumingSink(blackhole));
        }
    }

    /** Touches what a real consumer would touch first: the payload bytes and the range. */
    private record ConsumingSink(Blackhole blackhole) implements CaptureEventSink {
        @Override
        public void onOpen(ConnectionOpenEvent event) {
            blackhole.consume(event);
        }

        @Override
        public void onData(DataEvent event) {
            blackhole.consume(event.payload()[event.payloadOffset()]);
            blackhole.consume(event.tcpSequence() + event.byteCount());
        }

        @Override
        public void onClose(ConnectionCloseEvent event) {
            blackhole.consume(event);
        }
    }

    public static void main(String[] args) throws Exception {
        String file = args.length > 0 ? args[0] : DEFAULT_FILE;
        try (PcapReader reader = PcapReader.open(Path.of(file))) {
            System.out.println(file + " (" + Files.size(Path.of(file)) + " bytes): " + reader.read(new CaptureEventSink() {
                @Override
                public void onOpen(ConnectionOpenEvent event) {
                }

                @Override
                public void onData(DataEvent event) {
                }

                @Override
                public void onClose(ConnectionCloseEvent event) {
                }
            }));
        }
        new Runner(new OptionsBuilder().include(PcapReaderBenchmark.class.getSimpleName()).param("file", file).build()).run();
    }
}
