package io.spanscope.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.spanscope.pipeline.builder.SpanBuilderConfig;
import io.spanscope.pipeline.cli.SpanscopeCommand;
import io.spanscope.pipeline.config.AgentConfig;
import io.spanscope.pipeline.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The manifests in deploy/k8s hold together: what the containers run parses with the real command line,
 * the settings in the ConfigMap pass the real validation, the addresses they name are Services of the
 * same manifests, and the agent gets the capabilities the design lists instead of privileged mode.
 * (No cluster here: this is what can be checked without one.)
 */
class KubernetesManifestsTest {

    private static final Path MANIFESTS = Path.of("..", "deploy", "k8s");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<JsonNode> DOCUMENTS = new ArrayList<>();

    @TempDir
    Path work;

    @BeforeAll
    static void readManifests() throws IOException {
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
                    YAML.readValues(parser, JsonNode.class).readAll().stream()
                            .filter(doc -> doc != null && !doc.isMissingNode() && !doc.isEmpty())
                            .forEach(DOCUMENTS::add);
                }
            }
        }
    }

    @Test
    void everyObjectIsNamedAndLivesInTheSpanscopeNamespace() {
        assertThat(DOCUMENTS).hasSizeGreaterThanOrEqualTo(10);
        for (JsonNode doc : DOCUMENTS) {
            assertThat(doc.path("apiVersion").asText()).as("apiVersion of %s", doc).isNotEmpty();
            assertThat(doc.path("metadata").path("name").asText()).as("name of %s", doc).isNotEmpty();
            if (!doc.path("kind").asText().equals("Namespace")) {
                assertThat(doc.path("metadata").path("namespace").asText()).isEqualTo("spanscope");
            }
        }
    }

    @Test
    void agentRunsWithTheDesignsCapabilitiesOnTheHostPidNamespace() {
        JsonNode pod = object("DaemonSet", "spanscope-agent").path("spec").path("template").path("spec");
        assertThat(pod.path("hostPID").asBoolean()).isTrue();
        JsonNode security = container(pod).path("securityContext");
        assertThat(security.path("privileged").asBoolean(false)).isFalse();
        assertThat(texts(security.path("capabilities").path("add")))
                .containsExactlyInAnyOrder("BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE", "DAC_READ_SEARCH");
        assertThat(texts(security.path("capabilities").path("drop"))).containsExactly("ALL");
    }

    @Test
    void containerArgumentsParseWithTheRealCommandLine() {
        for (String[] workload : new String[][] {{"DaemonSet", "spanscope-agent"},
                {"Deployment", "spanscope-span-builder"}}) {
            JsonNode pod = object(workload[0], workload[1]).path("spec").path("template").path("spec");
            List<String> args = texts(container(pod).path("args"));
            // parsing only: an unknown option, subcommand or bad value throws
            CommandLine.ParseResult parsed = SpanscopeCommand.newCommandLine().parseArgs(args.toArray(String[]::new));
            assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(args.get(0));
        }
    }

    @Test
    void configMapSettingsPassValidationAndNameServicesOfTheseManifests() throws IOException {
        JsonNode data = object("ConfigMap", "spanscope-config").path("data");
        Path agentFile = Files.writeString(work.resolve("agent.yaml"), data.path("agent.yaml").asText());
        Path builderFile = Files.writeString(work.resolve("span-builder.yaml"), data.path("span-builder.yaml").asText());

        AgentConfig agent = AgentConfig.from(Settings.resolve(agentFile, Map.of("SPANSCOPE_AGENT_ID", "node-1"),
                Map.of()), "node-1");
        SpanBuilderConfig builder = SpanBuilderConfig.from(Settings.resolve(builderFile, Map.of(), Map.of()));

        for (List<String> servers : List.of(agent.kafka().bootstrapServers(), builder.kafka().bootstrapServers())) {
            assertThat(servers).hasSize(1);
            assertThat(servesInCluster(servers.get(0))).as(servers.get(0)).isTrue();
        }
        assertThat(builder.httpAddress()).isEqualTo("0.0.0.0");
        JsonNode builderEnv = container(object("Deployment", "spanscope-span-builder").path("spec").path("template")
                .path("spec")).path("env");
        String otlp = null;
        for (JsonNode env : builderEnv) {
            if (env.path("name").asText().equals("OTEL_EXPORTER_OTLP_ENDPOINT")) {
                otlp = env.path("value").asText();
            }
        }
        assertThat(otlp).isNotNull();
        assertThat(servesInCluster(otlp.replaceFirst("^https?://", ""))).as(otlp).isTrue();
    }

    /** Whether host:port is a Service of these manifests (name.namespace.svc…) exposing that port. */
    private static boolean servesInCluster(String hostPort) {
        String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
        int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        String[] labels = host.split("\\.");
        for (JsonNode doc : DOCUMENTS) {
            if (doc.path("kind").asText().equals("Service") && doc.path("metadata").path("name").asText().equals(labels[0])
                    && labels.length > 1 && doc.path("metadata").path("namespace").asText().equals(labels[1])) {
                for (JsonNode p : doc.path("spec").path("ports")) {
                    if (p.path("port").asInt() == port) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static JsonNode object(String kind, String name) {
        return DOCUMENTS.stream()
                .filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/k8s"));
    }

    private static JsonNode container(JsonNode podSpec) {
        assertThat(podSpec.path("containers").size()).isEqualTo(1);
        return podSpec.path("containers").get(0);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
