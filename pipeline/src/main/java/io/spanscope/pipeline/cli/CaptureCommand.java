package io.spanscope.pipeline.cli;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.FanOutSink;
import io.spanscope.capture.file.EventFileWriter;
import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.GoTlsCaptureStats;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.capture.live.LiveCaptureStats;
import io.spanscope.capture.proc.ProcessMetadataCache;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.pipeline.console.CaptureConsole;
import io.spanscope.pipeline.console.ExchangeConsole;
import io.spanscope.pipeline.console.ProcessNames;
import io.spanscope.pipeline.console.ReadableProcessName;
import io.spanscope.pipeline.console.StatsJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code spanscope capture}: watch every TCP conversation on the host, live. */
@Command(name = "capture",
        description = "Show live TCP connections, their payloads and the request/response exchanges in them, captured with eBPF (needs root).",
        sortOptions = false)
public final class CaptureCommand implements Callable<Integer> {

    @Mixin
    CaptureOptions captureOptions = new CaptureOptions();

    @Mixin
    ParserOptions parserOptions = new ParserOptions();

    @Option(names = "--format", paramLabel = "text|json", description = "Output: readable lines (default) or one JSON object per line.")
    CaptureConsole.Format format = CaptureConsole.Format.TEXT;

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    /** What the live view prints. */
    enum Show { connections, data, exchanges }

    @Option(names = "--show", split = ",", paramLabel = "WHAT",
            description = "What to print: connections, data, exchanges (default: all three).")
    List<Show> show = new ArrayList<>(List.of(Show.connections, Show.data, Show.exchanges));

    @Option(names = "--preview-bytes", paramLabel = "N", description = "Payload bytes shown per data event (default 64).")
    int previewBytes = 64;

    @Option(names = "--quiet", description = "Print nothing per event; only the statistics when capture stops.")
    boolean quiet;

    @Option(names = "--write", paramLabel = "FILE", description = "Also record every event to FILE, for `spanscope replay FILE`.")
    Path writeTo;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long (e.g. 30s); default: until interrupted.")
    Duration duration;

    @Option(names = "--stats-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Also print the loss and event counters this often (e.g. 10s).")
    Duration statsInterval;

    @Override
    public Integer call() throws Exception {
        validate();
        LiveCapture capture = captureOptions.captureBuilder().build();
        PrintStream out = System.out;
        List<AutoCloseable> toClose = new ArrayList<>();
        try {
            capture.start(worker -> sinkFor(capture, out, toClose));
        } catch (CaptureStartException e) {
            System.err.println("spanscope: cannot capture: " + SpanscopeCommand.oneLine(e));
            capture.close();
            return SpanscopeCommand.EXIT_FAILURE;
        }
        StopSignal signal = StopSignal.install(() -> finish(capture, toClose));
        System.err.println("spanscope: capturing (" + captureOptions.describeFilters() + "); Ctrl-C stops");
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        long interval = statsInterval == null ? Long.MAX_VALUE : statsInterval.toNanos();
        while (true) {
            long wait = Math.min(deadline - System.nanoTime(), interval);
            if (wait <= 0 || signal.await(Math.min(wait, TimeUnit.HOURS.toNanos(1)))) {
                break;
            }
            if (System.nanoTime() < deadline && statsInterval != null) {
                printStats(capture.stats());
            }
        }
        signal.stop();
        return 0;
    }

    private void validate() {
        captureOptions.validate();
        if (previewBytes < 0) {
            throw new SpanscopeCommand.UsageException("--preview-bytes must not be negative");
        }
        if (duration != null && duration.isZero()) {
            throw new SpanscopeCommand.UsageException("--duration must be positive");
        }
    }

    private CaptureConsole console;
    private ExchangeConsole exchanges;
    private EventFileWriter writer;
    private final List<ConnectionTracker> trackers = new ArrayList<>();

