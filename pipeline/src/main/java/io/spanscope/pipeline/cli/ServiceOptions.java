package io.spanscope.pipeline.cli;

import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of the services that run on the one configuration model (agent, span builder): where their
 * settings come from, the settings both have, and how long they run.
 */
final class ServiceOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "Settings file (.yaml, .yml or .properties).")
    Path configFile;

    @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT[,…]", description = "Kafka brokers (kafka.bootstrap-servers).")
    String bootstrapServers;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of /metrics, /healthz, /readyz, /status (http.port, default 9464; 0 picks one; -1 off).")
    String httpPort;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting by its key, e.g. --set kafka.sasl.mechanism=SCRAM-SHA-512 (repeatable; wins over the named flags).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long; default: until interrupted.")
    Duration duration;

    /** The command's own named flags, then these, then every {@code --set}: a later one wins. */
    Map<Setting, Settings.Value> flags(SettingFlags own) {
        return own.put(Setting.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers, "--kafka-bootstrap-servers")
                .put(Setting.HTTP_PORT, httpPort, "--http-port")
                .putAll(sets)
                .asMap();
    }
}
