package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One traced service for the agent and export tests: {@code chain_service.py} as "catalog" on a free
 * loopback port, and {@code loadgen.py} to call it. Each request is one exchange seen by two processes.
 */
final class CatalogService implements AutoCloseable {

    private final Path work;
    private final int port;
    private final PythonPeer peer;

    private CatalogService(Path work, int port, PythonPeer peer) {
        this.work = work;
        this.port = port;
        this.peer = peer;
    }

    static CatalogService start(Path work) throws Exception {
        int port = TestPorts.free();
        PythonPeer peer = PythonPeer.start(work, "chain_service.py", "catalog.py", Map.of(), "--port", "" + port);
        TestPorts.awaitListening(port, Duration.ofSeconds(20));
        return new CatalogService(work, port, peer);
    }

    int port() {
        return port;
    }

    /** Requests {@code first} … {@code first + count - 1}, one after another; fails unless each is answered. */
    void load(int first, int count) throws Exception {
        PythonPeer loadgen = PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(), "--port", "" + port,
                "--count", "" + count, "--first", "" + first);
        assertThat(loadgen.awaitExit(120)).hasSize(count);
    }

    /** Polls {@code condition} every 50 ms; fails naming {@code what} after {@code timeout}. */
    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        peer.close();
    }
}
