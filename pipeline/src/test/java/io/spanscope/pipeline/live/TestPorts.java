package io.spanscope.pipeline.live;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports for the test's own servers. */
public final class TestPorts {

    private TestPorts() {
    }

    /*
     * Below the kernel's ephemeral range (32768-60999 by default): a server stopped and started again on its
     * port (an outage test) would otherwise find it taken now and then by the local end of some outgoing
     * connection, such as an exporter's retries to that very server.
     */
    private static final int FIRST = 20_000;
    private static final int LAST = 32_767;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A port nothing listens on right now, outside the ephemeral range, never handed out twice in this JVM;
     * random, so parallel runs rarely try the same one.
     */
    public static int free() throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST + 1);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException inUse) {
                // taken: try another
            }
        }
        throw new IOException("no free port in " + FIRST + "-" + LAST + " after 1000 attempts");
    }

    /** Waits until something accepts connections on 127.0.0.1:port. */
    public static void awaitListening(int port, Duration timeout) throws IOException, InterruptedException {
        awaitListening("127.0.0.1", port, timeout);
    }

    /** Waits until something accepts connections on host:port. */
    static void awaitListening(String host, int port, Duration timeout) throws IOException, InterruptedException {
        awaitListening(null, null, host, port, timeout);
    }

    /** Waits until {@code server} accepts on 127.0.0.1:port; fails at once, with its log, if it exits first. */
    public static void awaitListening(Process server, Path log, int port, Duration timeout)
            throws IOException, InterruptedException {
        awaitListening(server, log, "127.0.0.1", port, timeout);
    }

    private static void awaitListening(Process server, Path log, String host, int port, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (server != null && !server.isAlive()) {
                throw new IOException("the server for port " + port + " exited: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException("nothing listens on " + host + ":" + port + " after " + timeout);
    }
}
