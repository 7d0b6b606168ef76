package io.spanscope.pipeline.fidelity;

import io.spanscope.pipeline.live.TestPorts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One JVM of the fidelity app, with or without the OpenTelemetry agent: stdout and stderr go to files in the
 * work directory ({@code <name>.out}, {@code <name>.log}; under the agent the log holds its spans).
 * {@code OTEL_SERVICE_NAME} names the service for the agent and for spanscope alike.
 */
final class AppProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path log;

    private AppProcess(String name, Process process, Path stdout, Path log) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.log = log;
    }

    /**
     * @param javaOptions JVM options before the main class (the agent and its settings, or none)
     */
    static AppProcess start(Path workDir, String serviceName, List<String> javaOptions, Path classpath,
            Class<?> mainClass, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the same for both runs: a short-lived test app starts faster without the optimising compiler
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"));
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", classpath.toString(), mainClass.getName()));
        command.addAll(args);
        Path stdout = workDir.resolve(serviceName + ".out");
        Path log = workDir.resolve(serviceName + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(log.toFile());
        pb.environment().put("OTEL_SERVICE_NAME", serviceName);
        return new AppProcess(serviceName, pb.start(), stdout, log);
    }

    void awaitListening(int port, Duration timeout) throws IOException, InterruptedException {
        TestPorts.awaitListening(process, log, port, timeout);
    }

    /** Waits for a line of stdout that starts with {@code prefix}; fails with its output if none comes. */
    String awaitOutput(String prefix, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            // alive before reading: a process that prints its line and exits is still read once more
            boolean alive = process.isAlive();
            for (String line : Files.readAllLines(stdout)) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            if (!alive) {
                break;
            }
            Thread.sleep(100);
        }
        throw new IOException(name + " printed no '" + prefix + "' line within " + timeout + ": "
                + Files.readString(stdout) + Files.readString(log));
    }

    /** SIGTERM, so the agent's shutdown hook exports what it still holds; then waits for the exit. */
    void stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(10));
        }
    }
}
