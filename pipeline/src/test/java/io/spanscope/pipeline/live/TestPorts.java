package io.spanscope.pipeline.live;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Loopback ports for the test's own servers. */
public final class TestPorts {

    private TestPorts() {
    }

    /** A port nothing listens on right now (the kernel's choice, so parallel runs do not collide). */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
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
