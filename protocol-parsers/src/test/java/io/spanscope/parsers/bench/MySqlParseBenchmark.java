package io.spanscope.parsers.bench;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import org.openjdk.jmh.annotations.AuxCounters;
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
import java.util.ArrayList;
import java.util.List;

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

    @State(Scope.Thread)
    public static class Capture {
        @Param("protocol-parsers/target/bench-pcaps/mysqlslap-big.pcap")
        public String pcap;
        final List<Object> events = new ArrayList<>();
        long payloadBytes;

        @Setup(Level.Trial)
        public void read() throws IOException {
            try (PcapReader reader = PcapReader.builder().views(Views.SERVER_ONLY).open(Path.of(pcap))) {
                reader.read(new CaptureEventSink() {
                    @Override
                    public void onOpen(ConnectionOpenEvent event) {
                        events.add(event);
                    }

                    @Override
                    public void onData(DataEvent event) {
                        events.add(event.copy());
                        payloadBytes += event.payloadLength();
                    }

                    @Override
                    public void onClose(ConnectionCloseEvent event) {
                        events.add(event);
                    }
                });
            }
        }
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Throughput {
        public long bytes;
        public long records;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            records = 0;
        }
    }

    @Benchmark
    public void mysqlslapServerView(Capture capture, Throughput out) {
        long[] records = {0};
        ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), r -> records[0]++);
        List<Object> events = capture.events;
        for (Object e : events) {
            if (e instanceof DataEvent d) {
                tracker.onData(d);
            } else if (e instanceof ConnectionOpenEvent o) {
                tracker.onOpen(o);
            } else if (e instanceof ConnectionCloseEvent c) {
                tracker.onClose(c);
            }
        }
        tracker.endAll();
        out.bytes += capture.payloadBytes;
        out.records += records[0];
    }
}
