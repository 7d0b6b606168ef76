package io.spanscope.pipeline.live;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.Role;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.parsers.record.Record;
import io.spanscope.pipeline.run.LocalRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live capture into the PostgreSQL parser on real traffic: pgbench (extended query protocol) and psql
 * against a real PostgreSQL server started for the test on 127.0.0.1 and its own port; every statement
 * the client ran is a record, seen alike from the client and the server process. And in a local run,
 * the queries a service makes while answering HTTP requests are children of those requests' spans.
 */
@Tag("live")
class PostgresLiveCaptureTest {

    static final List<String> TPCB_EXTENDED = List.of(
            "BEGIN;",
            "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;",
            "SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
            "UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;",
            "UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2;",
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
            "END;");

    private static PostgresServer server;
    private LiveRecords live;

    @BeforeAll
    static void startServer() throws Exception {
        Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "live capture needs root");
        Assumptions.assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "live capture needs a BTF kernel");
        server = PostgresServer.start();
        server.run("pgbench", "-h", "127.0.0.1", "-p", String.valueOf(server.port), "-U", "postgres", "-i", "-s", "1",
                "-q", "postgres");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private void startCapture() throws Exception {
        live = LiveRecords.capturePorts(List.of(server.port));
    }

    @AfterEach
    void stopCapture() {
        if (live != null) {
            live.close();
        }
    }

    private List<Record> finish() throws InterruptedException {
        return live.finish();
    }

    @Test
    void pgbenchTransactionsAreExactlyTransactionsTimesStatementsRecordsOnBothEnds() throws Exception {
        startCapture();
        int transactions = 60;
        Process pgbench = new ProcessBuilder("pgbench", "-h", "127.0.0.1", "-p", String.valueOf(server.port),
                "-U", "postgres", "-n", "-c", "1", "-t", String.valueOf(transactions), "-M", "extended", "postgres")
                .redirectErrorStream(true).start();
        String out = new String(pgbench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pgbench.waitFor()).as(out).isZero();
        assertThat(out).contains("number of transactions actually processed: " + transactions + "/" + transactions);
        List<Record> all = finish();

        List<Record> client = all.stream().filter(r -> r.tgid() == pgbench.pid() && r.role() == Role.CLIENT).toList();
        List<List<Record>> connections = byConnection(client);
        assertThat(connections).as("pgbench's setup connection and its one client connection").hasSize(2);
        List<Record> work = connections.stream().max(Comparator.comparingInt(List::size)).orElseThrow();
        assertThat(work).hasSize(transactions * TPCB_EXTENDED.size());
        for (int i = 0; i < work.size(); i++) {
            Record r = work.get(i);
            assertThat(r.isIntact()).as("intact: %s", r).isTrue();
            assertThat(r.attributes().getString("db.query.text")).isEqualTo(TPCB_EXTENDED.get(i % TPCB_EXTENDED.size()));
            assertThat(r.attributes().getString("db.system.name")).isEqualTo("postgresql");
            assertThat(r.attributes().getString("db.namespace")).isEqualTo("postgres");
            assertThat(r.attributes().getString("db.response.status_code")).isNull();
            assertThat(r.requestStartNs()).isLessThanOrEqualTo(r.responseStartNs());
            assertThat(r.responseStartNs()).isLessThanOrEqualTo(r.responseEndNs());
        }
        assertThat(work).filteredOn(r -> "SELECT".equals(r.attributes().getString("db.operation.name")))
                .hasSize(transactions)
                .allSatisfy(r -> assertThat(r.attributes().getLong("db.response.returned_rows")).isEqualTo(1));

        // the server processes saw the same statements with the same sequence numbers
        List<String> clientSequences = work.stream().map(PostgresLiveCaptureTest::sequences).toList();
        List<String> serverSequences = all.stream().filter(r -> r.role() == Role.SERVER)
                .map(PostgresLiveCaptureTest::sequences).toList();
        assertThat(serverSequences).containsAll(clientSequences);
    }

    @Test
    void psqlStatementsAndTheirErrorsAreRecorded() throws Exception {
        startCapture();
        Process psql = new ProcessBuilder("psql", "-X", "-h", "127.0.0.1", "-p", String.valueOf(server.port),
                "-U", "postgres", "-d", "postgres", "-c", "SELECT count(*) FROM pgbench_branches WHERE bid = 1",
                "-c", "SELECT 1 / 0").redirectErrorStream(true).start();
        String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        psql.waitFor(30, TimeUnit.SECONDS);
        assertThat(out).contains("division by zero");
        List<Record> all = finish();

        List<Record> client = all.stream().filter(r -> r.tgid() == psql.pid() && r.role() == Role.CLIENT).toList();
        assertThat(client).hasSize(2);
        assertThat(client.get(0).attributes().getString("db.query.text"))
                .isEqualTo("SELECT count(*) FROM pgbench_branches WHERE bid = ?");
        assertThat(client.get(0).attributes().getString("db.collection.name")).isEqualTo("pgbench_branches");
        assertThat(client.get(0).attributes().getLong("db.response.returned_rows")).isEqualTo(1);
        assertThat(client.get(1).attributes().getString("db.query.text")).isEqualTo("SELECT ? / ?");
        assertThat(client.get(1).attributes().getString("error.type")).isEqualTo("22012");
        assertThat(client.get(1).attributes().getString("spanscope.postgresql.application_name")).isEqualTo("psql");
    }

    /**
     * In a local run (capture, parsing, span building), each query a thread-per-request psycopg2
     * service runs while answering an HTTP request is a client span whose parent is that request's
     * server span, in the same trace.
     */
    @Test
    void eachQueryAServiceRunsForARequestIsAChildOfThatRequestsServerSpan(@TempDir Path work) throws Exception {
        server.run("psql", "-X", "-q", "-h", "127.0.0.1", "-p", String.valueOf(server.port), "-U", "postgres",
                "-d", "postgres", "-c", "CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, name text)",
                "-c", "INSERT INTO items VALUES (1, 'apple'), (2, 'pear'), (3, 'plum'), (4, 'fig') ON CONFLICT DO NOTHING");
        int requests = 12;
        int httpPort = TestPorts.free();
        Path spansFile = work.resolve("spans.jsonl");
        try (PythonPeer service = PythonPeer.start(work, "db_service.py", "pg_db_service.py", Map.of(),
                "--driver", "postgresql", "--port", "" + httpPort, "--db-port", "" + server.port, "--user", "postgres", "--database", "postgres")) {
            TestPorts.awaitListening(httpPort, Duration.ofSeconds(20));
            try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(httpPort, server.port)))
                    .spansOut(spansFile).start()) {
                PythonPeer loadgen = PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(), "--port", "" + httpPort,
                        "--count", "" + requests, "--prefix", "/items/");
                List<String> measured = loadgen.awaitExit(120);
                assertThat(measured).hasSize(requests).allSatisfy(line -> assertThat(line.split(" ")[2]).isEqualTo("200"));
                assertThat(run.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
            }
        }
        DbServiceSpans.assertEachQueryIsAChildOfItsRequest(spansFile, "pg_db_service", requests, "postgresql", "postgres");
    }

    static String sequences(Record r) {
        return r.requestSequence() + "/" + r.responseSequence();
    }

    static List<List<Record>> byConnection(List<Record> records) {
        Map<ConnectionId, List<Record>> grouped = new LinkedHashMap<>();
        for (Record r : records) {
            grouped.computeIfAbsent(r.connectionId(), k -> new ArrayList<>()).add(r);
        }
        return new ArrayList<>(grouped.values());
    }

    /** A throwaway PostgreSQL cluster (initdb into a temporary directory, run as the postgres user). */
    static final class PostgresServer implements AutoCloseable {
        final int port;
        private final Path dir;
        private final Path bin;

        private PostgresServer(Path dir, Path bin, int port) {
            this.dir = dir;
            this.bin = bin;
            this.port = port;
        }

        static PostgresServer start() throws IOException, InterruptedException {
            return start(false);
        }

        /** With {@code ssl=on} (a self-signed certificate made with openssl): clients may ask for TLS. */
        static PostgresServer startTls() throws IOException, InterruptedException {
            return start(true);
        }

        private static PostgresServer start(boolean tls) throws IOException, InterruptedException {
            Path bin = findBin();
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path dir = Files.createTempDirectory("spanscope-pg");
            PostgresServer server = new PostgresServer(dir, bin, port);
            server.run("chown", "postgres", dir.toString());
            server.run("chmod", "755", dir.toString());
            server.run("runuser", "-u", "postgres", "--", bin.resolve("initdb").toString(), "-D",
                    dir.resolve("data").toString(), "-U", "postgres", "--auth=trust");
            String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1";
            if (tls) {
                server.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
                // PostgreSQL refuses a key others can read
                server.run("chown", "postgres", dir.resolve("key.pem").toString(), dir.resolve("cert.pem").toString());
                server.run("chmod", "600", dir.resolve("key.pem").toString());
                options += " -c ssl=on -c ssl_cert_file=" + dir.resolve("cert.pem") + " -c ssl_key_file="
                        + dir.resolve("key.pem");
            }
            server.run("runuser", "-u", "postgres", "--", bin.resolve("pg_ctl").toString(), "-D",
                    dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w", "start", "-o",
                    options);
            TestPorts.awaitListening(port, Duration.ofSeconds(20));
            return server;
        }

        private static Path findBin() throws IOException {
            Path root = Path.of("/usr/lib/postgresql");
            assertThat(root).as("PostgreSQL server (scripts/setup.sh installs it)").isDirectory();
            try (Stream<Path> versions = Files.list(root)) {
                return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.naturalOrder()).orElseThrow(() -> new AssertionError("no initdb under " + root));
            }
        }

        void run(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s timed out", List.of(command)).isTrue();
            assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            run("runuser", "-u", "postgres", "--", bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "-m", "immediate", "-w", "stop");
            TempTree.delete(dir);
        }
    }
}
