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
import java.util.Map;
import java.util.concurrent.Callable;
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

    @Mixin
    ServiceOptions serviceOptions = new ServiceOptions();

    @Option(names = "--application-id", paramLabel = "ID", description = "Instances with one id share the partitions (builder.application-id).")
    String applicationId;

    @Option(names = "--parent-wait", paramLabel = "DURATION", description = "How long a fragment waits for its parent (builder.parent-wait, default 5s).")
    String parentWait;

    @Override
    public Integer call() throws Exception {
        SpanBuilderConfig config;
        try {
            config = SpanBuilderConfig.from(Settings.resolve(serviceOptions.configFile, System.getenv(), flags()));
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
        StopSignal signal = StopSignal.install(() -> stop(service, http));
        System.err.println("spanscope: span builder " + config.applicationId() + " reading "
                + config.topology().fragmentsTopic() + " from " + String.join(",", config.kafka().bootstrapServers())
                + ", exporting to " + otlp.tracesUrl()
                + (http == null ? "" : ", metrics on http://" + config.httpAddress() + ":" + http.port() + "/metrics")
                + "; Ctrl-C stops");
        signal.runFor(serviceOptions.duration);
        return 0;
    }

    private Map<Setting, Settings.Value> flags() {
        return serviceOptions.flags(new SettingFlags()
                .put(Setting.BUILDER_APPLICATION_ID, applicationId, "--application-id")
                .put(Setting.BUILDER_PARENT_WAIT, parentWait, "--parent-wait"));
    }

    private static void stop(SpanBuilderService service, AgentHttpServer http) {
        service.close();
        if (http != null) {
            http.close();
        }
    }
}
