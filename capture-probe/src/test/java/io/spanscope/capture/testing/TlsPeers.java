package io.spanscope.capture.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Real TLS peers for live tests: a self-signed certificate made with openssl, and the Python ssl peer script. */
public final class TlsPeers {

    private final Path dir;

    private TlsPeers(Path dir) {
        this.dir = dir;
    }

    /** Makes a key and a self-signed certificate for localhost / 127.0.0.1 in {@code dir}, and the peer script. */
    public static TlsPeers create(Path dir) throws IOException, InterruptedException {
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        try (InputStream script = TlsPeers.class.getResourceAsStream("/tls/tls_peer.py")) {
            Files.write(dir.resolve("tls_peer.py"), script.readAllBytes());
        }
        return new TlsPeers(dir);
    }

    public Path certificate() {
        return dir.resolve("cert.pem");
    }

    public Path key() {
        return dir.resolve("key.pem");
    }

    public Path peerScript() {
        return dir.resolve("tls_peer.py");
    }

    public Path dir() {
        return dir;
    }

    /** A port that was free a moment ago (the peers bind it themselves). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs a command in {@code dir} to completion; fails with its output when it fails. */
    public static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(List.of(command) + " failed: " + output);
        }
    }

    /** The next line of a process's standard output, waiting at most 30 s. */
    public static String readLine(BufferedReader reader) throws Exception {
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(30, TimeUnit.SECONDS);
        if (line == null) {
            throw new IOException("the process ended before printing a line");
        }
        return line;
    }

    public static BufferedReader stdout(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }
}
