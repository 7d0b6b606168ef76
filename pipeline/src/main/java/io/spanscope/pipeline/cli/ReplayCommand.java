package io.spanscope.pipeline.cli;

import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.file.CaptureFileFormat;
import io.spanscope.capture.file.EventFileReader;
import io.spanscope.capture.file.EventFileStats;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.PcapStats;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.pipeline.console.CaptureConsole;
import io.spanscope.pipeline.console.ExchangeConsole;
import io.spanscope.pipeline.console.ProcessNames;
import io.spanscope.pipeline.console.StatsJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code spanscope replay FILE}: the parsers over a pcap / pcapng capture or a file written by {@code capture --write}. */
@Command(name = "replay",
        description = "Rebuild the request/response exchanges of a pcap, pcapng or `capture --write` file.",
        sortOptions = false)
public final class ReplayCommand implements Callable<Integer> {

    /** Which end of each connection a packet capture is replayed as. */
    enum View { client, server, both }

    @Parameters(index = "0", paramLabel = "FILE", description = "A .pcap, .pcapng or spanscope event file.")
    Path file;

    @Option(names = "--format", paramLabel = "text|json", description = "A readable table (default) or one JSON object per exchange.")
    CaptureConsole.Format format = CaptureConsole.Format.TEXT;

    @Option(names = "--view", paramLabel = "client|server|both",
            description = "For packet captures: replay each connection as its client saw it (default), its server, or both.")
    View view = View.client;

    @Option(names = "--quiet", description = "Print no exchanges, only the statistics.")
    boolean quiet;

    @Mixin
    ParserOptions parserOptions = new ParserOptions();

    @Override
    public Integer call() throws IOException {
        if (!Files.isReadable(file)) {
            throw new SpanscopeCommand.UsageException("cannot read " + file);
        }
        CaptureFileFormat kind = CaptureFileFormat.detect(file);
        ConnectionTracker tracker;
        Record readerStats;
        switch (kind) {
            case PCAP, PCAPNG -> {
                try (PcapReader reader = PcapReader.builder().views(views()).open(file)) {
                    tracker = tracker(reader.clock());
                    PcapStats stats = reader.read(tracker);
                    readerStats = stats;
                }
            }
            case SPANSCOPE_EVENTS -> {
                try (EventFileReader reader = EventFileReader.open(file)) {
                    tracker = tracker(reader.clock());
                    EventFileStats stats = reader.read(tracker);
                    readerStats = stats;
                }
            }
            default -> throw new SpanscopeCommand.UsageException(file + " is not a pcap, pcapng or spanscope event file");
        }
        tracker.endAll();
        System.out.flush();
        System.err.println("spanscope: read " + StatsJson.of(readerStats));
        System.err.println("spanscope: parsed " + StatsJson.of(tracker.stats().snapshot()));
        return 0;
    }

    private Views views() {
        return switch (view) {
            case client -> Views.CLIENT_ONLY;
            case server -> Views.SERVER_ONLY;
            case both -> Views.BOTH;
        };
    }

    private ConnectionTracker tracker(CaptureClock clock) {
        ExchangeConsole console = new ExchangeConsole(System.out, format, clock, ProcessNames.NONE);
        return new ConnectionTracker(parserOptions.parserConfig(), quiet ? r -> { } : console);
    }
}
