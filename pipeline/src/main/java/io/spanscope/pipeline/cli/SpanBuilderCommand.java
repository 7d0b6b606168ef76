package io.spanscope.pipeline.cli;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanscope.pipeline.builder.SpanBuilderConfig;
import io.spanscope.pipeline.builder.SpanBuilderService;
import io.spanscope.pipeline.config.ConfigException;
import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import io.spanscope.pipeline.http.AgentHttpServer;
import io.spanscope.spans.export.OtlpExportConfig;
import io.spanscope.spans.export.OtlpExporters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spanscope span-builder}: resolves the fragments agents publish to Kafka into traces (Kafka
 * Streams) and exports them over OTLP. Settings come from the one configuration model: {@code --set
 * key=value} and the named flags, then SPANSCOPE_* variables, then {@code --config FILE}.
 */
@Command(name = "span-builder", mixinStandardHelpOptions = true,
        description = "Resolve agents' fragments from Kafka into traces and export them over OTLP.")
public final class SpanBuilderCommand implements Callable<Integer> {

    @Mixin
    OtlpOptions otlpOptions = new OtlpOptions();

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or properties file with settings.")
    Path configFile;

    @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka brokers (kafka.bootstrap-servers).")
    String bootstrapServers;

    @Option(names = "--application-id", paramLabel = "ID", description = "Instances with one id share the partitions (builder.application-id).")
    String applicationId;

    @Option(names = "--parent-wait", paramLabel = "DURATION", description = "How long a fragment waits for its parent (builder.parent-wait, default 5s).")
    String parentWait;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of /metrics, /healthz, /readyz, /status (http.port; 0 picks one, -1 disables).")
    String httpPort;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting by its key (repeatable), e.g. --set builder.stream-threads=2.")
    List<String> sets = List.of();

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long; default: until interrupted.")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        SpanBuilderConfig config;
        try {
            config = SpanBuilderConfig.from(Settings.resolve(configFile, System.getenv(), flags()));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new SpanscopeCommand.UsageException(SpanscopeCommand.oneLine(e));
        }
        OtlpExportConfig otlp = otlpOptions.resolve(System.getenv()).config();
        if (otlp == null) {
            throw new SpanscopeCommand.UsageException("the span builder exports over OTLP: --no-export makes no sense here");
        }
        SpanExporter exporter = OtlpExporters.create(otlp);
        SpanBuilderService service = SpanBuilderService.start(config, exporter, otlp.timeout());
        AgentHttpServer http = config.httpPort() < 0 ? null : AgentHttpServer.start(config.httpAddress(),
                config.httpPort(), service.metrics(), service::running,
                () -> "{\"streams\":\"" + service.streamsState() + "\"}");
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopped.countDown();
            stop(service, http);
        }, "spanscope-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.println("spanscope: span builder " + config.applicationId() + " reading "
                + config.topology().fragmentsTopic() + " from " + String.join(",", config.kafka().bootstrapServers())
                + ", exporting to " + otlp.tracesUrl()
                + (http == null ? "" : ", metrics on http://" + config.httpAddress() + ":" + http.port() + "/metrics")
                + "; Ctrl-C stops");
        boolean signalled = duration == null ? awaitForever(stopped)
                : stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        if (!signalled) {
            Runtime.getRuntime().removeShutdownHook(hook);
            stop(service, http);
        }
        return 0;
    }

    private Map<Setting, Settings.Value> flags() {
        return new SettingFlags()
                .put(Setting.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers, "--kafka-bootstrap-servers")
                .put(Setting.BUILDER_APPLICATION_ID, applicationId, "--application-id")
                .put(Setting.BUILDER_PARENT_WAIT, parentWait, "--parent-wait")
                .put(Setting.HTTP_PORT, httpPort, "--http-port")
                .putAll(sets)
                .asMap();
    }

    private static void stop(SpanBuilderService service, AgentHttpServer http) {
        service.close();
        if (http != null) {
            http.close();
        }
    }

    private static boolean awaitForever(CountDownLatch stopped) throws InterruptedException {
        stopped.await();
        return true;
    }
}
