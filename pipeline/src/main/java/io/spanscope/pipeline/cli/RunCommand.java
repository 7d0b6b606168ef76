package io.spanscope.pipeline.cli;

import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.run.LocalRun;
import io.spanscope.spans.export.ExportStats;
import io.spanscope.spans.export.OtlpExportConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code spanscope run}: trace the host; spans to Jaeger (OTLP), the terminal and a file; metrics over HTTP. */
@Command(name = "run",
        description = "Trace every process on this host with eBPF and export the spans over OTLP (needs root).",
        sortOptions = false)
public final class RunCommand implements java.util.concurrent.Callable<Integer> {

    @Mixin
    CaptureOptions captureOptions = new CaptureOptions();

    @Mixin
    OtlpOptions otlpOptions = new OtlpOptions();

    @Mixin
    ParserOptions parserOptions = new ParserOptions();

    @Option(names = "--export-queue", paramLabel = "SPANS", description = "Spans held while the OTLP receiver is slow or down (default 100000); beyond it new spans are dropped and counted.")
    int exportQueue = 100_000;

    @Option(names = "--spans-out", paramLabel = "FILE", description = "Also write every span to FILE as JSON lines.")
    Path spansOut;

    @Option(names = "--http-address", paramLabel = "ADDRESS", description = "Address of /metrics, /healthz, /readyz, /status (default 127.0.0.1).")
    String httpAddress = "127.0.0.1";

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of the agent's HTTP endpoints (default 9464; 0 picks one; -1 disables).")
    int httpPort = 9464;

    @Option(names = "--summary-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often the per-service summary is printed (default 5s).")
    Duration summaryInterval = Duration.ofSeconds(5);

    @Option(names = "--quiet", description = "No terminal summary.")
    boolean quiet;

    @Option(names = "--parent-wait", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a span whose caller is traced waits for the caller's span before it starts its own trace (default 2s).")
    Duration parentWait = Duration.ofSeconds(2);

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long; default: until interrupted.")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        captureOptions.validate();
        validate();
        OtlpOptions.Resolved otlp = otlpOptions.resolve(System.getenv());
        OtlpExportConfig exportConfig = otlp.config();
        if (exportConfig != null) {
            String unreachable = OtlpOptions.unreachableReason(exportConfig);
            if (unreachable != null && !otlp.explicit()) {
                System.err.println("spanscope: no OTLP endpoint given and nothing listens on " + exportConfig.endpoint()
                        + ": spans go to the summary" + (spansOut == null ? "" : " and " + spansOut)
                        + " only (start Jaeger with scripts/jaeger.sh start, or pass --otlp-endpoint)");
                exportConfig = null;
            } else if (unreachable != null) {
                System.err.println("spanscope: OTLP endpoint " + exportConfig.tracesUrl() + " is not reachable (" + unreachable
                        + "); spans wait in the export queue (up to " + exportQueue + ") until it is");
            }
        }
        LiveCapture.Builder capture = captureOptions.captureBuilder();
        List<Integer> ownPorts = new ArrayList<>();
        if (exportConfig != null) {
            ownPorts.add(OtlpOptions.port(exportConfig));
        }
        if (httpPort > 0) {
            ownPorts.add(httpPort);
        }
        capture.excludePorts(ownPorts);
        LocalRun.Builder run = LocalRun.builder(capture)
                .otlp(exportConfig, exportQueue)
                .parserConfig(parserOptions.parserConfig())
                .spansOut(spansOut)
                .http(httpAddress, httpPort)
                .parentWait(parentWait);
        if (!quiet) {
            run.summary(System.out, summaryInterval);
        }
        LocalRun running;
        try {
            running = run.start();
        } catch (CaptureStartException e) {
            System.err.println("spanscope: cannot capture: " + SpanscopeCommand.oneLine(e));
            return SpanscopeCommand.EXIT_FAILURE;
        }
        StopSignal signal = StopSignal.install(() -> finish(running));
        System.err.println("spanscope: tracing (" + captureOptions.describeFilters() + ")"
                + (exportConfig == null ? "" : ", exporting to " + exportConfig.tracesUrl())
                + (running.httpPort() < 0 ? "" : ", metrics on http://" + httpAddress + ":" + running.httpPort() + "/metrics")
                + "; Ctrl-C stops");
        signal.runFor(duration);
        return 0;
    }

    private void validate() {
        if (exportQueue < 1) {
            throw new SpanscopeCommand.UsageException("--export-queue must be at least 1");
        }
        if (httpPort < -1 || httpPort > 65535) {
            throw new SpanscopeCommand.UsageException("--http-port must be -1 (off), 0 (any) or a port");
        }
        if (summaryInterval.isZero() || parentWait.isNegative()) {
            throw new SpanscopeCommand.UsageException("--summary-interval must be positive and --parent-wait not negative");
        }
        if (duration != null && duration.isZero()) {
            throw new SpanscopeCommand.UsageException("--duration must be positive");
        }
    }

    private static void finish(LocalRun running) {
        running.close();
        ExportStats export = running.exportStats();
        if (export != null) {
            System.err.println("spanscope: exported " + export.exported() + " spans; dropped " + export.droppedQueueFull()
                    + " (queue full) and " + export.droppedAtShutdown() + " (unsent at shutdown); failed export attempts "
                    + export.failedAttempts());
        }
        System.err.println("spanscope: status " + running.statusJson());
    }
}
