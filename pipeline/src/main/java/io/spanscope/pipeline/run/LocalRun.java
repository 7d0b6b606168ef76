package io.spanscope.pipeline.run;

import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.pipeline.console.ServiceSummary;
import io.spanscope.pipeline.console.StatsJson;
import io.spanscope.pipeline.http.AgentHttpServer;
import io.spanscope.pipeline.http.StatsMetrics;
import io.spanscope.pipeline.output.SpanJsonLinesWriter;
import io.spanscope.spans.SpanPipeline;
import io.spanscope.spans.export.ExportStats;
import io.spanscope.spans.export.OtlpExportConfig;
import io.spanscope.spans.export.OtlpExporters;
import io.spanscope.spans.export.SpanExportQueue;
import io.spanscope.spans.link.LinkerConfig;
import io.spanscope.spans.metrics.MetricsListener;
import io.spanscope.spans.metrics.PrometheusWriter;
import io.spanscope.spans.metrics.ServiceGraphMetrics;
import io.spanscope.spans.metrics.SpanMetrics;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Everything of `spanscope run` in one process: live capture → per-worker parsers → the span pipeline
 * (linking, trace resolution) → OTLP export, metrics, the span file and the terminal summary, with the
 * agent's HTTP endpoints. The in-memory transport is the span pipeline's intake queue.
 */
public final class LocalRun implements AutoCloseable {

    private final LiveCapture capture;
    private final SpanPipeline pipeline;
    private final SpanExportQueue export;
    private final SpanJsonLinesWriter spansOut;
    private final SpanMetrics red;
    private final ServiceGraphMetrics graph;
    private final AgentHttpServer http;
    private final ServiceSummary summary;
    private final ScheduledExecutorService timer;
    private final CaptureIntoPipeline workers = new CaptureIntoPipeline();
    private final Duration exportShutdownTimeout;
    private volatile boolean running;
    private boolean closed;

