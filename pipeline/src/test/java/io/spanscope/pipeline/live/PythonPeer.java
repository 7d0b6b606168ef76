package io.spanscope.pipeline.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Python program from the test resources ({@code peers/}), run as an ordinary process: copied under the
 * name it should be known by (spanscope names python services after their script), its stdout collected.
 */
final class PythonPeer implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private PythonPeer(Process process) {
        this.process = process;
        this.reader = new Thread(this::collect, "peer-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * @param resource file in src/test/resources/peers
     * @param scriptName name of the copy that runs (so the service is called that)
     */
    static PythonPeer start(Path workDir, String resource, String scriptName, Map<String, String> env, String... args)
            throws IOException {
        return startUnder(List.of(), workDir, resource, scriptName, env, args);
    }

    /**
     * Like {@link #start}, run under a command that execs its arguments (e.g. {@code ip netns exec NS}), so
     * the process it starts becomes the python program with the same pid.
     */
    static PythonPeer startUnder(List<String> commandPrefix, Path workDir, String resource, String scriptName,
            Map<String, String> env, String... args) throws IOException {
        Path script = workDir.resolve(scriptName);
        try (InputStream in = PythonPeer.class.getResourceAsStream("/peers/" + resource)) {
            if (in == null) {
                throw new IOException("no test resource peers/" + resource);
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> command = new ArrayList<>(commandPrefix);
        command.addAll(List.of("python3", "-u", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        return new PythonPeer(pb.start());
    }

    /** Any other program as a peer (e.g. a JVM test service): same output collection and exit handling. */
    static PythonPeer startCommand(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        return new PythonPeer(pb.start());
    }

    long pid() {
        return process.pid();
    }

    private void collect() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Waits for the program to exit and returns everything it printed. */
    List<String> awaitExit(long timeoutSeconds) throws InterruptedException, IOException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("peer " + process.pid() + " did not finish in " + timeoutSeconds + " s");
        }
        reader.join(5_000);
        if (process.exitValue() != 0) {
            throw new IOException("peer exited with " + process.exitValue() + ": " + output());
        }
        return output();
    }

    List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
