package io.spanscope.pipeline.live;

import io.spanscope.pipeline.builder.SpanBuilderConfig;
import io.spanscope.pipeline.builder.SpanBuilderService;
import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A span builder for the scale-out tests: {@link #config} is what every instance of a test runs, {@link
 * #main} runs one in a JVM of its own (so that it can be killed with SIGKILL), recording exported spans to
 * a file, until it is killed.
 */
public final class SpanBuilderProcess {

    /** Short session timeouts: a killed instance's partitions move within seconds. */
    static final Map<String, Object> FAST_FAILOVER = Map.of("session.timeout.ms", 6000, "heartbeat.interval.ms", 1000);

    private SpanBuilderProcess() {
    }

    /** Waits long enough that no fragment of a complete input times out, even across a failover. */
    static SpanBuilderConfig config(String bootstrap, String applicationId, Path stateDir) {
        return SpanBuilderConfig.from(Settings.of(Map.of(
                Setting.KAFKA_BOOTSTRAP_SERVERS, bootstrap,
                Setting.BUILDER_APPLICATION_ID, applicationId,
                Setting.BUILDER_TOPIC_KNOWN_SPANS, applicationId + ".known-spans",
                Setting.BUILDER_TOPIC_RESOLVED, applicationId + ".resolved-fragments",
                Setting.BUILDER_PARENT_WAIT, "60s",
                Setting.BUILDER_KNOWN_SPAN_RETENTION, "300s",
                Setting.BUILDER_STATE_DIR, stateDir.toString(),
                Setting.HTTP_PORT, "-1")));
    }

    /** Starts {@link #main} in a new JVM with this test's class path. */
    static Process launch(String bootstrap, String applicationId, Path stateDir, Path spansFile, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SpanBuilderProcess.class.getName());
        command.addAll(List.of(bootstrap, applicationId, stateDir.toString(), spansFile.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    public static void main(String[] args) throws Exception {
        SpanBuilderConfig config = config(args[0], args[1], Path.of(args[2]));
        SpanBuilderService service = SpanBuilderService.start(config, new RecordingSpanExporter(Path.of(args[3])),
                Duration.ofSeconds(5), FAST_FAILOVER);
        System.out.println("started");
        Thread.sleep(Long.MAX_VALUE);
        service.close();
    }
}
