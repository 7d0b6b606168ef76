package io.spanscope.parsers.bench;

import io.spanscope.capture.pcap.Views;
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

import java.io.IOException;
import java.nio.file.Path;

/**
 * MySQL parse + match throughput of one tracker (one core) over a real mysqlslap capture: the capture's
 * data events (server view) are read once, then replayed each invocation through a fresh tracker (stream
 * assembly, detection, packet framing, command and response parsing, record building) into a sink that
 * only counts. {@code :bytes} is payload bytes/s, {@code :records} records/s.
 *
 * <p>Make the capture with {@code scripts/pcaps/mysql.sh --bench 20000} (root), then run with
 * {@code -p pcap=protocol-parsers/target/bench-pcaps/mysqlslap-big.pcap} (see protocol-parsers/README.md).
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class MySqlParseBenchmark {

    @State(Scope.Benchmark)
    public static class Capture {
        @Param("protocol-parsers/target/bench-pcaps/mysqlslap-big.pcap")
        public String pcap;
        RecordedEvents events;

        @Setup(Level.Trial)
        public void read() throws IOException {
            events = RecordedEvents.read(Path.of(pcap), Views.SERVER_ONLY);
        }
    }

    @Benchmark
    public void mysqlslapServerView(Capture capture, ReplayCounters out) {
        out.records += capture.events.replayThroughNewTracker();
        out.bytes += capture.events.payloadBytes();
    }
}
