package io.spanscope.pipeline.fidelity;

import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.fidelity.app.FidelityService;
import io.spanscope.pipeline.fidelity.app.LoadGenerator;
import io.spanscope.pipeline.live.TestPorts;
import io.spanscope.pipeline.run.LocalRun;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs the fidelity app twice with the same request ids: once under the OpenTelemetry Java agent (the
 * ground truth, its spans logged as OTLP/JSON) and once untouched, traced by spanscope ({@link LocalRun}
 * filtered to the app's ports, spans to a JSON-lines file); then {@link FidelityMatcher} compares the two.
 */
public final class FidelityHarness {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final Path workDir;
    private final FidelityTopology topology;
    private final int requests;
    private final int concurrency;
    private final Path agentJar;
    private final Path appClasspath;

    private FidelityHarness(Builder b) {
        this.workDir = Objects.requireNonNull(b.workDir, "workDir");
        this.topology = b.topology;
        this.requests = b.requests;
        this.concurrency = b.concurrency;
        this.appClasspath = b.appClasspath != null ? b.appClasspath : testClassesDirectory();
        this.agentJar = b.agentJar != null ? b.agentJar
                : appClasspath.getParent().resolve("otel-agent").resolve("opentelemetry-javaagent.jar");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Both runs, then the comparison. */
    public FidelityRun run() throws Exception {
        if (!Files.isRegularFile(agentJar)) {
            throw new IOException("no OpenTelemetry agent at " + agentJar + " (mvn process-test-resources copies it)");
        }
        long start = System.nanoTime();
        List<ObservedSpan> truth = runUnderAgent(Files.createDirectories(workDir.resolve("agent")));
        long agentDone = System.nanoTime();
        List<ObservedSpan> observed = runUnderSpanscope(Files.createDirectories(workDir.resolve("spanscope")));
        long spanscopeDone = System.nanoTime();
        return new FidelityRun(FidelityMatcher.match(truth, observed), truth, observed,
                Duration.ofNanos(agentDone - start), Duration.ofNanos(spanscopeDone - agentDone));
    }

    private List<ObservedSpan> runUnderAgent(Path dir) throws Exception {
        List<String> agent = List.of(
                "-javaagent:" + agentJar,
                "-Dotel.traces.exporter=logging-otlp",
                "-Dotel.metrics.exporter=none",
                "-Dotel.logs.exporter=none",
                "-Dotel.bsp.schedule.delay=100",
                // only what the app uses (HTTP server and clients, context through executors): faster start
                "-Dotel.instrumentation.common.default-enabled=false",
                "-Dotel.instrumentation.java-http-server.enabled=true",
                "-Dotel.instrumentation.java-http-client.enabled=true",
                "-Dotel.instrumentation.http-url-connection.enabled=true",
                "-Dotel.instrumentation.executors.enabled=true");
        List<AppProcess> processes = new ArrayList<>();
        try {
            runApp(dir, agent, processes);
        } finally {
            stopAll(processes);
        }
        List<ObservedSpan> spans = new ArrayList<>();
        for (AppProcess p : processes) {
            spans.addAll(SpanFiles.readAgentLog(p.log()));
        }
        return spans;
    }

    private List<ObservedSpan> runUnderSpanscope(Path dir) throws Exception {
        List<Integer> ports = freePorts();
        Path spansFile = dir.resolve("spans.jsonl");
        List<AppProcess> processes = new ArrayList<>();
        try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(ports)).spansOut(spansFile).start()) {
            try {
                runApp(dir, List.of(), ports, processes);
                if (!run.awaitCaptureDrained(Duration.ofSeconds(10))) {
                    throw new IOException("capture did not drain");
                }
            } finally {
                stopAll(processes);
            }
        }
        return SpanFiles.readSpanscopeJsonLines(spansFile);
    }

    private void runApp(Path dir, List<String> javaOptions, List<AppProcess> started) throws Exception {
        runApp(dir, javaOptions, freePorts(), started);
    }

    /**
     * Starts every service (all at once), waits until each listens, then runs the load generator until it has
     * had every answer. All of them keep running until the caller stops them.
     */
    private void runApp(Path dir, List<String> javaOptions, List<Integer> ports, List<AppProcess> started)
            throws Exception {
        List<FidelityTopology.Service> services = topology.services();
        for (int i = 0; i < services.size(); i++) {
            FidelityTopology.Service s = services.get(i);
            List<String> args = new ArrayList<>(List.of("--name", s.name(), "--style", s.style().name(),
                    "--port", "" + ports.get(i)));
            if (i + 1 < services.size()) {
                args.addAll(List.of("--downstream", services.get(i + 1).name() + "=127.0.0.1:" + ports.get(i + 1)));
            }
            started.add(AppProcess.start(dir, s.name(), javaOptions, appClasspath, FidelityService.class, args));
        }
        for (int i = 0; i < services.size(); i++) {
            started.get(i).awaitListening(ports.get(i), START_TIMEOUT);
        }
        AppProcess loadgen = AppProcess.start(dir, FidelityTopology.LOAD_GENERATOR, javaOptions, appClasspath,
                LoadGenerator.class, List.of("--target", "127.0.0.1:" + ports.get(0), "--first",
                        services.get(0).name(), "--count", "" + requests, "--concurrency", "" + concurrency,
                        // alive until stopped: spanscope names a process's spans from /proc while it runs
                        "--linger", "true"));
        started.add(loadgen);
        String result = loadgen.awaitOutput("ok=", Duration.ofSeconds(60 + requests / 10));
        if (!result.endsWith(" failed=0")) {
            throw new IOException("the load generator saw failed requests: " + result);
        }
    }

    private List<Integer> freePorts() throws IOException {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < topology.services().size()) {
            int port = TestPorts.free();
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static void stopAll(List<AppProcess> processes) throws InterruptedException {
        for (AppProcess p : processes) {
            p.stop(STOP_TIMEOUT);
        }
    }

    private static Path testClassesDirectory() {
        try {
            return Path.of(FidelityService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public FidelityTopology topology() {
        return topology;
    }

    public static final class Builder {
        private Path workDir;
        private FidelityTopology topology = FidelityTopology.standard();
        private int requests = 30;
        private int concurrency = 4;
        private Path agentJar;
        private Path appClasspath;

        private Builder() {
        }

        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        public Builder topology(FidelityTopology topology) {
            this.topology = Objects.requireNonNull(topology);
            return this;
        }

        /** Requests the load generator sends (ids r1..rN, the same in both runs). */
        public Builder requests(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("requests must be positive");
            }
            this.requests = requests;
            return this;
        }

        /** Load generator threads, i.e. requests in flight at once. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be positive");
            }
            this.concurrency = concurrency;
            return this;
        }

        /** Default: target/otel-agent/opentelemetry-javaagent.jar next to the test classes. */
        public Builder agentJar(Path agentJar) {
            this.agentJar = agentJar;
            return this;
        }

        /** Default: the directory the app's classes were loaded from (target/test-classes). */
        public Builder appClasspath(Path appClasspath) {
            this.appClasspath = appClasspath;
            return this;
        }

        public FidelityHarness build() {
            return new FidelityHarness(this);
        }
    }
}
