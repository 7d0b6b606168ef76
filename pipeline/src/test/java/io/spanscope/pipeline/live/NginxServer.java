package io.spanscope.pipeline.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

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
        int port = TestPorts.free();
        Path prefix = Files.createTempDirectory("spanscope-nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("html"));
        Files.writeString(prefix.resolve("html/data.json"), DATA_JSON);
        // nginx's worker runs as nobody: let it into the private temporary directory
        for (Path p : new Path[] {prefix, prefix.resolve("html")}) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
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
                    listen 127.0.0.1:%2$d;
                    root %1$s/html;
                  }
                }
                """.formatted(prefix, port));
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

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor();
        try (Stream<Path> files = Files.walk(prefix)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