    /**
     * One sink per worker: its own parser (trackers are single-threaded), and the shared, thread-safe
     * console, exchange table and file writer.
     */
    private synchronized CaptureEventSink sinkFor(LiveCapture capture, PrintStream out, List<AutoCloseable> toClose) {
        List<CaptureEventSink> sinks = new ArrayList<>();
        CaptureConsole.Format outputFormat = json ? CaptureConsole.Format.JSON : format;
        ProcessNames names = processNames(capture.processes());
        boolean showData = show.contains(Show.data) && previewBytes > 0;
        if (!quiet && (show.contains(Show.connections) || showData)) {
            if (console == null) {
                console = new CaptureConsole(out, outputFormat, show.contains(Show.connections),
                        showData ? previewBytes : 0, capture.clock(), names);
            }
            sinks.add(console);
        }
        if (!quiet && show.contains(Show.exchanges)) {
            if (exchanges == null) {
                exchanges = new ExchangeConsole(out, outputFormat, capture.clock(), names);
            }
            ConnectionTracker tracker = new ConnectionTracker(parserOptions.parserConfig(), exchanges);
            trackers.add(tracker);
            sinks.add(tracker);
        }
        if (writeTo != null) {
            if (writer == null) {
                try {
                    writer = EventFileWriter.create(writeTo, capture.clock());
                } catch (IOException e) {
                    throw new IllegalStateException("cannot write " + writeTo + ": " + e.getMessage(), e);
                }
                toClose.add(writer);
            }
            sinks.add(writer);
        }
        return new FanOutSink(sinks);
    }

    static ProcessNames processNames(ProcessMetadataCache cache) {
        return tgid -> cache.get(tgid).map(m -> ReadableProcessName.of(m.executable(), m.commandLine())).orElse(null);
    }

    private boolean finished;

    private synchronized void finish(LiveCapture capture, List<AutoCloseable> toClose) {
        if (finished) {
            return;
        }
        finished = true;
        capture.close();
        // the workers have stopped: their trackers can be ended from here
        for (ConnectionTracker tracker : trackers) {
            tracker.endAll();
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("spanscope: " + SpanscopeCommand.oneLine(e));
            }
        }
        System.out.flush();
        printStats(capture.stats());
        for (int i = 0; i < trackers.size(); i++) {
            var parsed = trackers.get(i).stats();
            System.err.println("spanscope: worker " + i + " parsed " + parsed.records() + " exchanges, sequence gaps "
                    + parsed.gaps() + " (" + parsed.gapBytes() + " bytes), resyncs " + parsed.resyncs()
                    + ", parse errors " + parsed.parseErrors() + "; " + StatsJson.of(parsed.snapshot()));
        }
    }

    private static void printStats(LiveCaptureStats stats) {
        System.err.println("spanscope: lost events " + stats.eventsLost() + " (ring buffer " + stats.ringBufferDrops()
                + ", worker queues " + stats.workerQueueDropsTotal() + ", malformed " + stats.malformedRecords()
                + "), truncated bytes " + stats.truncatedBytes());
        if (!stats.tls().attachedFiles().isEmpty() || stats.tls().attachFailures() > 0) {
            System.err.println("spanscope: TLS plaintext from " + String.join(", ", stats.tls().attachedFiles())
                    + "; " + stats.tls().plaintextEvents() + " plaintext events, "
                    + stats.tls().ciphertextBytesNotForwarded() + " ciphertext bytes not forwarded, "
                    + stats.tls().attachFailures() + " files not attachable");
        }
        GoTlsCaptureStats go = stats.tls().go();
        if (go.attachedBinaries() > 0 || go.binariesNotProbed() > 0) {
            System.err.println("spanscope: Go crypto/tls probed in " + go.attachedBinaries() + " binaries ("
                    + go.returnProbes() + " RETs); not probed: " + go.strippedBinaries() + " stripped, "
                    + go.unsupportedBinaries() + " not amd64 or Go < 1.17, " + go.undecodableBinaries() + " undecodable; "
                    + go.unassociatedCalls() + " calls without a connection, " + go.inFlightTableDrops()
                    + " calls not traced (table full), " + go.unnumberedReads() + " Reads not numbered (not linked); "
                    + (go.attachedBinaries() - go.layoutsFromDwarf()) + " binaries without DWARF (Reads numbered by record length)");
        }
        System.err.println("spanscope: capture stats " + StatsJson.of(stats));
    }
}
