package io.spanscope.pipeline.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A real nginx on 127.0.0.1 with its own prefix, for live tests: a small JSON document at /data.json. */
final class NginxServer implements AutoCloseable {

    static final String DATA_JSON = "{\"id\":42,\"name\":\"spanscope\",\"tags\":[\"ebpf\",\"tracing\"],\"ok\":true}\n";

    private final Path prefix;
    private final Process process;
    private final int port;

    private NginxServer(Path prefix, Process process, int port) {
        this.prefix = prefix;
        this.process = process;
        this.port = port;
    }

    static NginxServer start() throws IOException, InterruptedException {
        return start(false);
    }

    /**
     * nginx with TLS (a self-signed certificate for 127.0.0.1 made with openssl) and HTTP/2 offered by ALPN:
     * {@code curl --http1.1} speaks HTTP/1.1 inside TLS, {@code curl --http2} HTTP/2.
     */
    static NginxServer startTls() throws IOException, InterruptedException {
        return start(true);
    }

    private static NginxServer start(boolean tls) throws IOException, InterruptedException {
        int port = TestPorts.free();
        Path prefix = Files.createTempDirectory("spanscope-nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("html"));
        Files.writeString(prefix.resolve("html/data.json"), DATA_JSON);
        // nginx's worker runs as nobody: let it into the private temporary directory
        for (Path p : new Path[] {prefix, prefix.resolve("html")}) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String listen = "listen 127.0.0.1:" + port + ";";
        if (tls) {
            Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", prefix.resolve("key.pem").toString(), "-out", prefix.resolve("cert.pem").toString(),
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (openssl.waitFor() != 0) {
                throw new IOException("openssl could not make a test certificate");
            }
            listen = "listen 127.0.0.1:%d ssl http2; ssl_certificate %s; ssl_certificate_key %s;"
                    .formatted(port, prefix.resolve("cert.pem"), prefix.resolve("key.pem"));
        }
        Files.writeString(prefix.resolve("nginx.conf"), """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log;
                events { worker_connections 256; }
                http {
                  access_log off;
                  keepalive_requests 100000;
                  types { application/json json; }
                  server {
                    %2$s
                    root %1$s/html;
                  }
                }
                """.formatted(prefix, listen));
        Process p = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout").toFile()).start();
        NginxServer server = new NginxServer(prefix, p, port);
        TestPorts.awaitListening(server.process, server.prefix.resolve("logs/stdout"), port, Duration.ofSeconds(10));
        return server;
    }

    int port() {
        return port;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    String httpsUrl(String path) {
        return "https://127.0.0.1:" + port + path;
    }

    /** The certificate of a {@link #startTls()} server, for clients that verify it. */
    Path certificate() {
        return prefix.resolve("cert.pem");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor();
        TempTree.delete(prefix);
    }
}