    private LocalRun(Builder b) throws CaptureStartException, IOException {
        this.red = new SpanMetrics(b.maxMetricSeries);
        this.graph = new ServiceGraphMetrics(b.maxMetricSeries);
        this.export = b.otlp == null ? null : new SpanExportQueue(OtlpExporters.create(b.otlp), b.exportQueueSpans, 512,
                Duration.ofMillis(100), b.otlp.timeout(), Duration.ofSeconds(5));
        this.exportShutdownTimeout = b.exportShutdownTimeout;
        this.spansOut = b.spansOut == null ? null : new SpanJsonLinesWriter(b.spansOut);
        this.capture = b.capture.build();
        SpanPipeline.Builder pipelineBuilder = SpanPipeline.builder()
                .clock(capture.clock())
                .processes(capture.processes()::get)
                .hostName(hostName())
                .peerIsTraced(LocalAddresses.ofHost())
                .linkerConfig(b.linker)
                .parentWait(b.parentWait)
                .connectionEvidence(true)
                .addListener(new MetricsListener(red, graph));
        if (export != null) {
            pipelineBuilder.addListener(export);
        }
        if (spansOut != null) {
            pipelineBuilder.addListener(spansOut);
        }
        this.pipeline = pipelineBuilder.build().start();
        this.summary = b.summaryOut == null ? null : new ServiceSummary(red, b.summaryOut);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spanscope-run-timer");
            t.setDaemon(true);
            return t;
        });
        AgentHttpServer server = null;
        try {
            if (b.httpPort >= 0) {
                server = AgentHttpServer.start(b.httpHost, b.httpPort, List.of(red, graph, this::writeHealthMetrics),
                        () -> running, this::statusJson);
            }
            workers.start(capture, b.parserConfig, pipeline);
        } catch (CaptureStartException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            shutdownQuietly();
            throw e;
        }
        this.http = server;
        running = true;
        if (summary != null) {
            long every = b.summaryInterval.toMillis();
            timer.scheduleAtFixedRate(summary::print, every, every, TimeUnit.MILLISECONDS);
        }
        if (spansOut != null) {
            timer.scheduleAtFixedRate(spansOut::flush, 500, 500, TimeUnit.MILLISECONDS);
        }
    }

    public static Builder builder(LiveCapture.Builder capture) {
        return new Builder(capture);
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public SpanMetrics redMetrics() {
        return red;
    }

    public ServiceGraphMetrics serviceGraph() {
        return graph;
    }

    /** The agent's counters as one JSON object (also {@code /status}). */
    public String statusJson() {
        return "{" + workers.statusJsonMembers()
                + (export == null ? "" : ",\"export\":" + StatsJson.of(export.stats())) + "}";
    }

    public ExportStats exportStats() {
        return export == null ? null : export.stats();
    }

    /** Waits until the capture has handed everything read so far to the parsers. */
    public boolean awaitCaptureDrained(Duration timeout) throws InterruptedException {
        return capture.awaitDrained(timeout);
    }


    private void writeHealthMetrics(PrometheusWriter w) {
        workers.writeMetrics(w);
        if (export != null) {
            StatsMetrics.write(w, "spanscope_export", export.stats());
        }
    }

    /**
     * Stops capture, ends every connection (pending exchanges are emitted, flagged), publishes what the
     * linker and resolver hold, and exports what is queued within the shutdown timeout.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        capture.close();
        workers.endAll();
        shutdownQuietly();
        if (http != null) {
            http.close();
        }
    }

    private void shutdownQuietly() {
        timer.shutdownNow();
        if (pipeline != null) {
            pipeline.close();
        }
        if (summary != null) {
            summary.print();
        }
        if (export != null) {
            export.shutdown(exportShutdownTimeout);
        }
        if (spansOut != null) {
            try {
                spansOut.close();
            } catch (IOException e) {
                System.err.println("spanscope: cannot finish the span file: " + e.getMessage());
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Configures a {@link LocalRun}. */
    public static final class Builder {
        private final LiveCapture.Builder capture;
        private ParserConfig parserConfig = ParserConfig.defaults();
        private OtlpExportConfig otlp;
        private int exportQueueSpans = 100_000;
        private Duration exportShutdownTimeout = Duration.ofSeconds(10);
        private Path spansOut;
        private String httpHost = "127.0.0.1";
        private int httpPort = -1;
        private PrintStream summaryOut;
        private Duration summaryInterval = Duration.ofSeconds(5);
        private LinkerConfig linker = LinkerConfig.defaults();
        private Duration parentWait = Duration.ofSeconds(2);
        private int maxMetricSeries = 10_000;

        private Builder(LiveCapture.Builder capture) {
            this.capture = Objects.requireNonNull(capture);
        }

        public Builder parserConfig(ParserConfig config) {
            this.parserConfig = config;
            return this;
        }

        /** Export over OTLP; null (the default) exports nothing. */
        public Builder otlp(OtlpExportConfig config, int queueSpans) {
            this.otlp = config;
            this.exportQueueSpans = queueSpans;
            return this;
        }

        public Builder exportShutdownTimeout(Duration timeout) {
            this.exportShutdownTimeout = timeout;
            return this;
        }

        public Builder spansOut(Path file) {
            this.spansOut = file;
            return this;
        }

        /** Serve /metrics, /healthz, /readyz, /status; port 0 picks a free one; -1 (default) serves nothing. */
        public Builder http(String host, int port) {
            this.httpHost = host;
            this.httpPort = port;
            return this;
        }

        public Builder summary(PrintStream out, Duration interval) {
            this.summaryOut = out;
            this.summaryInterval = interval;
            return this;
        }

        public Builder linker(LinkerConfig linker) {
            this.linker = linker;
            return this;
        }

        public Builder parentWait(Duration parentWait) {
            this.parentWait = parentWait;
            return this;
        }

        public LocalRun start() throws CaptureStartException, IOException {
            return new LocalRun(this);
        }
    }
}
