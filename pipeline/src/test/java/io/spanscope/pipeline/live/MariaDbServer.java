package io.spanscope.pipeline.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway MariaDB server for one test: a data directory made by mariadb-install-db under the test's
 * directory, mysqld on 127.0.0.1 with its own free port and socket, no option files read. Set up over the
 * socket (never captured: capture filters on the TCP port). Stopped by {@link #close()}.
 */
final class MariaDbServer implements AutoCloseable {

    static final String DATABASE = "shop";
    static final String USER = "app";
    static final String PASSWORD = "app-pw";

    private final Process mysqld;
    private final Path socket;
    private final int port;

    private MariaDbServer(Process mysqld, Path socket, int port) {
        this.mysqld = mysqld;
        this.socket = socket;
        this.port = port;
    }

    static MariaDbServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of());
    }

    /**
     * Clients over TCP must use TLS ({@code require_secure_transport}); the certificate is self-signed, made
     * with {@code openssl req} in {@code dir} ({@link #certificate(Path)}).
     */
    static MariaDbServer startTls(Path dir) throws IOException, InterruptedException {
        Path key = dir.resolve("server-key.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key.toString(),
                "-out", certificate(dir).toString(), "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"), null);
        return start(dir, List.of("--ssl-cert=" + certificate(dir), "--ssl-key=" + key, "--require-secure-transport=ON"));
    }

    static Path certificate(Path dir) {
        return dir.resolve("server-cert.pem");
    }

    private static MariaDbServer start(Path dir, List<String> options) throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        Path socket = dir.resolve("mysqld.sock");
        run(List.of("mariadb-install-db", "--no-defaults", "--user=root", "--datadir=" + data,
                "--auth-root-authentication-method=socket"), null);
        int port = TestPorts.free();
        List<String> command = new ArrayList<>(List.of("mysqld", "--no-defaults", "--user=root", "--datadir=" + data,
                "--socket=" + socket, "--port=" + port, "--bind-address=127.0.0.1", "--skip-name-resolve",
                "--pid-file=" + dir.resolve("mysqld.pid"), "--log-error=" + dir.resolve("error.log")));
        command.addAll(options);
        Process mysqld = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("mysqld.out").toFile()).start();
        MariaDbServer server = new MariaDbServer(mysqld, socket, port);
        try {
            TestPorts.awaitListening(port, Duration.ofSeconds(60));
            server.sql("CREATE DATABASE " + DATABASE + ";"
                    + "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "';"
                    + "GRANT ALL ON " + DATABASE + ".* TO '" + USER + "'@'%';"
                    + "CREATE TABLE " + DATABASE + ".items (id INT PRIMARY KEY, name VARCHAR(64), price INT);"
                    + "INSERT INTO " + DATABASE + ".items VALUES (1, 'apple', 3), (2, 'banana', 2), (3, 'cherry', 120),"
                    + " (4, 'durian', 250);");
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    int port() {
        return port;
    }

    long pid() {
        return mysqld.pid();
    }

    /** Runs statements as root over the socket. */
    void sql(String statements) throws IOException, InterruptedException {
        run(List.of("mariadb", "--no-defaults", "-S", socket.toString(), "-uroot"), statements);
    }

    private static void run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(command + " failed: " + out);
        }
    }

    @Override
    public void close() throws InterruptedException {
        mysqld.destroy();
        if (!mysqld.waitFor(30, TimeUnit.SECONDS)) {
            mysqld.destroyForcibly().waitFor();
        }
    }
}
