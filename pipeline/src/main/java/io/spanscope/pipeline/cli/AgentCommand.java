package io.spanscope.pipeline.cli;

import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.pipeline.agent.AgentRun;
import io.spanscope.pipeline.agent.PublisherStats;
import io.spanscope.pipeline.config.AgentConfig;
import io.spanscope.pipeline.config.ConfigException;
import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spanscope agent}: capture, parse and link locally on this node, publish the fragments to Kafka.
 * Settings: flag, else {@code SPANSCOPE_…} variable, else {@code --config} file, else default.
 */
@Command(name = "agent",
        description = "Trace this node with eBPF and publish span fragments to Kafka for a span builder (needs root).",
        sortOptions = false)
public final class AgentCommand implements java.util.concurrent.Callable<Integer> {

    @Mixin
    CaptureOptions captureOptions = new CaptureOptions();

    @Mixin
    ServiceOptions serviceOptions = new ServiceOptions();

    @Option(names = "--agent-id", paramLabel = "ID", description = "Agent id in fragments and heartbeats (default: host name).")
    String agentId;

    @Option(names = "--buffer", paramLabel = "SIZE", description = "Bytes of fragments held while Kafka is down (agent.buffer, default 64MiB); beyond it the oldest are dropped and counted.")
    String buffer;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", description = "agent.heartbeat-interval (default 10s).")
    String heartbeatInterval;

    @Override
    public Integer call() throws Exception {
        captureOptions.validate();
        AgentConfig config = config(System.getenv());
        LiveCapture.Builder capture = captureOptions.captureBuilder();
        capture.excludePorts(ownPorts(config));
        AgentRun agent;
        try {
            agent = AgentRun.builder(capture, config).start();
        } catch (CaptureStartException e) {
            System.err.println("spanscope: cannot capture: " + SpanscopeCommand.oneLine(e));
            return SpanscopeCommand.EXIT_FAILURE;
        }
        StopSignal signal = StopSignal.install(() -> finish(agent));
        System.err.println("spanscope: agent " + config.agentId() + " tracing (" + captureOptions.describeFilters()
                + "), publishing to " + String.join(",", config.kafka().bootstrapServers()) + " topic "
                + config.kafka().fragmentsTopic()
                + (agent.httpPort() < 0 ? "" : ", metrics on http://" + config.httpAddress() + ":" + agent.httpPort() + "/metrics")
                + "; Ctrl-C stops");
        signal.runFor(serviceOptions.duration);
        return 0;
    }

    /** The settings from flags, {@code env} and the config file; a bad one is a usage error (exit 2). */
    AgentConfig config(Map<String, String> env) {
        Map<Setting, Settings.Value> flags = serviceOptions.flags(new SettingFlags()
                .put(Setting.AGENT_ID, agentId, "--agent-id")
                .put(Setting.AGENT_BUFFER, buffer, "--buffer")
                .put(Setting.AGENT_HEARTBEAT_INTERVAL, heartbeatInterval, "--heartbeat-interval"));
        try {
            return AgentConfig.from(Settings.resolve(serviceOptions.configFile, env, flags), AgentRun.localHostName());
        } catch (ConfigException e) {
            throw new SpanscopeCommand.UsageException(e.getMessage());
        }
    }

    /** The brokers' and our own HTTP port: the agent's own traffic never becomes spans. */
    private static List<Integer> ownPorts(AgentConfig config) {
        List<Integer> ports = new ArrayList<>();
        for (String server : config.kafka().bootstrapServers()) {
            ports.add(Integer.parseInt(server.substring(server.lastIndexOf(':') + 1)));
        }
        if (config.httpPort() > 0) {
            ports.add(config.httpPort());
        }
        return ports;
    }

    private static void finish(AgentRun agent) {
        agent.close();
        PublisherStats p = agent.publisherStats();
        System.err.println("spanscope: published " + p.sentRecords() + " fragments (" + p.sentBytes() + " bytes); dropped "
                + p.droppedRecords() + " (" + p.droppedBytes() + " bytes, buffer full or unsent at shutdown); failed "
                + p.failedRecords() + "; not encodable " + p.encodeFailures());
        System.err.println("spanscope: status " + agent.statusJson());
    }
}
