package io.spanscope.pipeline.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.ConsumerGroupState;

/**
 * A private single-node Kafka broker (KRaft, started by scripts/kafka.sh) on free loopback ports with its
 * data in the test's directory. {@link #stop()} and {@link #start()} may be called again on the same
 * instance (same ports, same data): that is how outage tests take the broker away and bring it back.
 *
 * <pre>
 * try (KafkaBroker kafka = KafkaBroker.start(tempDir, 6)) {
 *     kafka.createTopics(6, "spanscope.fragments");
 *     props.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * </pre>
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final int partitions;
    private final int saslSslPort;
    private final String scramUser;
    private boolean running;

    private KafkaBroker(Path dataDir, int port, int controllerPort, int partitions, int saslSslPort,
                        String scramUser) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.partitions = partitions;
        this.saslSslPort = saslSslPort;
        this.scramUser = scramUser;
    }

    /** @param partitions the partition count of topics created automatically */
    public static KafkaBroker start(Path workDir, int partitions) throws IOException, InterruptedException {
        KafkaBroker broker = new KafkaBroker(workDir.resolve("kafka"), TestPorts.free(), TestPorts.free(), partitions,
                -1, null);
        broker.start();
        return broker;
    }

    /**
     * A broker with a second listener, SASL_SSL with SCRAM-SHA-512 for {@code user} (its certificate signed by
     * {@link #caFile()}, for 127.0.0.1); the plain-text listener stays for the tests' own admin calls.
     */
    public static KafkaBroker startSecured(Path workDir, int partitions, String user, String password)
            throws IOException, InterruptedException {
        KafkaBroker broker = new KafkaBroker(workDir.resolve("kafka"), TestPorts.free(), TestPorts.free(), partitions,
                TestPorts.free(), user + ":" + password);
        broker.start();
        return broker;
    }

    /** The SASL_SSL listener of {@link #startSecured}. */
    public String saslSslBootstrapServers() {
        if (saslSslPort < 0) {
            throw new IllegalStateException("started without a SASL_SSL listener");
        }
        return "127.0.0.1:" + saslSslPort;
    }

    /** PEM of the CA that signed the SASL_SSL listener's certificate. */
    public Path caFile() {
        return dataDir.resolve("tls/ca.pem");
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts the broker process (again), waiting until it serves; the data directory is kept. */
    public void start() throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("start", "--port", Integer.toString(port), "--controller-port",
                Integer.toString(controllerPort), "--data-dir", dataDir.toString(), "--partitions",
                Integer.toString(partitions)));
        if (saslSslPort >= 0) {
            args.addAll(List.of("--sasl-ssl-port", Integer.toString(saslSslPort), "--scram-user", scramUser));
        }
        script(args.toArray(String[]::new));
        running = true;
    }

    /** Stops the broker process (SIGTERM, then SIGKILL after 30 s); its data stays for {@link #start()}. */
    public void stop() throws IOException, InterruptedException {
        script("stop", "--data-dir", dataDir.toString());
        running = false;
    }

    public boolean running() {
        return running;
    }

    /** Creates the topics (idempotent: an existing topic is left as it is). */
    public void createTopics(int partitions, String... names) throws InterruptedException {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            var result = admin.createTopics(topics);
            for (var future : result.values().values()) {
                try {
                    future.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw new IllegalStateException("creating topics failed: " + e.getCause(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("creating topics timed out", e);
                }
            }
        }
    }

    /**
     * Waits until consumer group {@code groupId} is stable with {@code members} members, each assigned at least
     * one partition: from then on, work is shared among them.
     */
    public void awaitGroupMembers(String groupId, int members, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not described yet";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                try {
                    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId))
                            .describedGroups().get(groupId).get(10, TimeUnit.SECONDS);
                    long assigned = group.members().stream()
                            .filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
                    last = group.state() + " with " + group.members().size() + " members, " + assigned + " assigned";
                    if (group.state() == ConsumerGroupState.STABLE && group.members().size() == members
                            && assigned == members) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e.toString();
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("group " + groupId + " did not get " + members + " assigned members within "
                + timeout + "; last seen: " + last);
    }

    public Path log() {
        return dataDir.resolve("kafka.log");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (running) {
            stop();
        }
    }

    private void script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(JaegerServer.repoRoot().resolve("scripts/kafka.sh").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            String tail = Files.exists(log()) ? String.join("\n", lastLines(log(), 20)) : "";
            throw new IOException("scripts/kafka.sh " + args[0] + " failed: " + out + "\n" + tail);
        }
    }

    private static List<String> lastLines(Path file, int n) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
